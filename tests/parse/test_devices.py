"""Gateways, WAN ports and peer paths: spec examples, live spellings, units, WAN selection."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from exporter.mist.errors import MistPayloadError
from exporter.mist.parse import Skips, parse_gateways, parse_peer_paths, parse_wan_ports
from exporter.model import Gateway, GatewayNode, PeerPath, WanInterface, WanPort
from tests.parse.spec import named_example, response_example, response_examples
from tests.parse.support import approx, deduplicated, logged, with_skips

DEVICES_PATH = "/api/v1/orgs/{org_id}/stats/devices"
PEERS_PATH = "/api/v1/orgs/{org_id}/stats/vpn_peers/search"
PORTS_PATH = "/api/v1/orgs/{org_id}/stats/ports/search"


def _gateway_row(**extra: Any) -> dict[str, Any]:
    """A live-style SSR gateway with two WAN interfaces (one LTE) and a LAN one."""
    return {
        "mac": "02:00:01:AB:CD:EF",
        "site_id": "site-1",
        "type": "gateway",
        "name": "store-1-gw",
        "model": "SSR120",
        "version": "6.2.5",
        "status": "connected",
        "uptime": 3600,
        "cpu_stat": {"idle": 90},
        "memory_stat": {"usage": 45.5},
        "if_stat": {
            "ge-0/0/0.0": {
                "port_id": "ge-0/0/0",
                "port_usage": "wan",
                "wan_name": "inet-1",
                "wan_type": "broadband",
            },
            "ge-0/0/0.100": {"port_id": "ge-0/0/0", "port_usage": "wan", "wan_name": "dup"},
            "lte-0/0/0.0": {"port_usage": "wan", "wan_name": "lte", "wan_type": "lte"},
            "ge-0/0/3.0": {"port_id": "ge-0/0/3", "port_usage": "lan"},
        },
        **extra,
    }


def test_gateway_from_spec_example() -> None:
    rows = response_example(DEVICES_PATH, "Gateway Stats")
    assert parse_gateways(rows) == (
        Gateway(
            site_id="83c31971-ad70-4419-ae20-7f2b90748986",
            mac="4db14e107134",
            name="wan_srx_tor_hub1-srx",
            model="SRX300",
            version="21.2R3-S6.11",
            up=True,
            uptime_seconds=581259.0,
            # The spec's example is an SRX cluster: cpu2_stat/memory2_stat are its second node.
            nodes=(
                GatewayNode("node0", approx(0.24), approx(0.39), ()),
                GatewayNode("node1", approx(0.14), approx(0.32), ()),
            ),
        ),
    )


def test_rows_of_other_device_types_are_skipped() -> None:
    examples = response_examples(DEVICES_PATH)
    assert parse_gateways(examples["Access Point Stats"] + examples["Switch Stats"]) == ()


def test_live_gateway_wan_interfaces_units_and_mac() -> None:
    (gw,) = parse_gateways([_gateway_row()])
    assert gw.mac == "020001abcdef"
    (node,) = gw.nodes
    assert node.cpu_ratio == pytest.approx(0.10)
    assert node.memory_ratio == pytest.approx(0.455)
    assert gw.uptime_seconds == 3600.0
    assert node.wan_interfaces == (
        WanInterface(port_id="ge-0/0/0", wan_name="inet-1", wan_type="broadband"),
        WanInterface(port_id="lte-0/0/0", wan_name="lte", wan_type="lte"),
    )


def test_if_stat_gives_each_wan_port_status_and_counters_summed_over_its_units() -> None:
    row = _gateway_row()
    units = row["if_stat"]
    units["ge-0/0/0.0"].update(up=False, rx_bytes=1000, tx_bytes=400, rx_pkts=9)
    units["ge-0/0/0.100"].update(up=True, rx_bytes=24, tx_bytes=None)
    units["lte-0/0/0.0"].update(up=True, rx_bytes="5")
    (gw,) = parse_gateways([row], as_of=1234.5)
    wan, lte = gw.nodes[0].wan_interfaces
    assert wan == WanInterface("ge-0/0/0", "inet-1", "broadband", True, 1024.0, 400.0, 1234.5)
    assert lte == WanInterface("lte-0/0/0", "lte", "lte", True, 5.0, None, 1234.5)
    # Names only (no status reported): nothing to say about the port's state.
    (gw,) = parse_gateways([_gateway_row()])
    assert {w.up for w in gw.nodes[0].wan_interfaces} == {None}


def test_gateway_optional_fields() -> None:
    row = {"mac": "aabbccddeeff", "type": "gateway", "hostname": "gw", "status": "disconnected"}
    (gw,) = parse_gateways([row])
    assert gw == Gateway(
        site_id="",
        mac="aabbccddeeff",
        name="gw",
        model="",
        version="",
        up=False,
        uptime_seconds=None,
        nodes=(GatewayNode("", None, None),),
    )
    (gw,) = parse_gateways([_gateway_row(cpu_stat={"usage": 35, "idle": 10}, memory_stat=None)])
    assert gw.nodes[0].cpu_ratio == pytest.approx(0.35)
    assert gw.nodes[0].memory_ratio is None


def test_ha_pair_publishes_both_nodes_named_from_their_own_stats() -> None:
    second = {"ge-5/0/0.0": {"port_id": "ge-5/0/0", "port_usage": "wan", "wan_name": "mpls"}}
    row = _gateway_row(cpu2_stat={"idle": 80}, memory2_stat={"usage": 20}, if2_stat=second)
    (gw,) = parse_gateways([row])
    assert [n.node for n in gw.nodes] == ["node0", "node1"]
    assert gw.nodes[1].cpu_ratio == pytest.approx(0.2)
    assert gw.nodes[1].memory_ratio == pytest.approx(0.2)
    assert [w.port_id for w in gw.nodes[1].wan_interfaces] == ["ge-5/0/0"]
    (port,) = parse_wan_ports([_port_row(mac=gw.mac, port_id="ge-5/0/0")], [gw])
    assert (port.node, port.wan_name) == ("node1", "mpls")


def _port_row(**extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = named_example("SwitchPortsSearchExample")["results"][0]
    row.update(extra)
    return row


def test_wan_port_from_spec_example_row() -> None:
    body = named_example("SwitchPortsSearchExample")
    assert parse_wan_ports(body["results"], []) == ()  # the example is a LAN port
    (port,) = parse_wan_ports([_port_row(port_usage="wan")], [])
    assert port == WanPort(
        site_id="c1698122-c14c-11e5-8e81-1258369c38a9",
        gateway_mac="5c4527a96580",
        port_id="ge-0/0/0",
        wan_name="",
        wan_type="",
        up=True,
        speed_bytes_per_second=125e6,
        receive_bytes=4563443626.0,
        transmit_bytes=11299516780.0,
        receive_rate_bytes_per_second=0.0,
        transmit_rate_bytes_per_second=0.0,
        latency_seconds=0.0,
        jitter_seconds=0.0,
        loss_ratio=0.0,
        last_flap_timestamp=None,
    )


def test_wan_port_units() -> None:
    row = _port_row(
        port_usage="wan",
        speed=100,
        rx_bps=8000,
        tx_bps=1_000_000,
        latency=20,
        jitter=5,
        loss=1.5,
        last_flapped=1_700_000_000.5,
        up=False,
    )
    (port,) = parse_wan_ports([row], [])
    assert port.speed_bytes_per_second == 12.5e6
    assert port.receive_rate_bytes_per_second == 1000.0
    assert port.transmit_rate_bytes_per_second == 125_000.0
    assert port.latency_seconds == pytest.approx(0.020)
    assert port.jitter_seconds == pytest.approx(0.005)
    assert port.loss_ratio == pytest.approx(0.015)
    assert port.last_flap_timestamp == 1_700_000_000.5
    assert port.up is False


def test_wan_ports_join_names_from_gateway_if_stat() -> None:
    gateways = parse_gateways([_gateway_row()])
    rows = [
        {"mac": "020001ABCDEF", "port_id": "ge-0/0/0", "site_id": "site-1", "port_usage": "wan"},
        # LTE port: Mist's spec marks it wan_type lte under a WAN usage; here the row has no
        # usage at all, and the gateway's if_stat says it is WAN.
        {"mac": "020001abcdef", "port_id": "lte-0/0/0", "site_id": "site-1", "up": True},
        {"mac": "020001abcdef", "port_id": "ge-0/0/3", "site_id": "site-1", "port_usage": "lan"},
        {"mac": "0200010000ff", "port_id": "ge-0/0/1", "site_id": "site-2", "port_usage": "lte"},
        {
            "mac": "0200010000ff",
            "port_id": "ge-0/0/2",
            "site_id": "site-2",
            "port_usage": "wan",
            "wan_name": "mpls",
            "wan_type": "broadband",
        },
    ]
    ports = parse_wan_ports(rows, gateways)
    assert [(p.gateway_mac, p.port_id, p.wan_name, p.wan_type) for p in ports] == [
        ("020001abcdef", "ge-0/0/0", "inet-1", "broadband"),
        ("020001abcdef", "lte-0/0/0", "lte", "lte"),
        ("0200010000ff", "ge-0/0/1", "", ""),
        ("0200010000ff", "ge-0/0/2", "mpls", "broadband"),
    ]
    assert ports[1].speed_bytes_per_second is None
    assert ports[1].receive_bytes is None


def test_spec_peer_example_repeats_a_path_and_the_row_with_quality_wins(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = named_example("VpnPeersStatsExample")
    assert body == response_example(PEERS_PATH)
    bare, full = body["results"]
    assert "latency" not in bare
    assert full["latency"] == 91
    for rows in ([bare, full], [full, bare]):
        kept = deduplicated(caplog, partial(parse_peer_paths, rows), PEERS_PATH)
        if rows[0] is full:  # same last_seen: the later row wins the tie
            assert kept[0].latency_seconds is None
            continue
        assert kept == (
            PeerPath(
                site_id="725a8d34-a126-4f2c-b990-d1219421cb75",
                gateway_mac="020001c04668",
                port_id="Lte",
                peer_mac="020001367edd",
                peer_port_id="DC_Internet",
                up=True,
                active=True,
                latency_seconds=approx(0.091),
                jitter_seconds=None,
                loss_ratio=None,
                mos=4.0,
                last_seen=1619518709.222,
            ),
        )


def _peer_row(**extra: Any) -> dict[str, Any]:
    row = {
        "mac": "020001c04668",
        "port_id": "wan0",
        "peer_mac": "020001367edd",
        "peer_port_id": "hub-wan0",
        "site_id": "s",
        "up": True,
        "is_active": True,
        "last_seen": 1_700_000_000.0,
    }
    row.update(extra)
    return row


def test_peer_paths_repeated_across_pages_keep_the_newest_last_seen(
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = _peer_row(up=True, latency=10, last_seen=1_700_000_000.0)
    new = _peer_row(up=False, latency=None, last_seen=1_700_000_060.0)
    other = _peer_row(port_id="wan1")
    for rows in ([old, other, new], [new, other, old]):
        kept = deduplicated(caplog, partial(parse_peer_paths, rows), PEERS_PATH)
        assert [(p.port_id, p.up, p.last_seen) for p in kept] == [
            ("wan0", False, 1_700_000_060.0),
            ("wan1", True, 1_700_000_000.0),
        ]


def test_a_peer_row_without_peer_port_id_is_left_out_and_the_others_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = [_peer_row(port_id="a"), _peer_row(port_id="b"), _peer_row(peer_port_id=None)]
    del rows[2]["peer_port_id"]
    kept, skipped = with_skips(caplog, lambda skips: parse_peer_paths(rows, skips))
    assert [p.port_id for p in kept] == ["a", "b"]
    assert skipped == {(PEERS_PATH, "missing peer_port_id"): 1}
    assert logged(caplog, r"vpn_peers/search: rows\[2\]\.peer_port_id: expected a string, got null")


def test_peer_path_units() -> None:
    row = {
        "mac": "AA-BB-CC-DD-EE-FF",
        "port_id": "wan0",
        "peer_mac": "112233445566",
        "peer_port_id": "hub-wan0",
        "site_id": "s",
        "up": False,
        "is_active": False,
        "latency": 150,
        "jitter": 30,
        "loss": 0.5,
        "mos": 3.9,
    }
    (path,) = parse_peer_paths([row])
    assert (path.gateway_mac, path.up, path.active) == ("aabbccddeeff", False, False)
    assert path.latency_seconds == pytest.approx(0.150)
    assert path.jitter_seconds == pytest.approx(0.030)
    assert path.loss_ratio == pytest.approx(0.005)
    assert path.mos == pytest.approx(3.9)


def _wan_ports(rows: Any, skips: Skips) -> Any:
    return parse_wan_ports(rows, [], skips)


def _good_row(parse: Any) -> dict[str, Any]:
    """A row ``parse`` keeps, with an identity none of the bad rows below has."""
    if parse is parse_gateways:
        return _gateway_row(mac="0200010000aa")
    if parse is parse_peer_paths:
        return _peer_row(mac="0200010000aa")
    return _port_row(port_usage="wan", mac="0200010000aa")


@pytest.mark.parametrize(
    ("parse", "row", "reason", "message"),
    [
        (
            parse_gateways,
            {"type": "gateway"},
            "missing mac",
            r"stats/devices: rows\[0\]\.mac: expected a string, got null",
        ),
        (
            parse_gateways,
            _gateway_row(uptime="1h"),
            "invalid uptime",
            r"stats/devices: rows\[0\]\.uptime: expected a number or a numeric string",
        ),
        (
            parse_gateways,
            _gateway_row(cpu_stat=[]),
            "invalid cpu_stat",
            r"rows\[0\]\.cpu_stat: expected an object, got list",
        ),
        (
            parse_gateways,
            _gateway_row(memory_stat={"usage": float("nan")}),
            "invalid usage",
            r"rows\[0\]\.memory_stat\.usage: expected a finite number",
        ),
        (
            parse_gateways,
            _gateway_row(if2_stat={"ge-5/0/0.0": "wan"}),
            "invalid if2_stat",
            r"rows\[0\]\.if2_stat\[ge-5/0/0\.0\]: expected an object, got str",
        ),
        (
            _wan_ports,
            _port_row(port_usage="wan", speed="1G"),
            "invalid speed",
            r"ports/search: rows\[0\]\.speed: expected a number or a numeric string",
        ),
        (
            _wan_ports,
            _port_row(port_usage="wan", speed=1e308),  # finite in Mbps, not in bytes/s
            "invalid speed",
            r"ports/search: rows\[0\]\.speed: expected a finite number, got inf",
        ),
        (
            _wan_ports,
            _port_row(port_usage="wan", up="yes"),
            "invalid up",
            r"ports/search: rows\[0\]\.up: expected a boolean, got str",
        ),
        (
            _wan_ports,
            _port_row(port_usage="wan", port_id=None),
            "missing port_id",
            r"ports/search: rows\[0\]\.port_id: expected a string, got null",
        ),
        (
            parse_peer_paths,
            _peer_row(loss=True),
            "invalid loss",
            r"vpn_peers/search: rows\[0\]\.loss: expected a number, got bool",
        ),
        (
            parse_peer_paths,
            _peer_row(mac=None),
            "missing mac",
            r"vpn_peers/search: rows\[0\]\.mac: expected a string, got null",
        ),
    ],
)
def test_a_bad_device_row_is_left_out_counted_and_logged(
    parse: Any, row: Any, reason: str, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    good = _good_row(parse)
    kept, skipped = with_skips(caplog, lambda skips: parse([row, good], skips))
    assert kept == parse([good], Skips())
    assert len(kept) == 1
    ((endpoint, counted),) = skipped
    assert endpoint.startswith("/api/v1/orgs/{org_id}/stats/")
    assert skipped[(endpoint, counted)] == 1
    assert counted == reason
    assert logged(caplog, message)


@pytest.mark.parametrize("parse", [parse_gateways, _wan_ports, parse_peer_paths])
@pytest.mark.parametrize("envelope", [{"results": []}, None, "rows"])
def test_a_device_envelope_of_the_wrong_shape_fails_the_payload(parse: Any, envelope: Any) -> None:
    with pytest.raises(MistPayloadError, match=r"/stats/.*: rows: expected an array, got"):
        parse(envelope, Skips())


def test_port_rows_repeated_across_pages_keep_the_newest_timestamp(
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = _port_row(port_usage="wan", up=True, rx_bytes=100, timestamp=1_700_000_000)
    new = _port_row(port_usage="wan", up=False, rx_bytes=900, timestamp=1_700_000_300)
    other = _port_row(port_usage="wan", port_id="ge-0/0/1", timestamp=1_700_000_100)
    for rows in ([old, other, new], [new, other, old]):
        kept = deduplicated(caplog, partial(_wan_ports, rows), PORTS_PATH)
        assert [(p.port_id, p.up, p.receive_bytes) for p in kept] == [
            ("ge-0/0/0", False, 900.0),
            ("ge-0/0/1", True, other["rx_bytes"]),
        ]
    tie = [_port_row(port_usage="wan", rx_bytes=n, timestamp=5) for n in (1, 2)]
    (port,) = parse_wan_ports(tie, [])
    assert port.receive_bytes == 2.0  # equal timestamps: the later row wins


def test_gateway_rows_repeated_keep_the_newest_last_seen(caplog: pytest.LogCaptureFixture) -> None:
    old = _gateway_row(status="connected", last_seen=100)
    new = _gateway_row(status="disconnected", last_seen=200)
    for rows in ([old, new], [new, old]):
        kept = deduplicated(caplog, partial(parse_gateways, rows), DEVICES_PATH)
        assert [g.up for g in kept] == [False]


def test_ha_gateway_with_only_a_second_cpu_is_a_pair_and_port_rows_name_their_node() -> None:
    (gw,) = parse_gateways([_gateway_row(cpu2_stat={"usage": 70})])
    assert [(n.node, n.cpu_ratio) for n in gw.nodes] == [
        ("node0", approx(0.10)),
        ("node1", approx(0.70)),
    ]
    assert gw.nodes[1].memory_ratio is None
    assert gw.nodes[1].wan_interfaces == ()
    rows = [
        _port_row(mac=gw.mac, port_id="ge-0/0/0"),
        _port_row(mac=gw.mac, port_id="ge-7/0/0", port_usage="wan", node="node1"),
    ]
    first, second = parse_wan_ports(rows, [gw])
    assert (first.node, first.wan_name) == ("node0", "inet-1")  # from node0's if_stat
    assert (second.node, second.wan_name) == ("node1", "")  # from the row itself


def test_a_walk_none_of_whose_rows_is_readable_fails_so_the_last_good_data_stays() -> None:
    """One bad row is left out; an answer whose every row is unreadable is the wrong shape."""
    rows = [{"port_usage": "wan"}, {"port_usage": "wan", "mac": 5}]
    with pytest.raises(MistPayloadError, match=r"none of the 2 rows is readable; first: rows\[0\]"):
        parse_wan_ports(rows, [])
    with pytest.raises(MistPayloadError, match="none of the 1 rows is readable"):
        parse_peer_paths([{"mac": "aa"}])
    assert parse_peer_paths([]) == ()
