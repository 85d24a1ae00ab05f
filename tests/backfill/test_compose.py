"""The compose one-shot backfill: in its own profile, history into the Prometheus data volume."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.stack.test_compose import compose_config

pytestmark = pytest.mark.skipif(not shutil.which("docker-compose"), reason="needs docker-compose")


def test_the_backfill_profile_writes_history_then_blocks_into_the_prometheus_volume(
    tmp_path: Path,
) -> None:
    services = compose_config(tmp_path, "BACKFILL_RESOLUTION=10m\n")["services"]
    backfill, blocks = services["backfill"], services["backfill-blocks"]
    assert backfill["profiles"] == blocks["profiles"] == ["backfill"]
    assert "restart" not in backfill or backfill["restart"] == "no"
    assert backfill["command"] == [
        "backfill",
        "--days",
        "7",
        "--resolution",
        "10m",
        "--out",
        "/var/tmp/history.om",
    ]
    assert backfill["environment"] == services["exporter"]["environment"]
    assert blocks["image"] == services["prometheus"]["image"]
    assert blocks["entrypoint"] == ["promtool"]
    assert blocks["command"][-2:] == ["/backfill/history.om", "/prometheus"]
    assert blocks["depends_on"]["backfill"]["condition"] == "service_completed_successfully"
    mounts = {tuple(v.split(":")[:2]) for v in blocks["volumes"]}
    prometheus = {tuple(v.split(":")[:2]) for v in services["prometheus"]["volumes"]}
    assert ("prometheus-data", "/prometheus") in mounts & prometheus
    assert ("backfill-data", "/backfill") in mounts
    # /var/tmp is world-writable in the image: the volume takes that mode for the unprivileged user.
    assert [v.split(":")[:2] for v in backfill["volumes"]] == [["backfill-data", "/var/tmp"]]
