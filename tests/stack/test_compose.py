"""docker-compose accepts the stack, with and without an .env, and everything it mounts exists."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from exporter.config import DEMO_TOKEN, ConfigError, load_config
from tests.stack.run import REPO, run_ok
from tests.support.ports import free_port
from tests.support.wait import running, until_sync

LIVE_ENV = """\
MIST_HOST=api.eu.mist.com
MIST_APITOKEN=live-token-aaaa,live-token-bbbb
MIST_ORG_ID=9777c1a0-6ef6-11e6-8bbf-02e208b2d34f
GRAFANA_ADMIN_PASSWORD=s3cret-admin
GRAFANA_ANONYMOUS_VIEWER=true
BIND_ADDRESS=0.0.0.0
"""


def compose_config(tmp_path: Path, env_file: str) -> dict[str, Any]:
    """The resolved compose file as docker-compose prints it, with only ``env_file`` as .env."""
    path = tmp_path / "stack.env"
    path.write_text(env_file)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    out = run_ok(
        ["docker-compose", "-f", "docker-compose.yml", "--env-file", path, "config"], env=env
    )
    config: dict[str, Any] = yaml.safe_load(out)
    return config


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return compose_config(tmp_path_factory.mktemp("demo"), "")


def test_without_env_the_exporter_polls_the_simulator_with_the_demo_token(
    demo: dict[str, Any],
) -> None:
    services = demo["services"]
    # The simulator runs only in the demo profile; one-shot services of the `backfill` profile
    # are tested in tests/backfill.
    assert services["simulator"]["profiles"] == ["demo"]
    assert "simulator" not in services["exporter"].get("depends_on", {})
    assert {name for name, service in services.items() if "profiles" not in service} == {
        "exporter",
        "redis",
        "prometheus",
        "alertmanager",
        "grafana",
    }
    env = services["exporter"]["environment"]
    assert env["MIST_HOST"] == "http://simulator:9843"
    assert env["MIST_APITOKEN"] == DEMO_TOKEN
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert "9843" in services["simulator"]["command"]
    assert services["exporter"]["environment"].get("MIST_ORG_ID", "") == ""  # every org it reads
    grafana = services["grafana"]["environment"]
    assert grafana["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"]
    assert all(p.startswith("127.0.0.1:") for s in services.values() for p in s.get("ports", []))


def test_the_demo_simulates_as_many_orgs_as_the_env_says(tmp_path: Path) -> None:
    command = compose_config(tmp_path, "SIMULATOR_ORGS=3\nSIMULATOR_SITES=50\n")["services"][
        "simulator"
    ]["command"]
    assert command[command.index("--orgs") + 1] == "3"
    assert command[command.index("--sites") + 1] == "50"


def test_with_env_the_exporter_polls_mist_and_grafana_takes_the_settings(tmp_path: Path) -> None:
    services = compose_config(tmp_path, LIVE_ENV)["services"]
    env = services["exporter"]["environment"]
    assert env["MIST_HOST"] == "api.eu.mist.com"
    assert env["MIST_APITOKEN"] == "live-token-aaaa,live-token-bbbb"
    assert env["MIST_ORG_ID"] == "9777c1a0-6ef6-11e6-8bbf-02e208b2d34f"
    grafana = services["grafana"]["environment"]
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"] == "s3cret-admin"
    assert grafana["GF_AUTH_ANONYMOUS_ENABLED"] == "true"
    assert all(p.startswith("0.0.0.0:") for s in services.values() for p in s.get("ports", []))


def test_the_env_example_is_accepted_and_names_the_live_settings(tmp_path: Path) -> None:
    example = (REPO / ".env.example").read_text()
    for key in ("MIST_HOST", "MIST_APITOKEN", "MIST_ORG_ID", "GRAFANA_ADMIN_PASSWORD"):
        assert re.search(rf"^{key}=", example, re.M), key
    services = compose_config(tmp_path, example)["services"]
    assert services["exporter"]["environment"]["MIST_HOST"] == "api.mist.com"


def test_every_bind_mount_exists_and_named_volumes_are_declared(demo: dict[str, Any]) -> None:
    mounts = 0
    for name, service in demo["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            if source.startswith("/"):
                mounts += 1
                assert Path(source).exists(), f"{name} mounts missing {source}"
                assert Path(source).resolve().is_relative_to(REPO), source
            else:
                assert source in demo["volumes"], f"{name} uses undeclared volume {source}"
    assert mounts >= 5
    assert {"redis-data", "prometheus-data", "grafana-data"} <= set(demo["volumes"])


def test_images_are_pinned_and_every_service_has_a_healthcheck(demo: dict[str, Any]) -> None:
    for name, service in demo["services"].items():
        if "build" in service:
            assert (Path(service["build"]["context"]) / "Dockerfile").exists()
        else:
            image = service["image"]
            assert re.fullmatch(r"[\w./-]+:v?\d+\.\d+\.\d+[\w.-]*", image), f"{name}: {image}"
        if "profiles" not in service:  # one-shot services (backfill) exit: nothing to check
            assert service["healthcheck"]["test"], name


def test_redis_persists_to_a_named_volume(demo: dict[str, Any]) -> None:
    redis = demo["services"]["redis"]
    assert "--appendonly" in redis["command"]
    assert any(v.startswith("redis-data:/data") for v in redis["volumes"])


def test_the_dockerfile_copies_files_that_exist_and_runs_unprivileged() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    for line in re.findall(r"^COPY (?!--from)(.+)$", dockerfile, re.M):
        for source in line.split()[:-1]:
            assert (REPO / source).exists(), f"Dockerfile copies missing {source}"
    assert re.search(r"^USER (?!root|0\b)\S+", dockerfile, re.M)
    assert "/healthz" in dockerfile
    assert 'ENTRYPOINT ["mist-wan-exporter"]' in dockerfile


def with_options(command: list[str], values: dict[str, str]) -> list[str]:
    """``command`` with the value after each option of ``values`` replaced."""
    out = list(command)
    for option, value in values.items():
        out[out.index(option) + 1] = value
    return out


def healthcheck(test: list[str], ports: dict[str, int]) -> list[str]:
    """A ``CMD`` healthcheck made runnable here: this Python, the test's loopback ports."""
    assert test[0] == "CMD"
    args = [sys.executable if a == "python" else a for a in test[1:]]
    for container_port, port in ports.items():
        args = [a.replace(container_port, str(port)) for a in args]
    return args


def dockerfile_healthcheck() -> list[str]:
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", text, re.M)
    assert match
    test: list[str] = json.loads(match.group(1))
    return ["CMD", *test]


def wait_healthy(args: list[str], process: subprocess.Popen[bytes], log: Path) -> None:
    until_sync(
        lambda: subprocess.run(args, capture_output=True, check=False, timeout=30).returncode,
        lambda code: code == 0,
        within=90,
        what=f"{args} passes",
        every=0.2,
        alive=running(process, log.read_text),
    )


@contextlib.contextmanager
def service(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Runs a compose service's command the way the image's ENTRYPOINT does."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "exporter", *command],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_the_compose_commands_run_and_pass_their_healthchecks(
    demo: dict[str, Any], redis_url: str, tmp_path: Path
) -> None:
    sim, exp = demo["services"]["simulator"], demo["services"]["exporter"]
    sim_port, exp_port = free_port(), free_port()
    ports = {"9843": sim_port, "9842": exp_port}
    env = {
        **exp["environment"],
        "MIST_HOST": f"http://127.0.0.1:{sim_port}",
        "REDIS_URL": redis_url,
    }
    sim_command = with_options(sim["command"], {"--host": "127.0.0.1", "--port": str(sim_port)})
    exp_command = with_options(exp["command"], {"--web.listen-address": f"127.0.0.1:{exp_port}"})
    with (
        service(sim_command, {}, tmp_path / "simulator.log") as simulator,
        service(exp_command, env, tmp_path / "exporter.log") as exporter,
    ):
        wait_healthy(
            healthcheck(sim["healthcheck"]["test"], ports), simulator, tmp_path / "simulator.log"
        )
        for test in (exp["healthcheck"]["test"], dockerfile_healthcheck()):
            wait_healthy(healthcheck(test, ports), exporter, tmp_path / "exporter.log")
        body = until_sync(
            lambda: scrape(exp_port),
            lambda text: "mist_site_info{" in text,
            within=90,
            what="mist_site_info in /metrics",
            every=0.5,
            alive=running(exporter, (tmp_path / "exporter.log").read_text),
        )
    assert re.search(r"^mist_simulated 1(\.0)?$", body, re.M)
    assert re.search(r"^mist_state_store_up 1(\.0)?$", body, re.M)


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        body: bytes = response.read()
    return body.decode()


def test_prometheus_has_a_size_cap_and_scrapes_alertmanager_which_grafana_shows(
    demo: dict[str, Any],
) -> None:
    command = demo["services"]["prometheus"]["command"]
    assert any(c.startswith("--storage.tsdb.retention.size=") for c in command)
    config = yaml.safe_load((REPO / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["alertmanager"]["static_configs"][0]["targets"] == ["alertmanager:9093"]
    provisioned = yaml.safe_load(
        (REPO / "grafana/provisioning/datasources/alertmanager.yml").read_text()
    )
    (datasource,) = provisioned["datasources"]
    assert (datasource["type"], datasource["url"]) == ("alertmanager", "http://alertmanager:9093")


def test_the_env_example_never_sends_the_demo_token_to_mist(tmp_path: Path) -> None:
    """.env.example names a Mist cloud and leaves the token empty: the exporter must refuse."""
    example = (REPO / ".env.example").read_text()
    env = compose_config(tmp_path, example)["services"]["exporter"]["environment"]
    assert env["MIST_APITOKEN"] == DEMO_TOKEN  # compose's default when the .env leaves it empty
    with pytest.raises(ConfigError) as refused:
        load_config(None, {"MIST_HOST": env["MIST_HOST"], "MIST_APITOKEN": env["MIST_APITOKEN"]})
    assert refused.value.key == "MIST_APITOKEN"
    assert "--profile demo" in str(refused.value)
