"""Steady state: the calls the scheduler makes per job over a simulated hour, against budget.

The simulator (in-process, no latency) and the exporter share a ManualClock that jumps from one
due job to the next, so an hour passes in a fraction of that. It starts at the top of an hour,
when Mist's hourly budget begins, with an empty store (the first runs are in the hour).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any

from bench.report import Report
from bench.stack import BUDGET_PER_HOUR, SITES, calls_by_job, collection, sim_stats
from exporter.clock import ManualClock
from exporter.collect.table import NAMES
from exporter.simulator import SimConfig, serve
from exporter.state.memory import MemoryStore

HOUR = 3600.0
TOP_OF_HOUR = 1_800_003_600.0  # a whole number of hours since the epoch
TARGET_SHARE = 0.7
JOBS = NAMES


async def simulated_hour(sites: int, seconds: float) -> dict[str, Any]:
    """Run the scheduler for ``seconds`` of simulated time; tally calls and deep-dives."""
    clock = ManualClock(TOP_OF_HOUR)
    started = time.perf_counter()
    async with serve(SimConfig(sites=sites, seed=7), clock=clock) as sim:
        org = sim.simulator.org_id
        async with collection(sim.base_url, org, MemoryStore(clock), clock) as stack:
            dives: dict[tuple[str, str], set[float]] = defaultdict(set)
            degraded_at: dict[tuple[str, str], list[float]] = defaultdict(list)
            runs: dict[str, int] = dict.fromkeys(JOBS, 0)
            last_attempt: dict[str, float | None] = dict.fromkeys(JOBS)
            thresholds = stack.scheduler.config.thresholds
            end = TOP_OF_HOUR + seconds
            while clock.time() < end:
                now = clock.time()
                next_due = await stack.scheduler.tick()
                snap = stack.publisher.snapshot
                for d in snap.deep_dives:
                    dives[(d.site_id, d.sle)].add(d.fetched_at)
                for s in snap.sle_scores:
                    if thresholds.degraded(s.sle, s.ratio):
                        degraded_at[(s.site_id, s.sle)].append(now)
                for status in stack.scheduler.statuses():
                    if status.last_attempt != last_attempt[status.job]:
                        runs[status.job] += 1
                        last_attempt[status.job] = status.last_attempt
                clock.now = max(next_due, now + 1)
            stats = await sim_stats(sim.base_url)
            planned = stack.scheduler.plan.per_job()
            target = stack.scheduler.plan.target_calls_per_hour
    whole = [p for p, t in degraded_at.items() if max(t) - min(t) >= seconds - 700]
    return {
        "sites": sites,
        "simulated_seconds": seconds,
        "wall_seconds": time.perf_counter() - started,
        "calls": stats["total_calls"],
        "rate_limited": stats["rate_limited"],
        "calls_by_job": calls_by_job(stats["calls"]),
        "runs_by_job": runs,
        "planned_calls_per_hour": {j: planned.get(j, 0.0) for j in JOBS},
        "planned_target_calls_per_hour": target,
        "degraded_pairs_seen": len(degraded_at),
        "degraded_pairs_all_hour": len(whole),
        "degraded_pairs_all_hour_dived_twice": sum(len(dives[p]) >= 2 for p in whole),
        "pairs_dived": len(dives),
    }


def run(*, quick: bool = False) -> Report:
    sites, seconds = (200, 300.0) if quick else (SITES, HOUR)
    data = asyncio.run(simulated_hour(sites, seconds))
    share = data["calls"] / BUDGET_PER_HOUR
    whole, twice = data["degraded_pairs_all_hour"], data["degraded_pairs_all_hour_dived_twice"]
    data["budget_share"] = share
    data["met"] = {"share": share < TARGET_SHARE, "dived_twice": whole > 0 and twice == whole}
    rows = [
        (
            job,
            data["runs_by_job"][job],
            data["calls_by_job"].get(job, 0),
            data["planned_calls_per_hour"][job],
            f"{data['calls_by_job'].get(job, 0) / BUDGET_PER_HOUR:.1%}",
        )
        for job in JOBS
    ]
    rows.append(
        (
            "total",
            sum(data["runs_by_job"].values()),
            data["calls"],
            sum(data["planned_calls_per_hour"].values()),
            f"{share:.1%}",
        )
    )
    notes = (
        f"{sites} sites, {seconds / 60:g} simulated minutes in {data['wall_seconds']:.0f} s, "
        f"{data['rate_limited']} answers 429. Budget: {BUDGET_PER_HOUR} calls/hour (one token); "
        f"target under {TARGET_SHARE:.0%} ({'met' if data['met']['share'] else 'NOT met'}).",
        f"(site, metric) pairs degraded all along: {whole}; deep-dived at least twice: {twice} "
        f"({'met' if data['met']['dived_twice'] else 'NOT met'}). Pairs degraded at some point: "
        f"{data['degraded_pairs_seen']}; pairs deep-dived: {data['pairs_dived']}.",
    )
    return Report(
        name="steady_state",
        title="Steady state (one simulated hour)",
        columns=("job", "runs", "calls", "planned calls/hour", "share of hourly budget"),
        rows=tuple(rows),
        data=data,
        notes=notes,
    )
