"""Who is hurting: the impact parts of deep-dives against the simulator, in process."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from exporter.clock import ManualClock
from exporter.collect.deepdive_pairs import EXTRA_CALL, degraded_pairs, pair_calls
from exporter.collect.table import (
    DEEP_DIVE_CALLS_PER_PAIR,
    DEEP_DIVE_IMPACT_CALLS_PER_PAIR,
    DEEP_DIVE_IMPACT_SECONDS,
)
from exporter.metrics.snapshot_families import snapshot_families
from exporter.mist import endpoints as ep
from exporter.mist.parse import sle_name
from exporter.model import SleDeepDive, Snapshot
from exporter.simulator import SimConfig, serve
from exporter.simulator.live import no_monitored_paths
from exporter.state.memory import MemoryStore
from tests.collect.harness import collection
from tests.collect.test_deepdive_parts import START, deep_dive_error, dives, fault, refusing

TOP_N = 10  # collect.impact_top_n's default


def test_the_planner_pays_for_the_dearest_pair() -> None:
    assert pair_calls("gateway-health") == DEEP_DIVE_CALLS_PER_PAIR - 1
    assert max(pair_calls(sle) for sle in EXTRA_CALL) == DEEP_DIVE_CALLS_PER_PAIR
    assert pair_calls("wan-link-health", first=True) == DEEP_DIVE_CALLS_PER_PAIR + 2
    impact = DEEP_DIVE_CALLS_PER_PAIR - pair_calls("wan-link-health", impact=False)
    assert impact == DEEP_DIVE_IMPACT_CALLS_PER_PAIR


@pytest.mark.slow
async def test_impact_calls_at_most_hourly_the_rest_each_refresh() -> None:
    half = DEEP_DIVE_IMPACT_SECONDS / 2
    clock = ManualClock(START)
    async with (
        serve(SimConfig(sites=20, seed=4), clock=clock) as sim,
        collection(
            sim.base_url, sim.simulator.org_id, MemoryStore(clock), clock, every_pair_degraded=True
        ) as st,
    ):
        await st.scheduler.tick()
        job = st.scheduler.jobs["deep_dive"]
        rounds = [dives(st)]
        for _ in range(2):
            clock.advance(half)
            await st.scheduler.run_job(job)
            rounds.append(dives(st))
    refreshed = [p for p, d in rounds[1].items() if d.fetched_at == START + half]
    assert refreshed, "degraded pairs refresh every half hour"
    for pair in refreshed:
        assert rounds[1][pair].impact_fetched_at == START, "no impact calls after half an hour"
        assert rounds[1][pair].impact == rounds[0][pair].impact
        assert rounds[2][pair].impact_fetched_at == START + 2 * half, "again after an hour"


@pytest.mark.slow
async def test_deep_dives_say_who_is_hurting_top_n_per_field() -> None:
    clock = ManualClock(START)
    async with serve(SimConfig(sites=30, seed=4), clock=clock) as sim:
        keys = {s.site_id: s.key for s in sim.simulator.fleet.sites}
        async with collection(
            sim.base_url, sim.simulator.org_id, MemoryStore(clock), clock, every_pair_degraded=True
        ) as st:
            await st.scheduler.tick()
            found = dives(st)
            assert deep_dive_error(st) is None
    assert found
    for (site, sle), d in found.items():
        per_field = Counter(e.field for e in d.impact)
        assert per_field, (site, sle)
        assert max(per_field.values()) <= TOP_N, (site, sle)
        assert {"gateway", "client"} <= per_field.keys()
        assert d.impacted_clients
        assert len(d.impacted_applications) <= TOP_N
        assert len(d.impacted_peer_paths) <= TOP_N
        assert bool(d.impacted_applications) == (sle == "application-health")
        wan = sle.startswith("wan-link-health")
        assert bool(d.impacted_peer_paths) == (wan and not no_monitored_paths(keys[site]))
        assert ("peer_path" in per_field) == wan
        assert d.impacted_gateways, "impact-summary's gateway rows stand in for impacted-gateways"
        ranked = [p.degraded_seconds for p in d.impacted_peer_paths]
        assert ranked == sorted(ranked, reverse=True)
    # Clients are a count: the fleet's clients outnumber the top-N client entities.
    assert any((d.impacted_clients or 0) > TOP_N for d in found.values())


@pytest.mark.slow
async def test_failing_peer_paths_never_fail_a_deep_dive() -> None:
    clock = ManualClock(START)
    async with serve(SimConfig(sites=30, seed=4), clock=clock) as sim:
        await fault(sim.base_url, mode="5xx", endpoint="/api/v1/sites/*/impacted-peer-paths")
        async with collection(
            sim.base_url, sim.simulator.org_id, MemoryStore(clock), clock, every_pair_degraded=True
        ) as st:
            await st.scheduler.tick()
            found = dives(st)
            error = deep_dive_error(st)
            skipped = st.scheduler.skips.counts()
    wan = [d for (_, sle), d in found.items() if sle.startswith("wan-link-health")]
    assert wan
    assert error is None
    assert all(d.fetched_at == START and d.impacted_peer_paths == () for d in wan)
    failed = sum(n for (t, _), n in skipped.items() if t == ep.SLE_IMPACTED_PEER_PATHS.template)
    assert failed >= len(wan)


NEW_FAMILIES = (
    "mist_site_sle_impact_degraded_seconds",
    "mist_site_sle_impacted_application_degraded_seconds",
    "mist_site_sle_impacted_clients",
    "mist_site_sle_impacted_peer_path_degraded_seconds",
)


@pytest.mark.slow
async def test_reference_org_first_round_has_bounded_impact_series() -> None:
    """At 3,208 sites, the first round's deep-dives publish every new family, each within
    its bound: top N per (site, metric, field), one client count per pair."""
    clock = ManualClock(START)
    async with (
        serve(SimConfig(sites=3208, seed=7), clock=clock) as sim,
        collection(sim.base_url, sim.simulator.org_id, MemoryStore(clock), clock) as st,
    ):
        await st.scheduler.tick()
        snapshot = st.publisher.snapshot
    pairs = len(snapshot.deep_dives)
    series = {f.name: len(f.samples) for f in snapshot_families(snapshot) if f.name in NEW_FAMILIES}
    fields = {e.field for d in snapshot.deep_dives for e in d.impact}
    print(f"\n{pairs} pairs deep-dived; series added: {series}")  # the report's figures
    assert pairs >= 0.05 * 3208
    assert all(series[name] > 0 for name in NEW_FAMILIES), series
    assert series["mist_site_sle_impact_degraded_seconds"] <= pairs * len(fields) * TOP_N
    assert series["mist_site_sle_impacted_application_degraded_seconds"] <= pairs * TOP_N
    assert series["mist_site_sle_impacted_peer_path_degraded_seconds"] <= pairs * TOP_N
    assert series["mist_site_sle_impacted_clients"] <= pairs


IMPACT_PATHS = (
    "impact-summary",
    "impacted-clients",
    "impacted-applications",
    "impacted-peer-paths",
)


def impact_series(snapshot: Snapshot) -> set[tuple[str, str]]:
    """The (site, SLE) pairs with a sample in an impact family (gateways, interfaces included)."""
    names = {
        *NEW_FAMILIES,
        "mist_site_sle_impacted_gateway_degraded_seconds",
        "mist_site_sle_impacted_interface_degraded_seconds",
    }
    families = [f for f in snapshot_families(snapshot) if f.name in names]
    return {(s.labels["site_id"], s.labels["sle"]) for f in families for s in f.samples}


@pytest.mark.slow
async def test_healthy_dives_make_no_impact_calls_and_publish_no_impact() -> None:
    clock = ManualClock(START)
    calls: list[tuple[str, dict[str, str]]] = []
    async with (
        serve(SimConfig(sites=20, seed=4), clock=clock) as sim,
        refusing(sim.base_url, {}, calls) as proxy,
        collection(proxy, sim.simulator.org_id, MemoryStore(clock), clock) as st,
    ):
        await st.scheduler.tick()
        snapshot = st.publisher.snapshot
        assert deep_dive_error(st) is None
        thresholds = st.scheduler.config.thresholds
    found = dives(st)
    hurting = set(degraded_pairs(snapshot.sle_scores, snapshot.worst_sites, thresholds))
    healthy = found.keys() - hurting
    assert healthy, "the round dives healthy pairs"
    assert found.keys() & hurting, "and degraded ones"
    called = set()
    for path, _ in calls:
        parts = path.split("/")
        if parts[-1] in IMPACT_PATHS:
            called.add(
                (parts[parts.index("sites") + 1], sle_name(parts[parts.index("metric") + 1]))
            )
    assert called == found.keys() & hurting
    for pair in healthy:
        d = found[pair]
        assert d.trend, "the rest of a healthy dive is published"
        assert d.histogram
        assert d.impact_fetched_at == 0.0
        assert (d.impact, d.impacted_gateways, d.impacted_applications) == ((), (), ())
        assert d.impacted_clients is None
        assert d.impacted_peer_paths == ()
    assert impact_series(snapshot) == found.keys() & hurting


@pytest.mark.slow
async def test_a_pair_that_recovers_stops_publishing_impact() -> None:
    clock = ManualClock(START)
    async with (
        serve(SimConfig(sites=20, seed=4), clock=clock) as sim,
        collection(sim.base_url, sim.simulator.org_id, MemoryStore(clock), clock) as st,
    ):
        await st.scheduler.tick()
        before = st.publisher.snapshot
        published = impact_series(before)
        assert published
        recovered = sorted(published)[0]
        # The pair scores healthy again (and leaves Mist's worst-site ranking).
        scores = tuple(
            replace(s, ratio=1.0) if (s.site_id, s.sle) == recovered else s
            for s in before.sle_scores
        )
        worst = tuple(w for w in before.worst_sites if (w.site_id, w.sle) != recovered)
        st.publisher.amend(
            Snapshot(sle_scores=scores, worst_sites=worst), ("sle_scores", "worst_sites")
        )
        clock.advance(60)  # not due: the next round only drops its impact
        await st.scheduler.run_job(st.scheduler.jobs["deep_dive"])
        after = st.publisher.snapshot
        assert deep_dive_error(st) is None
    assert impact_series(after) == published - {recovered}
    kept = dives(st)[recovered]
    assert kept.trend == before_dive(before, recovered).trend, "the rest of the dive is kept"
    assert kept.impact_fetched_at == 0.0, "impact due at once should it degrade again"


def before_dive(snapshot: Snapshot, pair: tuple[str, str]) -> SleDeepDive:
    return next(d for d in snapshot.deep_dives if (d.site_id, d.sle) == pair)
