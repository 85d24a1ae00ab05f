"""The scheduler's real loop on a stepped clock: each job runs when due, and only then."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from exporter.clock import ManualClock
from exporter.collect.table import DEFAULT_INTERVALS, NAMES
from exporter.simulator import SimConfig, serve
from exporter.state.memory import MemoryStore
from tests.collect.harness import collection
from tests.support.wait import until

START = 1_800_000_000.0 + 1800


@pytest.mark.slow
async def test_run_forever_runs_each_job_when_the_injected_clock_says_it_is_due() -> None:
    clock = ManualClock(START, autojump=False)
    async with serve(SimConfig(sites=20, seed=3), clock=clock) as sim:
        store = MemoryStore(clock)
        await store.start()
        async with collection(sim.base_url, sim.simulator.org_id, store, clock) as stack:
            scheduler = stack.scheduler
            loop = asyncio.create_task(scheduler.run_forever())

            def successes() -> dict[str, float | None]:
                return {s.job: s.last_success for s in scheduler.statuses()}

            try:
                first = await until(
                    successes,
                    lambda s: all(s[name] == START for name in NAMES),
                    within=60,
                    what="every job's first run at the start time",
                )
                # Nothing is due until the clock moves: the loop waits on the clock, not the wall.
                await asyncio.sleep(0.2)
                assert successes() == first
                clock.advance(DEFAULT_INTERVALS["alarms"])
                second = await until(
                    successes,
                    lambda s: s["gateways"] == s["alarms"] == clock.time(),
                    within=60,
                    what="the one-minute jobs run again a minute later",
                )
            finally:
                loop.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await loop
    assert DEFAULT_INTERVALS["gateways"] == DEFAULT_INTERVALS["alarms"] == 60
    assert second["inventory"] == second["wan_ports"] == START  # every 30 and 5 minutes
    assert stack.publisher.snapshot.published >= set(NAMES)
