"""Config: YAML + environment into frozen dataclasses; every bad key gets its own clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exporter.cli import main
from exporter.config import ConfigError, load_config

TOKEN = "tok-abcdefghijklmnopqrstuvwxyz0123456789"
ENV = {"MIST_APITOKEN": TOKEN}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_from_environment_only() -> None:
    config = load_config(None, {"MIST_APITOKEN": "a1234567890, b1234567890", "MIST_ORG_ID": "o1"})
    assert config.mist.tokens == ("a1234567890", "b1234567890")
    assert config.mist.org_id == "o1"
    assert config.mist.base_url == "https://api.mist.com"
    assert config.state.redis_url is None
    assert config.collect.intervals["alarms"] == 60
    assert config.collect.budget_share == 0.7
    assert config.web.listen_address == ":9842"


def test_org_id_lists_several_orgs_or_none(tmp_path: Path) -> None:
    listed = load_config(None, {**ENV, "MIST_ORG_ID": " o1, o2,o1 ,"})
    assert listed.mist.org_ids == ("o1", "o2")
    assert load_config(None, ENV).mist.org_ids == ()
    path = write(tmp_path, "mist:\n  org_id: [o3, o4]\n")
    assert load_config(path, ENV).mist.org_ids == ("o3", "o4")
    with pytest.raises(ConfigError, match="org_id"):
        load_config(write(tmp_path, "mist:\n  org_id: [o3, 4]\n"), ENV)


def test_yaml_then_environment_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
mist:
  host: api.eu.mist.com
  org_id: from-yaml
  timeouts: {read: 12}
collect:
  intervals: {peer_paths: 300}
  region: {sitegroup_prefix: "Region-"}
web: {listen_address: "127.0.0.1:9100"}
log_level: DEBUG
""",
    )
    config = load_config(path, {**ENV, "MIST_ORG_ID": "from-env"})
    assert config.mist.base_url == "https://api.eu.mist.com"
    assert config.mist.org_id == "from-env"
    assert config.mist.timeouts.read == 12
    assert config.mist.timeouts.connect == 5
    assert config.collect.intervals["peer_paths"] == 300
    assert config.collect.region.sitegroup_prefix == "Region-"
    assert config.log_level == "debug"
    override = load_config(path, {**ENV, "MIST_HOST": "http://127.0.0.1:9843/"})
    assert override.mist.base_url == "http://127.0.0.1:9843"


def test_token_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text(TOKEN + "\n", encoding="utf-8")
    assert load_config(None, {"MIST_APITOKEN_FILE": str(secret)}).mist.tokens == (TOKEN,)


@pytest.mark.parametrize(
    ("yaml_text", "env", "key"),
    [
        ("", {}, "MIST_APITOKEN"),
        ("", {"MIST_APITOKEN": "a1234567890,a1234567890"}, "MIST_APITOKEN"),
        ("", {**ENV, "MIST_APITOKEN_FILE": "/x"}, "MIST_APITOKEN"),
        ("", {"MIST_APITOKEN_FILE": "/nonexistent/token"}, "MIST_APITOKEN_FILE"),
        ("", {**ENV, "MIST_HOST": "api.example.com"}, "MIST_HOST"),
        ("", {**ENV, "MIST_HOST": "ftp://x"}, "MIST_HOST"),
        ("mist: {host: nowhere.mist.com}", ENV, "mist.host"),
        ("mist: {tokens: [x]}", ENV, "mist.tokens"),
        ("mist: {timeouts: {read: -1}}", ENV, "mist.timeouts.read"),
        ("mist: {timeouts: {read: fast}}", ENV, "mist.timeouts.read"),
        ("mist: {timeouts: {sleep: 1}}", ENV, "mist.timeouts.sleep"),
        ("mist: {max_concurrency: 0}", ENV, "mist.max_concurrency"),
        ("mist: {max_retries: 2.5}", ENV, "mist.max_retries"),
        ("mist: {calls_per_hour: true}", ENV, "mist.calls_per_hour"),
        ("mist: [1, 2]", ENV, "mist"),
        ("collect: {intervals: {alarms: 1}}", ENV, "collect.intervals.alarms"),
        ("collect: {intervals: {weather: 60}}", ENV, "collect.intervals.weather"),
        ("collect: {budget_share: 1.5}", ENV, "collect.budget_share"),
        ("collect: {degraded_threshold: high}", ENV, "collect.degraded_threshold"),
        ("collect: {alarm_window_seconds: 10}", ENV, "collect.alarm_window_seconds"),
        ("collect: {deep_dive_days: 30}", ENV, "collect.deep_dive_days"),
        ("collect: {alarm_rescan_seconds: 5}", ENV, "collect.alarm_rescan_seconds"),
        ("collect: {alarm_groups: [weather]}", ENV, "collect.alarm_groups"),
        ("collect: {alarm_types: device_down}", ENV, "collect.alarm_types"),
        ("thresholds: {loss: [0.1, 0.01, 0.5]}", ENV, "thresholds.loss"),
        ("thresholds: {utilisation: [0.7, 0.8]}", ENV, "thresholds.utilisation"),
        ("thresholds: {latency_seconds: [0.05, 0.1, 99]}", ENV, "thresholds.latency_seconds"),
        ("thresholds: {rain: [1, 2, 3]}", ENV, "thresholds.rain"),
        ("collect: {region: {strip_prefix: maybe}}", ENV, "collect.region.strip_prefix"),
        ("collect: {region: {sitegroup_prefix: 5}}", ENV, "collect.region.sitegroup_prefix"),
        ("state: {redis_url: 'redis://x'}", ENV, "state.redis_url"),
        ("state: {prefix: 'a:b'}", ENV, "state.prefix"),
        ("", {**ENV, "REDIS_URL": "http://localhost"}, "REDIS_URL"),
        ("web: {listen_address: 'localhost'}", ENV, "web.listen_address"),
        ("web: {listen_address: ':99999'}", ENV, "web.listen_address"),
        ("log_level: loud", ENV, "log_level"),
        ("colect: {}", ENV, "colect"),
        ("[1, 2]", ENV, "<root>"),
        ("mist: {host: [", ENV, "--config"),
    ],
)
def test_each_bad_key_is_named(
    tmp_path: Path, yaml_text: str, env: dict[str, str], key: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, yaml_text), env)
    assert info.value.key == key
    assert key in str(info.value)


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read") as info:
        load_config(tmp_path / "absent.yml", ENV)
    assert info.value.key == "--config"


def test_check_config_redacts_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MIST_APITOKEN", TOKEN)
    monkeypatch.setenv("REDIS_URL", "redis://:hunter2secret@127.0.0.1:6379/0")
    assert main(["check-config", "--config", str(write(tmp_path, "log_level: info"))]) == 0
    out = capsys.readouterr().out
    shown = json.loads(out)
    assert TOKEN not in out
    assert "hunter2secret" not in out
    assert shown["mist"]["tokens"] == ["tok-...(40 chars)"]
    assert shown["state"]["redis_url"] == "redis://:***@127.0.0.1:6379/0"


def test_bad_config_exits_2_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MIST_APITOKEN", TOKEN)
    path = write(tmp_path, "collect: {budget_share: 7}")
    assert main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "collect.budget_share" in err
    assert TOKEN not in err
    assert main(["--config", str(path)]) == 2
    assert "collect.budget_share" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["capture", "backfill"])
def test_one_org_commands_refuse_a_list_of_orgs(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MIST_APITOKEN", TOKEN)
    monkeypatch.setenv("MIST_HOST", "http://127.0.0.1:9")  # never called
    monkeypatch.setenv("MIST_ORG_ID", "o1,o2")
    assert main([command, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"MIST_ORG_ID: {command} works on one org; 2 are listed" in err
    assert not (tmp_path / "out").exists()


def test_plan_command_prints_hourly_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--sites", "3208"]) == 0
    out = capsys.readouterr().out
    assert "3208 sites" in out
    assert "wan_ports" in out
    assert "of the budget" in out


def test_thresholds_and_alarm_filters_are_read(tmp_path: Path) -> None:
    text = (
        "collect: {degraded_threshold: 0.8, alarm_groups: [infrastructure, marvis], "
        "alarm_types: [device_down, vpn_peer_down]}\n"
        "thresholds: {loss: [0.002, 0.02, 0.05], jitter_seconds: [0.005, 0.01, 0.02]}\n"
    )
    config = load_config(write(tmp_path, text), ENV)
    assert config.thresholds.sle_degraded == 0.8
    assert config.thresholds.loss == (0.002, 0.02, 0.05)
    assert config.thresholds.jitter_seconds == (0.005, 0.01, 0.02)
    assert config.thresholds.utilisation == (0.7, 0.8, 0.9)
    assert config.collect.alarm_groups == ("infrastructure", "marvis")
    assert config.collect.alarm_types == ("device_down", "vpn_peer_down")
