"""Collection end to end: the real simulator over HTTP, a real redis-server, an injected clock."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import pytest

from exporter.clock import ManualClock
from exporter.collect.jobs import Collected, Context, Job
from exporter.collect.scheduler import KIND_JOB
from exporter.config import StateConfig
from exporter.model import RequestEvent
from exporter.simulator import SimConfig, serve
from exporter.state import open_store
from exporter.state.memory import MemoryStore
from exporter.state.store import StateStore
from tests.collect.harness import collection, sim_stats
from tests.support.wait import until

HOUR = 3600.0
START = 1_800_000_000.0 + 1800  # half past an hour: alarms and degradations on both sides
TOP_OF_HOUR = 1_800_000_000.0 + 3600 - 1_800_000_000.0 % 3600  # Mist's budget hour begins


async def redis(url: str, org_id: str, clock: ManualClock) -> StateStore:
    store = open_store(StateConfig(redis_url=url), org_id, clock)
    await store.start()
    assert store.up
    return store


def incidents(snapshot_incidents: tuple[object, ...]) -> int:
    return sum(getattr(i, "total") for i in snapshot_incidents)  # noqa: B009


@pytest.mark.slow
async def test_full_cycle_matches_ground_truth(redis_url: str) -> None:
    clock = ManualClock(START)
    async with serve(SimConfig(sites=3208, seed=7), clock=clock) as sim:
        org = sim.simulator.org_id
        store = await redis(redis_url, org, clock)
        async with collection(sim.base_url, org, store, clock) as stack:
            await stack.scheduler.tick()
            snap = stack.publisher.snapshot
            truth = sim.simulator.truth(clock.time())
            statuses = {s.job: s for s in stack.scheduler.statuses()}
        await store.close()
    assert {n: s.last_error for n, s in statuses.items()} == dict.fromkeys(statuses)
    assert snap.inventory is not None
    assert len(snap.inventory.sites) == len(truth.sites) == 3208
    assert {(g.site_id, g.mac) for g in snap.gateways} == set(truth.gateways)
    assert {(p.site_id, p.gateway_mac, p.port_id) for p in snap.wan_ports} == set(truth.wan_ports)
    # The live simulator repeats paths, leaves some unnamed and reports offline ones up: what
    # is published is each path once, up as the truth has it (test_live_org.py checks more).
    paths = [
        (p.site_id, p.gateway_mac, p.port_id, p.peer_mac, p.peer_port_id) for p in snap.peer_paths
    ]
    assert len(paths) == len(set(paths))
    assert {k for k, p in zip(paths, snap.peer_paths, strict=True) if p.up} == (
        truth.live.peer_paths_up
    )
    assert {s.site_id for s in snap.sle_scores} == set(truth.sites)
    assert sum(c.count for c in snap.alarm_counts) == len(truth.alarm_ids)
    assert incidents(snap.alarm_incidents) >= len(truth.alarm_ids)
    degraded = {(s.site_id, s.sle) for s in snap.sle_scores if s.ratio < 0.9}
    assert degraded == set(truth.degraded)
    assert {(d.site_id, d.sle) for d in snap.deep_dives} >= degraded
    down = {g.mac for g in snap.gateways if not g.up}
    assert down == set(truth.gateways_down)


async def test_second_alarm_cycle_counts_only_new_alarms() -> None:
    clock = ManualClock(START)
    async with serve(SimConfig(sites=300, seed=3), clock=clock) as sim:
        org = sim.simulator.org_id
        store = MemoryStore(clock)
        async with collection(sim.base_url, org, store, clock) as stack:
            alarms = stack.scheduler.jobs["alarms"]
            await stack.scheduler.run_job(alarms)
            first = stack.publisher.snapshot.alarm_counts
            before = (await sim_stats(sim.base_url))["total_calls"]
            clock.advance(600)
            await stack.scheduler.run_job(alarms)
            after = (await sim_stats(sim.base_url))["total_calls"]
            snap = stack.publisher.snapshot
        new = sim.simulator.truth(clock.time(), alarms_since=START).alarm_ids
    window_total = sum(c.count for c in snap.alarm_counts)
    assert sum(c.count for c in first) < window_total or not new
    assert len(set(new)) == len(new)
    assert window_total == len(sim.simulator.truth(clock.time()).alarm_ids)
    assert after - before == 1, "the second cycle is one page of only the recent alarms"


@pytest.mark.slow
async def test_warm_restart_publishes_everything_without_calls(redis_url: str) -> None:
    clock = ManualClock(START)
    async with serve(SimConfig(sites=500, seed=5), clock=clock) as sim:
        org = sim.simulator.org_id
        store = await redis(redis_url, org, clock)
        async with collection(sim.base_url, org, store, clock) as stack:
            await stack.scheduler.tick()
            cold = stack.publisher.snapshot
            statuses = stack.scheduler.statuses()
            assert [s.last_error for s in statuses] == [None] * len(stack.scheduler.jobs)
        await store.close()
        calls = (await sim_stats(sim.base_url))["total_calls"]
        clock.advance(20)
        store = await redis(redis_url, org, clock)
        async with collection(sim.base_url, org, store, clock) as stack:
            await stack.scheduler.warm_start()
            warm = stack.publisher.snapshot
            assert (await sim_stats(sim.base_url))["total_calls"] == calls
            await stack.scheduler.tick()
            assert (await sim_stats(sim.base_url))["total_calls"] == calls, "all data was fresh"
        await store.close()
    assert warm.published == cold.published
    assert warm.wan_ports == cold.wan_ports
    assert warm.inventory == cold.inventory
    assert warm.deep_dives == cold.deep_dives
    assert warm.alarm_incidents == cold.alarm_incidents


@pytest.mark.slow
async def test_interrupted_walk_resumes_and_counts_each_alarm_once(redis_url: str) -> None:
    """Cancel in the middle of the port and alarm walks (as a kill would), then restart."""
    clock = ManualClock(START)
    async with serve(SimConfig(sites=3208, seed=11, latency_ms=15), clock=clock) as sim:
        org = sim.simulator.org_id
        store = await redis(redis_url, org, clock)
        template = "/api/v1/orgs/{org_id}/stats/ports/search"
        pages: list[RequestEvent] = []
        walks: list[asyncio.Future[Any]] = []

        def cancel_at_the_fourth_page(event: RequestEvent) -> None:
            """Like a kill: the fourth page has arrived, and is not saved."""
            if event.endpoint == template:
                pages.append(event)
                if len(pages) == 4:
                    walks[0].cancel()

        async with collection(
            sim.base_url, org, store, clock, observers=[cancel_at_the_fourth_page]
        ) as stack:
            job = stack.scheduler.jobs
            await stack.scheduler.run_job(job["gateways"])
            walks.append(
                asyncio.gather(
                    stack.scheduler.run_job(job["wan_ports"]),
                    stack.scheduler.run_job(job["alarms"]),
                )
            )
            with pytest.raises(asyncio.CancelledError):
                await walks[0]
        await store.close()
        walked = (await sim_stats(sim.base_url))["calls"][template]
        store = await redis(redis_url, org, clock)
        async with collection(sim.base_url, org, store, clock) as stack:
            await stack.scheduler.run_job(stack.scheduler.jobs["gateways"])
            await stack.scheduler.run_job(stack.scheduler.jobs["wan_ports"])
            await stack.scheduler.run_job(stack.scheduler.jobs["alarms"])
            await stack.scheduler.run_job(stack.scheduler.jobs["alarms"])
            snap = stack.publisher.snapshot
        await store.close()
        total_pages = -(-sim.simulator.truth(clock.time()).ports // 1000)
        resumed = (await sim_stats(sim.base_url))["calls"][template] - walked
        truth = sim.simulator.truth(clock.time())
    assert resumed == total_pages - (walked - 1), "the walk resumed after its last saved page"
    assert {(p.gateway_mac, p.port_id) for p in snap.wan_ports} == {
        (mac, port) for _, mac, port in truth.wan_ports
    }
    assert sum(c.count for c in snap.alarm_counts) == len(truth.alarm_ids)


@pytest.mark.slow
async def test_redis_outage_mid_run_keeps_collecting_and_writes_again(
    redis_server: object,
) -> None:
    from tests.support.redis import RedisServer

    assert isinstance(redis_server, RedisServer)
    clock = ManualClock(START)
    async with serve(SimConfig(sites=100, seed=2), clock=clock) as sim:
        org = sim.simulator.org_id
        store = await redis(redis_server.url, org, clock)
        async with collection(sim.base_url, org, store, clock) as stack:
            await stack.scheduler.tick()
            redis_server.stop()
            clock.advance(120)
            await stack.scheduler.tick()
            assert not store.up
            statuses = {s.job: s for s in stack.scheduler.statuses()}
            assert statuses["alarms"].last_success == clock.time()
            redis_server.start()
            await until(lambda: store.up, within=30, what="the store reconnects")
            clock.advance(120)
            await stack.scheduler.tick()
        state = await store.get(KIND_JOB, "alarms")
        await store.close()
    assert isinstance(state, dict)
    assert state["last_success"] == clock.time()


@pytest.mark.slow
@pytest.mark.timeout(1200)  # an hour of 3,208 sites' jobs took 426 s at load 8-10
async def test_simulated_hour_stays_under_budget_and_dives_degraded_pairs_twice() -> None:
    clock = ManualClock(TOP_OF_HOUR)
    async with serve(SimConfig(sites=3208, seed=7), clock=clock) as sim:
        org = sim.simulator.org_id
        async with collection(sim.base_url, org, MemoryStore(clock), clock) as stack:
            dives: dict[tuple[str, str], set[float]] = defaultdict(set)
            seen_degraded: dict[tuple[str, str], list[float]] = defaultdict(list)
            end = TOP_OF_HOUR + HOUR
            while clock.time() < end:
                now = clock.time()
                next_due = await stack.scheduler.tick()
                snap = stack.publisher.snapshot
                for d in snap.deep_dives:
                    dives[(d.site_id, d.sle)].add(d.fetched_at)
                for s in snap.sle_scores:
                    if s.ratio < 0.9:
                        seen_degraded[(s.site_id, s.sle)].append(now)
                clock.now = max(next_due, now + 1)
            stats = await sim_stats(sim.base_url)
            plan = stack.scheduler.plan
    assert stats["rate_limited"] == 0
    assert stats["total_calls"] < 0.7 * 5000, stats["calls"]
    assert plan.total_calls_per_hour <= plan.target_calls_per_hour
    degraded_all_hour = [
        p for p, times in seen_degraded.items() if max(times) - min(times) >= HOUR - 700
    ]
    assert len(degraded_all_hour) >= 0.02 * 3208
    for pair in degraded_all_hour:
        assert len(dives[pair]) >= 2, pair


class BrokenJob(Job):
    """A job with a bug: it must not stop the others."""

    name = "peer_paths"
    outputs = ("peer_paths",)

    async def collect(self, ctx: Context) -> Collected:
        raise RuntimeError("bug")


async def test_a_failing_job_is_recorded_and_the_others_carry_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(START)
    async with serve(SimConfig(sites=50, seed=2), clock=clock) as sim:
        org = sim.simulator.org_id
        store = MemoryStore(clock)
        async with collection(sim.base_url, org, store, clock) as stack:
            stack.scheduler.jobs["peer_paths"] = BrokenJob()
            await stack.scheduler.tick()
            statuses = {s.job: s for s in stack.scheduler.statuses()}
            snap = stack.publisher.snapshot
    broken = statuses["peer_paths"]
    assert broken.errors_total == 1
    assert broken.last_error == "RuntimeError: bug"
    assert (broken.next_run or 0) > START
    assert "peer_paths" not in snap.published
    assert {
        "inventory",
        "gateways",
        "wan_ports",
        "alarms",
        "org_sle",
        "deep_dive",
    } <= snap.published
    assert "job peer_paths raised an unexpected error" in caplog.text
