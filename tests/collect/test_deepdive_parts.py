"""Each deep-dive part stands alone: the real simulator over HTTP, its fault injection, and a
proxy in front of it for the 400s Mist answers (the simulator serves none yet)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from fnmatch import fnmatchcase
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from exporter.clock import ManualClock
from exporter.collect.deepdive import DeepDiveJob
from exporter.mist import endpoints as ep
from exporter.model import SleDeepDive
from exporter.service import Stack
from exporter.simulator import SimConfig, serve
from exporter.state.memory import MemoryStore
from tests.collect.harness import collection

START = 1_800_000_000.0 + 1800


@asynccontextmanager
async def refusing(
    base_url: str, refusals: dict[str, int], calls: list[tuple[str, dict[str, str]]] | None = None
) -> AsyncIterator[str]:
    """A proxy to ``base_url`` answering 400 to the first N calls of paths matching each glob;
    ``calls`` gets every call's path and query."""
    session = aiohttp.ClientSession()

    async def forward(request: web.Request) -> web.Response:
        if calls is not None:
            calls.append((request.path, dict(request.query)))
        for glob, left in refusals.items():
            if left and fnmatchcase(request.path, glob):
                refusals[glob] = left - 1
                return web.json_response({"detail": "not for this metric"}, status=400)
        async with session.get(
            base_url + request.path_qs,
            headers={"Authorization": request.headers.get("Authorization", "")},
        ) as upstream:
            return web.Response(
                body=await upstream.read(),
                status=upstream.status,
                content_type=upstream.content_type,
                headers={k: v for k, v in upstream.headers.items() if k.lower().startswith("x-")},
            )

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
        await session.close()


async def fault(base_url: str, **spec: Any) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base_url}/__sim/faults", json=spec) as r,
    ):
        assert r.status in (200, 201), await r.text()


async def clear_faults(base_url: str) -> None:
    async with aiohttp.ClientSession() as session, session.delete(f"{base_url}/__sim/faults"):
        pass


def dives(stack: Stack) -> dict[tuple[str, str], SleDeepDive]:
    return {(d.site_id, d.sle): d for d in stack.publisher.snapshot.deep_dives}


def deep_dive_error(stack: Stack) -> str | None:
    return next(s.last_error for s in stack.scheduler.statuses() if s.job == "deep_dive")


@pytest.mark.slow
async def test_a_failed_histogram_is_kept_and_retried_while_the_rest_is_published() -> None:
    clock = ManualClock(START)
    async with serve(SimConfig(sites=60, seed=4), clock=clock) as sim:
        org = sim.simulator.org_id
        store = MemoryStore(clock)
        async with collection(sim.base_url, org, store, clock, every_pair_degraded=True) as stack:
            await stack.scheduler.tick()
            job = stack.scheduler.jobs["deep_dive"]
            assert isinstance(job, DeepDiveJob)
            assert job.plan is not None
            before = dives(stack)
            site = next(iter(before))[0]
            assert deep_dive_error(stack) is None
            clock.advance(max(job.plan.degraded_refresh_seconds, 86400.0))  # every pair due
            # 5xx on every histogram call of one site for one round (retries included).
            await fault(sim.base_url, mode="5xx", endpoint=f"/api/v1/sites/{site}/*/histogram")
            failed_round = clock.time()
            await stack.scheduler.run_job(job)
            partial, error = dives(stack), deep_dive_error(stack)
            await clear_faults(sim.base_url)
            clock.advance(60)
            next_round = clock.time()
            await stack.scheduler.run_job(job)
            after = dives(stack)
            assert deep_dive_error(stack) is None
    assert error is not None
    assert "histogram" in error
    hit = {pair for pair in before if pair[0] == site}
    for pair in hit:
        old, kept, new = before[pair], partial[pair], after[pair]
        assert kept.fetched_at == old.fetched_at, "the pair stays due"
        assert kept.window_end == failed_round
        assert kept.histogram == old.histogram
        assert kept.trend[-1].timestamp > old.trend[-1].timestamp, "the trend is published"
        assert kept.impacted_gateways != old.impacted_gateways, "the gateways are published"
        assert kept.impacted_interfaces != old.impacted_interfaces or not old.impacted_interfaces
        assert new.fetched_at == next_round, "the next round is complete"
        assert new.histogram
    assert {p for p in before if partial[p].fetched_at == failed_round} == set(before) - hit


@pytest.mark.slow
async def test_a_refused_impact_summary_is_an_empty_answer_not_a_failure() -> None:
    """Mist answers 400 where it has no impact for the metric or window."""
    clock = ManualClock(START)
    async with (
        serve(SimConfig(sites=60, seed=4), clock=clock) as sim,
        refusing(sim.base_url, {"*/gateway-health/impact-summary": 10**6}) as proxy,
        collection(
            proxy, sim.simulator.org_id, MemoryStore(clock), clock, every_pair_degraded=True
        ) as stack,
    ):
        await stack.scheduler.tick()
        health = {p: d for p, d in dives(stack).items() if p[1] == "gateway-health"}
        error = deep_dive_error(stack)
        skipped = stack.scheduler.skips.counts()
    assert health
    assert error is None
    assert all(d.impacted_gateways == () and d.impact == () for d in health.values())
    assert all(d.fetched_at == START and d.trend and d.histogram for d in health.values())
    template = ep.SLE_IMPACT_SUMMARY.template
    assert skipped[(template, "refused gateway-health")] == len(health)


@pytest.mark.slow
async def test_a_refused_summary_trend_is_asked_again_further_back() -> None:
    """Mist answers 400 (or empty) for short windows: one retry at least an hour further back."""
    clock = ManualClock(START)
    calls: list[tuple[str, dict[str, str]]] = []
    async with (
        serve(SimConfig(sites=20, seed=4), clock=clock) as sim,
        refusing(sim.base_url, {"*/summary-trend": 1}, calls) as proxy,
        collection(proxy, sim.simulator.org_id, MemoryStore(clock), clock) as stack,
    ):
        await stack.scheduler.tick()
        error = deep_dive_error(stack)
        snapshot = stack.publisher.snapshot
    assert error is None
    assert all(d.trend and d.fetched_at == START for d in snapshot.deep_dives)
    trend_calls = [(path, float(q["start"])) for path, q in calls if path.endswith("summary-trend")]
    refused = trend_calls[0]
    again = [start for path, start in trend_calls[1:] if path == refused[0]]
    assert again
    assert again[0] <= refused[1] - 3600
