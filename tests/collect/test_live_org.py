"""Issue 11's "done when": the reference org with every live habit of the simulator on.

The exporter (the scheduler's tick on a ManualClock, real Redis) publishes the simulator's
ground truth although pages repeat rows, fields are missing, stale and offline things are
reported up and open alarms grow; no job fails because of one row; the skipped rows are
counted; and the scrape of that org has no duplicate series in any family.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from exporter.clock import ManualClock
from exporter.mist import endpoints as ep
from exporter.model import Snapshot
from exporter.simulator import GroundTruth, SimConfig, serve
from exporter.simulator.events import Event
from exporter.state.memory import MemoryStore
from tests.collect.harness import collection, sim_stats
from tests.collect.test_collection import START, redis
from tests.metrics.exposition import render

pytestmark = pytest.mark.slow
SITES = 3208
# ~23,000 alarms a day at 3,208 sites: the full alarm walk is two dozen pages.
ALARMS_PER_SITE_HOUR = 0.3
RESCAN_AFTER = 1200.0  # past alarm_rescan_seconds (900 by default)


def _paths_up(snap: Snapshot) -> set[tuple[str, str, str, str, str]]:
    return {
        (p.site_id, p.gateway_mac, p.port_id, p.peer_mac, p.peer_port_id)
        for p in snap.peer_paths
        if p.up
    }


def _incidents(snap: Snapshot) -> dict[tuple[str, str, str], int]:
    return {(i.group, i.severity, i.alarm_type): i.total for i in snap.alarm_incidents}


def _check_org(snap: Snapshot, truth: GroundTruth) -> None:
    """Sites, gateways, WAN ports, paths and degraded pairs as the ground truth has them."""
    assert snap.inventory is not None
    assert len(snap.inventory.sites) == len(truth.sites) == SITES
    gateways = [(g.site_id, g.mac) for g in snap.gateways]
    assert len(gateways) == len(set(gateways))
    assert set(gateways) == set(truth.gateways)
    assert {g.mac for g in snap.gateways if not g.up} == truth.gateways_down
    ports = [(p.site_id, p.gateway_mac, p.port_id) for p in snap.wan_ports]
    assert len(ports) == len(set(ports)), "no port twice, however often the walk sent it"
    assert set(ports) == set(truth.wan_ports)
    down = {(p.gateway_mac, p.port_id) for p in snap.wan_ports if not p.up}
    assert down == truth.wan_ports_down, "nothing of an offline gateway up, everything else as is"
    offline = {p for p in snap.wan_ports if p.gateway_mac in truth.gateways_down}
    assert offline
    assert all(not p.up and p.receive_rate_bytes_per_second is None for p in offline)
    nodes = {(p.gateway_mac, p.port_id, p.node) for p in snap.wan_ports if p.node}
    assert nodes == truth.live.ha_ports
    ha = {g.mac for g in snap.gateways if len(g.nodes) == 2}
    assert ha == {mac for mac, _, _ in truth.live.ha_ports}
    paths = [
        (p.site_id, p.gateway_mac, p.port_id, p.peer_mac, p.peer_port_id) for p in snap.peer_paths
    ]
    assert len(paths) == len(set(paths)), "no path twice (page repeats, the spec's duplicates)"
    named = set(truth.peer_paths) - truth.live.unnamed_paths
    assert set(paths) <= named | truth.live.ghost_paths
    assert not set(paths) & truth.live.unnamed_paths
    assert _paths_up(snap) == truth.live.peer_paths_up, "nothing stale or offline up"
    assert set(paths) & truth.live.offline_paths, "offline paths in the window came, as down"
    degraded = {(s.site_id, s.sle) for s in snap.sle_scores if s.ratio < 0.9}
    assert degraded == set(truth.degraded)
    assert {(d.site_id, d.sle) for d in snap.deep_dives} >= degraded


def _families(text: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """(name, labels) of every sample line of a text exposition."""
    found = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head = line.rsplit(" ", 1)[0]
        name, _, rest = head.partition("{")
        labels = tuple(sorted(_labels(rest.rstrip("}")))) if rest else ()
        found.append((name, labels))
    return found


def _labels(text: str) -> list[tuple[str, str]]:
    """Label pairs of ``a="x",b="y"`` (values escaped as Prometheus escapes them)."""
    pairs = []
    i = 0
    while i < len(text):
        eq = text.index("=", i)
        key = text[i:eq]
        j = eq + 2
        value = []
        while text[j] != '"':
            if text[j] == "\\":
                value.append(text[j : j + 2])
                j += 2
            else:
                value.append(text[j])
                j += 1
        pairs.append((key, "".join(value)))
        i = j + 2 if j + 1 < len(text) and text[j + 1] == "," else j + 1
    return pairs


async def test_live_reference_org_is_published_as_the_ground_truth(redis_url: str) -> None:
    clock = ManualClock(START)
    config = SimConfig(
        sites=SITES,
        seed=7,
        alarms_per_site_hour=ALARMS_PER_SITE_HOUR,
        # A gateway disconnected within the peer window: its paths come stale, as up.
        events=(Event("gateway_down", site=5),),
    )
    async with serve(config, clock=clock) as sim:
        org = sim.simulator.org_id
        store = await redis(redis_url, org, clock)
        async with collection(sim.base_url, org, store, clock) as stack:
            scheduler = stack.scheduler
            await scheduler.tick()
            first = stack.publisher.snapshot
            truth = sim.simulator.truth(clock.time())
            errors = {s.job: s.last_error for s in scheduler.statuses()}
            calls = await sim_stats(sim.base_url)
            skips_first = dict(scheduler.skips.counts())
            window_start = START - stack.scheduler.config.collect.alarm_window_seconds
            clock.advance(RESCAN_AFTER / 2)
            await scheduler.tick()
            clock.advance(RESCAN_AFTER / 2)
            await scheduler.tick()
            later = stack.publisher.snapshot
            grown = sim.simulator.truth(clock.time(), alarms_since=window_start)
            errors_later = {s.job: s.last_error for s in scheduler.statuses()}
            text = render(later, stack.publisher.status())
        await store.close()
    assert errors == dict.fromkeys(errors), "no job fails because of a single row"
    assert errors_later == dict.fromkeys(errors_later)
    _check_org(first, truth)
    assert sum(c.count for c in first.alarm_counts) == len(truth.alarm_ids) > 20_000
    assert _incidents(first) == truth.live.incidents()
    assert sum(grown.live.incidents().values()) > sum(truth.live.incidents().values())
    assert _incidents(later) == grown.live.incidents(), "growth counted once, after a rescan"
    skips = skips_first
    peers, ports = ep.PEER_SEARCH.template, ep.PORT_SEARCH.template
    assert skips[(peers, "duplicate row")] > 0
    assert skips[(ports, "duplicate row")] > 0
    # One per row: an unnamed path sent twice (a repeat, the spec's duplicate) counts twice.
    unnamed = len(truth.live.unnamed_paths)
    assert unnamed <= skips[(peers, "missing peer_port_id")] <= 2 * unnamed
    assert any("refused" in reason for _, reason in skips)
    assert 'mist_parse_skipped_rows_total{endpoint="' in text
    print_figures(skips, calls)


def print_figures(skips: dict[tuple[str, str], int], calls: dict[str, Any]) -> None:
    """What the first cycle skipped and called (``pytest -s`` shows it)."""
    for (endpoint, reason), rows in sorted(skips.items()):
        print(f"skipped {rows:6d}  {reason:40s} {endpoint}")
    print(f"calls {calls['total_calls']}: {Counter(calls['calls']).most_common()}")


async def test_scrape_of_the_live_reference_org_has_no_duplicate_series(redis_url: str) -> None:
    clock = ManualClock(START)
    async with serve(SimConfig(sites=SITES, seed=7, spelling="live"), clock=clock) as sim:
        org = sim.simulator.org_id
        store = await redis(redis_url, org, clock)
        async with collection(sim.base_url, org, store, clock) as stack:
            await stack.scheduler.tick()
            text = render(stack.publisher.snapshot, stack.publisher.status())
        await store.close()
    series = _families(text)
    repeated = [key for key, n in Counter(series).items() if n > 1]
    assert not repeated, repeated[:5]
    names = {name for name, _ in series}
    assert {
        "mist_vpn_peer_path_up",
        "mist_wan_port_up",
        "mist_gateway_cpu_ratio",
        "mist_site_sle_ratio",
        "mist_parse_skipped_rows_total",
    } <= names
    assert len(series) > 100_000


@pytest.mark.parametrize("alarm_start", ["timestamp", "last_seen"])
async def test_alarm_growth_is_counted_once_whichever_field_start_filters_on(
    alarm_start: str,
) -> None:
    """Open alarms grow between the first walk and a rescan; the incidents per (group,
    severity, type) equal the simulator's after the rescan, never the first count twice."""
    clock = ManualClock(START)
    config = SimConfig(sites=400, seed=3, alarms_per_site_hour=0.5, alarm_start=alarm_start)
    async with serve(config, clock=clock) as sim:
        org = sim.simulator.org_id
        async with collection(sim.base_url, org, MemoryStore(clock), clock) as stack:
            alarms = stack.scheduler.jobs["alarms"]
            since = START - stack.scheduler.config.collect.alarm_window_seconds
            await stack.scheduler.run_job(alarms)
            first = _incidents(stack.publisher.snapshot)
            at_first = sim.simulator.truth(clock.time(), alarms_since=since).live.incidents()
            rescan = stack.scheduler.config.collect.alarm_rescan_seconds
            for _ in range(3):  # two recent walks, then the whole window again
                clock.advance(rescan / 3)
                await stack.scheduler.run_job(alarms)
            later = _incidents(stack.publisher.snapshot)
            grown = sim.simulator.truth(clock.time(), alarms_since=since).live.incidents()
    assert first == at_first
    assert sum(grown.values()) > sum(at_first.values())
    assert later == grown
