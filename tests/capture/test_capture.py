"""``capture`` records every endpoint the exporter calls; ``simulate --replay`` serves it back.

The committed capture (tests/fixtures/capture: 20 simulated sites, seed 5, anonymised with
salt ``fixture``, one site deep-dived) is replayed to a real exporter process.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from exporter.capture.anonymize import Anonymizer
from exporter.capture.command import capture
from exporter.capture.manifest import read_manifest
from exporter.config import DEMO_TOKEN, load_config
from exporter.mist.endpoints import ALL
from exporter.simulator import SimConfig, serve
from tests.support.processes import exporter_env, exporter_process, simulator_process
from tests.support.wait import until_sync

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "capture"


def _texts(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())}


def _bodies(directory: Path, name: str) -> list[Any]:
    manifest = read_manifest(directory)
    return [
        json.loads((directory / e.file).read_text(encoding="utf-8"))
        for e in manifest.entries
        if e.name == name and e.file is not None
    ]


async def test_capture_records_every_endpoint_with_pages_and_no_token(tmp_path: Path) -> None:
    async with serve(SimConfig(sites=8, seed=5)) as sim:
        env = {"MIST_HOST": sim.base_url, "MIST_APITOKEN": DEMO_TOKEN}
        summary = await capture(load_config(None, env), tmp_path, anonymize=False, sites=2)
    manifest = read_manifest(tmp_path)
    assert {e.endpoint for e in manifest.entries} == {e.template for e in ALL}
    assert manifest.org_id == sim.simulator.org_id
    assert summary.files + summary.refused == len(manifest.entries)
    assert summary.calls >= len(manifest.entries)
    files = {e.file for e in manifest.entries if e.file is not None}
    assert files | {"manifest.json"} == set(_texts(tmp_path))
    for entry in manifest.entries:
        if entry.name in ("sites", "sitegroups", "device_stats"):
            assert set(entry.headers) == {"X-Page-Total", "X-Page-Limit", "X-Page-Page"}
            assert entry.query["page"] == "1"
    for name, text in _texts(tmp_path).items():
        json.loads(text)
        assert DEMO_TOKEN not in text, name


async def test_anonymized_capture_hides_names_macs_and_ids(tmp_path: Path) -> None:
    out = tmp_path / "capture"
    async with serve(SimConfig(sites=6, seed=5)) as sim:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "exporter", "capture", "--out", str(out), "--anonymize", "--sites", "1"),
            env={**os.environ, "MIST_HOST": sim.base_url, "MIST_APITOKEN": DEMO_TOKEN},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode()
    assert stdout.decode().startswith("capture: ")
    assert "calls made" in stdout.decode()
    assert DEMO_TOKEN not in stdout.decode() + stderr.decode()
    fleet = sim.simulator.fleet
    secrets = {DEMO_TOKEN, fleet.org_id, fleet.org_name}
    secrets |= {s.site_id for s in fleet.sites} | {s.name for s in fleet.sites}
    secrets |= {g.mac for g in fleet.gateways} | {g.name for g in fleet.gateways}
    secrets |= {g.device_id for g in fleet.gateways} | {g.serial for g in fleet.gateways}
    texts = _texts(out)
    assert len(texts) > len(ALL)
    for name, text in texts.items():
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{name}: {leaked[:5]}"
    manifest = read_manifest(out)
    assert manifest.anonymized
    sites = _bodies(out, "sites")[0]
    assert len(sites) == 6
    assert all(site["org_id"] == manifest.org_id for site in sites)


def test_anonymizer_is_consistent_and_keeps_shapes_numbers_and_enums() -> None:
    body: dict[str, Any] = {
        "id": "6f4bf402-45f9-4a5f-a5e2-4c8f1a2b3c4d",
        "mac": "5c5b35000001",
        "name": "Store 12 Madrid",
        "status": "connected",
        "uptime": 42,
        "ip": "192.0.2.10/30",
        "bssid": "5c:5b:35:00:00:01",
        "reason": "gateway Store 12 Madrid lost 2001:db8::1",
        "rows": [{"name": "interface-congestion", "samples": {"value": [1.5]}}],
    }
    first, second = Anonymizer("salt"), Anonymizer("salt")
    first.learn(body)
    second.learn(body)
    out = first.value(body)
    assert out == second.value(body)
    assert out["id"] != body["id"]
    assert len(out["id"]) == 36
    assert out["id"].count("-") == 4
    assert len(out["mac"]) == 12
    assert out["mac"] != body["mac"]
    assert out["bssid"].replace(":", "") == out["mac"]
    assert out["name"].startswith("name-")
    assert out["name"] in out["reason"]
    assert "2001:db8::1" not in out["reason"]
    assert "192.0.2.10" not in out["ip"]
    assert out["ip"].endswith("/30")
    assert (out["status"], out["uptime"]) == ("connected", 42)
    assert out["rows"] == body["rows"]
    assert Anonymizer("other").text(body["mac"]) != first.text(body["mac"])


def _scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


Series = tuple[str, tuple[tuple[str, str], ...]]


def _published(body: str) -> tuple[Counter[Series], dict[str, Any]]:
    series: Counter[Series] = Counter()
    families = {f.name: f for f in text_string_to_metric_families(body)}
    for family in families.values():
        for sample in family.samples:
            series[(sample.name, tuple(sorted(sample.labels.items())))] += 1
    return series, families


@pytest.mark.slow
def test_replayed_capture_publishes_its_sites_gateways_and_wan_ports(tmp_path: Path) -> None:
    sites = {row["id"] for body in _bodies(FIXTURE, "sites") for row in body}
    devices = [row for body in _bodies(FIXTURE, "device_stats") for row in body]
    gateways = {row["mac"] for row in devices}
    wan = {
        (row["mac"], stat["port_id"])
        for row in devices
        for stat in row.get("if_stat", {}).values()
        if stat.get("port_usage") == "wan"
    }
    ports = {
        (row["mac"], row["port_id"])
        for body in _bodies(FIXTURE, "port_search")
        for row in body["results"]
        if row.get("port_usage") == "wan" or (row["mac"], row["port_id"]) in wan
    }
    assert len(sites) == 20
    assert gateways
    assert ports
    with (
        simulator_process(tmp_path, extra=["--replay", str(FIXTURE)]) as sim,
        exporter_process(tmp_path, exporter_env(sim.url)) as exporter,
    ):

        def labels(body: str, name: str, *keys: str) -> set[tuple[str, ...]]:
            _, families = _published(body)
            family = families.get(name)
            samples = family.samples if family is not None else []
            return {tuple(s.labels[k] for k in keys) for s in samples if s.name == name}

        body = until_sync(
            lambda: _scrape(f"{exporter.url}/metrics"),
            lambda text: labels(text, "mist_wan_port_info", "gateway_mac", "port_id") == ports,
            within=60,
            what="the capture's WAN ports are published",
        )
    assert labels(body, "mist_site_info", "site_id") == {(s,) for s in sites}
    assert labels(body, "mist_gateway_info", "gateway_mac") == {(g,) for g in gateways}
    series, _ = _published(body)
    duplicates = [key for key, count in series.items() if count > 1]
    assert duplicates == []
    assert DEMO_TOKEN not in body
