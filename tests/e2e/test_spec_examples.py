"""The spec's own example payloads, served with Mist's paging to a running exporter process:
the scrape has no duplicate series (the VPN peer example repeats a path) and publishes them.

The examples become a capture (tests/capture's format) that ``simulate --replay`` serves; what
the spec has no example for answers 404, which fails only the jobs that call it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from exporter.capture.manifest import Entry, Manifest
from exporter.config import DEMO_TOKEN
from tests.capture.test_capture import _published, _scrape
from tests.parse.spec import named_example, response_example
from tests.support.processes import exporter_env, exporter_process, simulator_process
from tests.support.wait import until_sync

ORG = "6748cfa6-4e12-11e6-9188-0242ac110007"


def _wan_port_example() -> dict[str, Any]:
    """The port search example (a switch port) as a gateway's WAN port."""
    body: dict[str, Any] = named_example("SwitchPortsSearchExample")
    for row in body["results"]:
        row.update(port_usage="wan", device_type="gateway")
    return body


def _examples() -> list[tuple[str, str, dict[str, str], Any, dict[str, str]]]:
    """(name, endpoint template, query, body, X-Page headers) of each example served."""
    org = f"/api/v1/orgs/{ORG}"
    sites = response_example("/api/v1/orgs/{org_id}/sites")
    gateways = response_example("/api/v1/orgs/{org_id}/stats/devices", "Gateway Stats")

    def pages(rows: list[Any]) -> dict[str, str]:
        return {"X-Page-Total": str(len(rows)), "X-Page-Limit": "1000", "X-Page-Page": "1"}

    return [
        ("org", f"{org}", {}, response_example("/api/v1/orgs/{org_id}"), {}),
        ("sites", f"{org}/sites", {"page": "1"}, sites, pages(sites)),
        ("sitegroups", f"{org}/sitegroups", {"page": "1"}, [], pages([])),
        (
            "device_stats",
            f"{org}/stats/devices",
            {"type": "gateway", "page": "1"},
            gateways,
            pages(gateways),
        ),
        (
            "port_search",
            f"{org}/stats/ports/search",
            {"device_type": "gateway"},
            _wan_port_example(),
            {},
        ),
        (
            "peer_search",
            f"{org}/stats/vpn_peers/search",
            {},
            response_example("/api/v1/orgs/{org_id}/stats/vpn_peers/search"),
            {},
        ),
        (
            "sites_sle",
            f"{org}/insights/sites-sle",
            {"sle": "wan", "page": "1"},
            response_example("/api/v1/orgs/{org_id}/insights/sites-sle", "WAN SLE"),
            {},
        ),
        (
            "bgp_search",
            f"{org}/stats/bgp_peers/search",
            {},
            response_example("/api/v1/orgs/{org_id}/stats/bgp_peers/search"),
            {},
        ),
        (
            "tunnel_search",
            f"{org}/stats/tunnels/search",
            {"type": "wan"},
            response_example("/api/v1/orgs/{org_id}/stats/tunnels/search", "Type Wan"),
            {},
        ),
    ]


def write_spec_capture(directory: Path) -> None:
    entries = []
    for n, (name, path, query, body, headers) in enumerate(_examples(), start=1):
        file = f"{n:04d}-{name}.json"
        (directory / file).write_text(json.dumps(body), encoding="utf-8")
        template = path.replace(ORG, "{org_id}")
        entries.append(Entry(template, name, path, query, 200, file, headers))
    Manifest(ORG, 1_700_000_000.0, False, tuple(entries)).write(directory)


@pytest.mark.slow
def test_the_spec_examples_through_a_running_exporter_give_no_duplicate_series(
    tmp_path: Path,
) -> None:
    capture = tmp_path / "spec"
    capture.mkdir()
    write_spec_capture(capture)
    env = {**exporter_env("http://127.0.0.1:1"), "MIST_ORG_ID": ORG, "MIST_APITOKEN": DEMO_TOKEN}
    with simulator_process(tmp_path, extra=["--replay", str(capture)]) as sim:
        env["MIST_HOST"] = sim.url
        with exporter_process(tmp_path, env, ready=False) as exporter:
            body = until_sync(
                lambda: _scrape(f"{exporter.url}/metrics"),
                lambda text: "mist_vpn_peer_path_up{" in text and "mist_wan_port_up{" in text,
                within=90,
                what="the spec's peer path and WAN port published",
                every=0.5,
            )
    series, families = _published(body)
    repeated = {s: n for s, n in series.items() if n > 1}
    assert repeated == {}
    # The example's two rows of one path: one series, from the row with quality fields.
    (path,) = families["mist_vpn_peer_path_up"].samples
    (latency,) = families["mist_vpn_peer_path_latency_seconds"].samples
    assert latency.labels == path.labels
    assert latency.value == pytest.approx(0.091)
    skipped = Counter(s.labels["reason"] for s in families["mist_parse_skipped_rows"].samples)
    assert skipped["duplicate row"] >= 1
