"""Essential jobs keep their interval while a deep-dive round runs.

A deep-dive round issues hundreds of calls at once; if they all queue on the client's
concurrency limit ahead of the essential jobs' calls, WAN ports, gateways and alarms stop
refreshing for the length of the round.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from exporter.simulator import SimConfig, serve
from exporter.simulator.dynamics import WAN_METRICS
from exporter.simulator.events import Event
from tests.reliability.support import scrape, wait_ready, write_config
from tests.support.processes import exporter_env, start_exporter
from tests.support.wait import until

WATCH_SECONDS = 16.0
ESSENTIAL = ("gateways", "wan_ports", "alarms")
# A round as big at any hour: 40 degraded sites asked for (more may be degraded by chance).
DEGRADED = tuple(
    Event("degraded", site=i, metric=WAN_METRICS[i % len(WAN_METRICS)]) for i in range(40)
)


@dataclass(frozen=True, slots=True)
class Watched:
    """Runs of each essential job while watching, and when the deep-dive round ended."""

    runs: dict[str, int]
    deep_dive_done_after: float | None


async def watch_during_deep_dive(tmp_path: Path) -> Watched:
    config = write_config(tmp_path / "starvation.yml")
    sim_config = SimConfig(
        sites=300, seed=3, latency_ms=250, calls_per_hour=20_000, events=DEGRADED
    )
    async with serve(sim_config) as sim:
        proc = start_exporter(tmp_path, exporter_env(sim.base_url), args=["--config", str(config)])
        try:
            async with aiohttp.ClientSession() as session:
                await wait_ready(session, proc)
                first = await until(
                    lambda: scrape(session, proc.url),
                    lambda m: all(m.last_success(j) for j in (*ESSENTIAL, "org_sle")),
                    within=30,
                    what="the first run of every essential job",
                )
                runs: dict[str, set[float]] = {job: set() for job in ESSENTIAL}
                done_after: float | None = None
                started = time.monotonic()
                while time.monotonic() < started + WATCH_SECONDS:
                    metrics = await scrape(session, proc.url)
                    for job in ESSENTIAL:
                        last = metrics.last_success(job) or 0.0
                        if last > (first.last_success(job) or 0.0):
                            runs[job].add(last)
                    if done_after is None and metrics.last_success("deep_dive"):
                        done_after = time.monotonic() - started
                    await asyncio.sleep(0.5)
        finally:
            assert proc.stop() == 0
    return Watched({job: len(found) for job, found in runs.items()}, done_after)


@pytest.mark.slow
async def test_essential_jobs_refresh_during_a_deep_dive_round(tmp_path: Path) -> None:
    starvation = await watch_during_deep_dive(tmp_path)
    stalled = {job: n for job, n in starvation.runs.items() if n < 2}
    assert not stalled, (
        f"essential jobs ran {stalled} time(s) in {WATCH_SECONDS:.0f} s on a 5 s interval while "
        f"the first deep-dive round ran (it ended {starvation.deep_dive_done_after} s into the "
        "watch): a round's calls must not take every slot of MistClient's concurrency limit "
        "(DeepDiveJob in exporter/collect/deepdive.py)"
    )
