"""BGP peers and secure-edge tunnels: spec examples, optional fields, duplicates, bad rows."""

from __future__ import annotations

from typing import Any

import pytest

from exporter.mist.parse.routing import (
    BGP_SEARCH,
    TUNNEL_SEARCH,
    parse_bgp_peers,
    parse_wan_tunnels,
)
from exporter.model import BgpPeer, WanTunnel
from tests.parse.spec import response_example
from tests.parse.support import deduplicated, with_skips

BGP_PATH = "/api/v1/orgs/{org_id}/stats/bgp_peers/search"
TUNNELS_PATH = "/api/v1/orgs/{org_id}/stats/tunnels/search"


def test_bgp_peer_from_spec_example() -> None:
    rows = response_example(BGP_PATH)["results"]
    assert parse_bgp_peers(rows) == (
        BgpPeer(
            site_id="725a8d34-a126-4f2c-b990-d1219421cb75",
            gateway_mac="020001c04668",
            neighbor="15.8.3.5",
            vrf="default",
            up=True,
            state="established",
            uptime_seconds=31355.0,
            received_routes=60.0,
            advertised_routes=60.0,
            flaps=3.0,
            neighbor_as="65000",
            node="node0",
            timestamp=1666251056.07,
        ),
    )


def test_bgp_peer_with_only_its_identity_defaults_the_rest() -> None:
    (peer,) = parse_bgp_peers([{"mac": "02:00:01:C0:46:68", "neighbor": "10.0.0.1"}])
    assert peer == BgpPeer(
        site_id="",
        gateway_mac="020001c04668",
        neighbor="10.0.0.1",
        vrf="default",
        up=False,
        state="",
        uptime_seconds=None,
        received_routes=None,
        advertised_routes=None,
        flaps=None,
    )


def test_bgp_up_follows_the_state_when_mist_leaves_the_flag_out() -> None:
    rows = [
        {"mac": "aa", "neighbor": "10.0.0.1", "state": "Established"},
        {"mac": "aa", "neighbor": "10.0.0.2", "state": "active", "neighbor_as": "{{hub_as}}"},
    ]
    first, second = parse_bgp_peers(rows)
    assert (first.up, first.state) == (True, "established")
    assert (second.up, second.neighbor_as) == (False, "{{hub_as}}")


def test_bgp_duplicates_keep_the_newest_sample(caplog: pytest.LogCaptureFixture) -> None:
    row = {"mac": "aa", "neighbor": "10.0.0.1", "vrf_name": "vpn", "timestamp": 200, "up": True}
    rows = [row, {**row, "timestamp": 100, "up": False}, {**row, "vrf_name": "default"}]
    peers = deduplicated(caplog, lambda s: parse_bgp_peers(rows, s), BGP_SEARCH)
    assert [(p.vrf, p.up, p.timestamp) for p in peers] == [
        ("vpn", True, 200),
        ("default", True, 200),
    ]


def test_bgp_rows_without_identity_or_with_bad_numbers_are_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows: list[Any] = [
        {"neighbor": "10.0.0.1"},
        {"mac": "aa"},
        {"mac": "aa", "neighbor": "10.0.0.3", "rx_routes": "many"},
        "not a row",
        {"mac": "aa", "neighbor": "10.0.0.4"},
    ]
    peers, skipped = with_skips(caplog, lambda s: parse_bgp_peers(rows, s))
    assert [p.neighbor for p in peers] == ["10.0.0.4"]
    assert sum(skipped.values()) == 4
    assert {endpoint for endpoint, _ in skipped} == {BGP_SEARCH}


def test_wan_tunnel_from_spec_example() -> None:
    rows = response_example(TUNNELS_PATH, "Type Wan")["results"]
    assert parse_wan_tunnels(rows) == (
        WanTunnel(
            site_id="e83e7928-eda1-4e93-82db-df3dd42ab726",
            gateway_mac="020001ae9dd5",
            tunnel_name="Device-ipsec-1",
            peer_host="sunnyvale1-vpn.zscalerbeta.net",
            node="node0",
            up=True,
            peer_ip="10.224.8.16",
            protocol="ipsec",
            priority="",
            wan_name="wan",
            uptime_seconds=10.0,
            receive_bytes=150.0,
            transmit_bytes=100.0,
            receive_packets=75.0,
            transmit_packets=50.0,
        ),
    )


def test_mist_edge_tunnel_rows_are_not_wan_tunnels() -> None:
    assert parse_wan_tunnels(response_example(TUNNELS_PATH, "Type Wxtunnel")["results"]) == ()


def test_tunnel_without_a_name_is_named_by_its_peer_and_without_either_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = [
        {"mac": "aa", "peer_host": "fra4-vpn.zscaler.net", "up": True},
        {"mac": "aa", "peer_ip": "10.0.0.1"},
        {"tunnel_name": "t", "peer_ip": "10.0.0.1"},
    ]
    tunnels, skipped = with_skips(caplog, lambda s: parse_wan_tunnels(rows, s))
    assert [(t.tunnel_name, t.uptime_seconds, t.receive_bytes) for t in tunnels] == [
        ("fra4-vpn.zscaler.net", None, None)
    ]
    assert skipped == {(TUNNEL_SEARCH, "missing tunnel_name"): 1, (TUNNEL_SEARCH, "missing mac"): 1}


def test_tunnel_duplicates_keep_the_later_row_and_nodes_are_distinct(
    caplog: pytest.LogCaptureFixture,
) -> None:
    row = {"mac": "aa", "tunnel_name": "zs", "peer_host": "h", "node": "node0", "up": False}
    rows = [row, {**row, "up": True}, {**row, "node": "node1"}]
    tunnels = deduplicated(caplog, lambda s: parse_wan_tunnels(rows, s), TUNNEL_SEARCH)
    assert [(t.node, t.up) for t in tunnels] == [("node0", True), ("node1", False)]
