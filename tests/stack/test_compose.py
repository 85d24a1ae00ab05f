"""docker-compose accepts the stack, with and without an .env, and everything it mounts exists."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from exporter.config import DEMO_TOKEN
from tests.stack.run import REPO, run_ok

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
    assert set(services) == {
        "simulator",
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
    grafana = services["grafana"]["environment"]
    assert grafana["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"]
    assert all(p.startswith("127.0.0.1:") for s in services.values() for p in s.get("ports", []))


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
