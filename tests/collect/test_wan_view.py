"""WAN ports as published: the gateways' if_stat (each minute) joined with the port search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from exporter.clock import ManualClock
from exporter.collect.wan_view import down, join
from exporter.metrics.snapshot_families import snapshot_families
from exporter.model import Gateway, GatewayNode, Snapshot, WanInterface, WanPort
from exporter.simulator import SimConfig, serve
from exporter.state.memory import MemoryStore
from tests.collect.harness import collection

MAC = "020001abcdef"
BOOT = 1_000_000.0
START = 1_800_000_000.0 + 1800


def current(gateways: Sequence[Gateway], ports: Sequence[WanPort]) -> tuple[WanPort, ...]:
    """The joined ports as whole :class:`WanPort` values (the renderer reads the columns)."""
    j = join(gateways, ports)
    joined = (
        replace(p, up=j.up[i], receive_bytes=j.receive_bytes[i], transmit_bytes=j.transmit_bytes[i])
        for i, p in enumerate(j.ports)
    )
    return tuple(down(p) if i in j.unknown else p for i, p in enumerate(joined))


def gateway(*interfaces: WanInterface, up: bool = True, at: float = BOOT + 600) -> Gateway:
    """A gateway booted at BOOT, fetched at ``at``, reporting ``interfaces``."""
    wans = tuple(replace(w, as_of=at) for w in interfaces)
    return Gateway(
        "site-1", MAC, "gw", "SSR120", "6.2", up, at - BOOT, (GatewayNode("", 0.1, 0.2, wans),)
    )


def reported(
    port_id: str = "ge-0/0/0", up: bool = True, rx: float = 100, tx: float = 10
) -> WanInterface:
    return WanInterface(port_id, "inet-1", "broadband", up, rx, tx)


def searched(
    port_id: str = "ge-0/0/0",
    up: bool = True,
    rx: float = 90,
    tx: float = 9,
    at: float = BOOT + 300,
) -> WanPort:
    return WanPort(
        "site-1", MAC, port_id, "inet-1", "broadband", up, 125_000.0, rx, tx, 800.0, 80.0,
        0.02, 0.003, 0.0, BOOT + 5, as_of=at,
    )  # fmt: skip


def test_a_port_in_both_takes_quality_from_the_search_and_the_freshest_status() -> None:
    (port,) = current([gateway(reported(up=True, rx=100, tx=10))], [searched(rx=90, tx=9)])
    assert (port.up, port.receive_bytes, port.transmit_bytes) == (True, 100, 10)
    assert (port.speed_bytes_per_second, port.latency_seconds) == (125_000.0, 0.02)
    # The search fetched after the gateways: its status is the newer.
    later = searched(up=False, at=BOOT + 700)
    (port,) = current([gateway(reported(up=True))], [later])
    assert not port.up


def test_down_since_the_search_saw_it_up_keeps_counters_but_not_rates_or_quality() -> None:
    (port,) = current([gateway(reported(up=False, rx=120))], [searched(up=True)])
    assert (port.up, port.receive_bytes) == (False, 120)
    assert port.receive_rate_bytes_per_second is None
    assert port.latency_seconds is None
    assert port.speed_bytes_per_second == 125_000.0


def test_a_pushed_port_event_newer_than_the_gateways_fetch_wins() -> None:
    pushed = replace(searched(up=True), up=False, last_flap_timestamp=BOOT + 650)
    (port,) = current([gateway(reported(up=True), at=BOOT + 600)], [pushed])
    assert not port.up


def test_ports_in_one_source_only_are_published_once_each() -> None:
    gw = gateway(
        reported("ge-0/0/0"), reported("lte-0/0/0", rx=7), WanInterface("ge-0/0/9", "x", "y")
    )
    ports = current([gw], [searched("ge-0/0/0"), searched("ge-0/0/1")])
    assert [p.port_id for p in ports] == ["ge-0/0/0", "ge-0/0/1", "lte-0/0/0"]
    lte = ports[2]
    assert (lte.up, lte.receive_bytes, lte.speed_bytes_per_second, lte.node) == (True, 7, None, "")
    # Published once: at most one series per port in every family, status for all three.
    snapshot = Snapshot(gateways=(gw,), wan_ports=(searched("ge-0/0/0"), searched("ge-0/0/1")))
    series = {}
    for family in snapshot_families(snapshot):
        if family.name.startswith("mist_wan_port"):
            keys = [tuple(sorted(s.labels.items())) for s in family.samples]
            assert len(keys) == len(set(keys)), family.name
            series[family.name] = len(keys)
    assert series["mist_wan_port_up"] == series["mist_wan_port_receive_bytes"] == 3
    assert series["mist_wan_port_speed_bytes_per_second"] == 2


def test_ports_of_an_offline_gateway_are_down_from_either_source() -> None:
    gw = gateway(reported("ge-0/0/0"), reported("ge-0/0/1"), up=False)
    ports = current([gw], [searched("ge-0/0/0")])
    assert [(p.port_id, p.up, p.latency_seconds) for p in ports] == [
        ("ge-0/0/0", False, None),
        ("ge-0/0/1", False, None),
    ]
    assert ports[0].receive_bytes == 100


def test_an_ha_second_node_port_keeps_its_node() -> None:
    second = GatewayNode(
        "node1", 0.1, 0.2, (replace(reported("ge-5/0/0", rx=500), as_of=BOOT + 600),)
    )
    gw = replace(gateway(), nodes=(GatewayNode("node0", 0.1, 0.2), second))
    (port,) = current([gw], [replace(searched("ge-5/0/0"), node="node1")])
    assert (port.node, port.receive_bytes) == ("node1", 500)
    (alone,) = current([gw], [])
    assert (alone.node, alone.receive_bytes) == ("node1", 500)


def test_zero_counters_from_if_stat_do_not_hide_the_search_counters() -> None:
    (port,) = current([gateway(reported(rx=0, tx=0))], [searched(rx=90, tx=9)])
    assert (port.receive_bytes, port.transmit_bytes) == (90, 9)


def test_a_search_from_before_the_gateway_rebooted_gives_no_counters() -> None:
    rebooted = replace(gateway(reported(rx=5, tx=1), at=BOOT + 600), uptime_seconds=60.0)
    (port,) = current([rebooted], [searched(rx=90_000, tx=9_000, at=BOOT + 300)])
    assert (port.receive_bytes, port.transmit_bytes) == (5, 1)


# One port's counter, read by each source at its own times: every reading is what the counter
# was then, so each source's readings grow; some gateways report no bytes in if_stat (0).
@given(st.booleans(), st.lists(st.tuples(st.booleans(), st.integers(0, 10**6)), max_size=40))
def test_counters_never_go_backwards_whichever_source_was_read_last(
    zeros: bool, reads: list[tuple[bool, int]]
) -> None:
    counter, at = 1000, BOOT + 100
    gw: Gateway | None = None
    search: WanPort | None = None
    published = 0.0
    for from_gateways, growth in reads:
        counter += growth
        at += 30
        if from_gateways:
            gw = gateway(reported(rx=0 if zeros else counter, tx=counter), at=at)
        else:
            search = searched(rx=counter, tx=counter, at=at)
        (port,) = current([gw] if gw else [], [search] if search else [])
        assert port.receive_bytes is not None
        assert port.receive_bytes >= published
        published = port.receive_bytes


async def test_status_and_counters_refresh_each_minute_without_the_port_search() -> None:
    clock = ManualClock(START)
    async with serve(SimConfig(sites=60, seed=3), clock=clock) as sim:
        org = sim.simulator.org_id
        async with collection(sim.base_url, org, MemoryStore(clock), clock) as stack:
            await stack.scheduler.tick()
            first = stack.publisher.snapshot
            clock.advance(60)
            await stack.scheduler.tick()
            later = stack.publisher.snapshot
            truth = sim.simulator.truth(clock.time())
    # At the same instant the two sources agree on every port of a connected gateway.
    online = {g.mac for g in first.gateways if g.up}
    for joined, searched_port in zip(
        current(first.gateways, first.wan_ports), first.wan_ports, strict=True
    ):
        if joined.gateway_mac in online:
            assert joined == searched_port
    # A minute on, only the gateways job ran: status as of now, counters grown.
    assert later.wan_ports is first.wan_ports
    assert later.gateways is not first.gateways
    before = {(p.gateway_mac, p.port_id): p for p in current(first.gateways, first.wan_ports)}
    now = current(later.gateways, later.wan_ports)
    assert {(p.gateway_mac, p.port_id) for p in now if not p.up} == truth.wan_ports_down
    growth = [
        (p.receive_bytes or 0) - (before[(p.gateway_mac, p.port_id)].receive_bytes or 0)
        for p in now
    ]
    assert min(growth) >= 0
    assert sum(1 for g in growth if g > 0) > len(now) / 2
