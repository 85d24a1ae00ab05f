"""Who an SLE degradation hurt: impact-summary (every field), applications, clients, peer paths."""

from __future__ import annotations

from typing import Any

import pytest

from exporter.mist import parse
from exporter.mist.errors import MistPayloadError
from exporter.mist.parse.impact import IMPACT_SUMMARY, IMPACTED_PEER_PATHS
from exporter.model import (
    ImpactedApplication,
    ImpactedGateway,
    ImpactedInterface,
    ImpactedPeerPath,
    ImpactEntity,
)
from tests.parse.spec import named_example

WAN_SUMMARY: dict[str, Any] = {
    "start": 1,
    "end": 2,
    "metric": "wan-link-health",
    "classifier": "",
    "failure": "",
    "ap": [],
    "gateway": [{"gateway_mac": "02:00:01:93:63:F3", "name": "gw1", "degraded": 10, "total": 99}],
    "interface": [
        {"interface_name": "ge-0/0/0.0", "gateway_mac": "0200019363f3", "degraded": 4},
        {"interface_name": "ge-0/0/1", "gateway_name": "gw1", "degraded": 2},
    ],
    "peer_path": [
        {"gateway_mac": "0200019363f3", "name": "ge-0/0/0 hub-dc1 ge-0/0/1", "degraded": 1.5}
    ],
    "application": [{"application": "ZOOM", "name": "ZOOM", "degraded": 3}],
    "client": [
        {"mac": "5C:5B:35:50:BD:2E", "name": "laptop", "degraded": 2},
        {"name": "unknown", "degraded": 1},
    ],
    "vlan": [{"vlan": 100, "degraded": 0.5}],
}


def test_impact_summary_reads_every_field_and_stands_in_for_gateways_and_interfaces() -> None:
    skips = parse.Skips()
    summary = parse.parse_impact_summary(WAN_SUMMARY, {"gw1": "0200019363f3"}, skips)
    assert summary.gateways == (ImpactedGateway("0200019363f3", 600.0),)
    assert summary.interfaces == (
        ImpactedInterface("0200019363f3", "ge-0/0/0", 240.0),
        ImpactedInterface("0200019363f3", "ge-0/0/1", 120.0),
    )
    assert set(summary.entities) == {
        ImpactEntity("gateway", "0200019363f3", 600.0),
        ImpactEntity("interface", "0200019363f3 ge-0/0/0", 240.0),
        ImpactEntity("interface", "0200019363f3 ge-0/0/1", 120.0),
        ImpactEntity("peer_path", "0200019363f3 ge-0/0/0 hub-dc1 ge-0/0/1", 90.0),
        ImpactEntity("application", "ZOOM", 180.0),
        ImpactEntity("client", "5c5b3550bd2e", 120.0),
        ImpactEntity("client", "unknown", 60.0),
        ImpactEntity("vlan", "100", 30.0),
    }
    assert skips.counts() == {}


def test_impact_summary_of_the_spec_example_wifi_fields_by_id_or_name() -> None:
    summary = parse.parse_impact_summary(named_example("SleImpactSummaryExample"))
    by_field: dict[str, set[str]] = {}
    for e in summary.entities:
        by_field.setdefault(e.field, set()).add(e.entity)
    assert set(by_field) == {"ap", "band", "device_os", "device_type", "wlan"}
    assert "5c5b3550bd2e" in by_field["ap"]
    assert "unknown" in by_field["device_os"], "an empty device_os falls back to its name"
    assert "649a2336-b1e0-47bd-961c-f637dbe50e7b" in by_field["wlan"]
    assert summary.gateways == ()
    assert summary.interfaces == ()


def test_impact_summary_leaves_out_unreadable_rows_and_counts_them() -> None:
    skips = parse.Skips()
    body = {
        "client": [{"degraded": 3}, {"mac": "aa", "degraded": -1}, {"mac": "bb", "degraded": 1}]
    }
    summary = parse.parse_impact_summary(body, skips=skips)
    assert summary.entities == (ImpactEntity("client", "bb", 60.0),)
    assert skips.counts() == {
        (IMPACT_SUMMARY, "missing name"): 1,
        (IMPACT_SUMMARY, "invalid degraded"): 1,
    }


def test_impact_summary_envelope_must_be_an_object() -> None:
    with pytest.raises(MistPayloadError):
        parse.parse_impact_summary([])


def test_impacted_applications_spec_example() -> None:
    apps = parse.parse_impacted_applications(named_example("SleImpactedApplicationsExample"))
    assert apps == (ImpactedApplication("ZOOM", 371103 * 60.0),)
    assert parse.parse_impacted_applications({"apps": None}) == ()


def test_impacted_clients_is_a_count_never_a_name() -> None:
    assert parse.parse_impacted_clients(named_example("SleImpactedClientsExample")) == 1.0
    assert parse.parse_impacted_clients({"clients": [{}] * 1000, "total_count": 2500}) == 2500.0
    assert parse.parse_impacted_clients({"clients": [{}, {}]}) == 2.0
    assert parse.parse_impacted_clients({"metric": "x"}) is None


def test_impacted_peer_paths_leniently() -> None:
    skips = parse.Skips()
    body = {
        "peer_paths": [
            {
                "gateway_mac": "02:00:01:93:63:F3",
                "port_id": "ge-0/0/0.0",
                "peer_mac": "4c96fffa9f8d",
                "peer_port_id": "ge-0/0/1",
                "degraded": 2,
            },
            {"mac": "0200019363f3", "interface_name": "ge-0/0/1", "peer_mac": "aa", "degraded": 1},
        ]
    }
    paths = parse.parse_impacted_peer_paths(body, skips)
    assert paths == (
        ImpactedPeerPath("0200019363f3", "ge-0/0/0", "4c96fffa9f8d", "ge-0/0/1", 120.0),
    )
    assert skips.counts() == {(IMPACTED_PEER_PATHS, "missing peer_port_id"): 1}


@pytest.mark.parametrize("body", [[], "html", None, {"paths": "x"}, {"other": [1]}])
def test_impacted_peer_paths_of_an_unknown_shape_are_empty_not_an_error(body: Any) -> None:
    assert parse.parse_impacted_peer_paths(body, parse.Skips()) == ()
