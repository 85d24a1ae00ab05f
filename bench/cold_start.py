"""Cold start: from nothing to a complete first publish of every job but the deep-dives.

The simulator runs as its own process (``exporter simulate --latency-ms 100``), as Mist is
elsewhere; one untimed walk of every job but the deep-dives warms its caches first, so its own
first-computation cost is not charged to the exporter (its stats are reset afterwards). The
exporter is wired in-process exactly as ``exporter run`` wires it (org discovery, empty
in-memory store, scheduler, web app, ``run_forever``) so that the moment each job publishes is
taken from the publisher itself. It runs twice: with every job (as shipped), and with the
deep-dives left out, which shows what the deep-dive backlog costs the first publish. The real
``exporter run`` process is timed too, from ``exec`` to ``/readyz`` answering 200 (the first
publish), imports included.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.proc import cpu_seconds
from bench.report import Report
from bench.stack import (
    BUDGET_PER_HOUR,
    FIRST_PUBLISH_JOBS,
    LATENCY_MS,
    SITES,
    calls_by_job,
    collection,
    config_for,
    discover_org,
    first_publish_jobs,
    reset_sim_stats,
    sim_stats,
)
from exporter.clock import SystemClock
from exporter.collect.publisher import Publisher
from exporter.collect.scheduler import Scheduler
from exporter.metrics.requests import RequestRecorder
from exporter.mist.client import MistClient
from exporter.model import Snapshot
from exporter.state.memory import MemoryStore
from exporter.web.app import build_app, serve
from tests.support.ports import free_port
from tests.support.processes import exporter_env, simulator_process, start_exporter, wait_http

TARGET_CALLS = 60
TARGET_SECONDS = 10.0


class TimedPublisher(Publisher):
    """A publisher that notes when each job first published, and says when all have."""

    def __init__(self, clock: SystemClock, wanted: tuple[str, ...]) -> None:
        super().__init__(clock=clock)
        self.first: dict[str, float] = {}
        self._wanted = set(wanted)
        self.complete = asyncio.Event()

    def publish(self, job: str, parts: Snapshot) -> None:
        super().publish(job, parts)
        self.first.setdefault(job, time.perf_counter())
        if self._wanted <= self.first.keys():
            self.complete.set()


async def warm_simulator(base_url: str) -> None:
    """Walk every job but the deep-dives once, untimed, then zero the simulator's tallies."""
    clock = SystemClock()
    org_id = await discover_org(base_url)
    store = MemoryStore(clock)
    await store.start()
    async with collection(base_url, org_id, store, clock, jobs=first_publish_jobs()) as stack:
        await stack.scheduler.tick()
    await store.close()
    await reset_sim_stats(base_url)


async def in_process(base_url: str, sim_pid: int, *, deep_dive: bool) -> dict[str, Any]:
    """Seconds from start to each job's first publish, the calls spent and the CPU used."""
    await warm_simulator(base_url)
    clock = SystemClock()
    sim_cpu, own_cpu = cpu_seconds(sim_pid), time.process_time()
    started = time.perf_counter()
    config = config_for(base_url, "")
    async with MistClient(config.mist, clock=clock) as client:
        org_id = await client.discover_org()
    config = config_for(base_url, org_id)
    store = MemoryStore(clock)
    await store.start()
    publisher = TimedPublisher(clock, FIRST_PUBLISH_JOBS)
    recorder = RequestRecorder()
    async with MistClient(config.mist, clock=clock, store=store, observers=[recorder]) as client:
        scheduler = Scheduler(
            client=client,
            store=store,
            clock=clock,
            config=config,
            org_id=org_id,
            publisher=publisher,
            jobs=None if deep_dive else first_publish_jobs(),
        )
        await scheduler.warm_start()
        runner = await serve(build_app(publisher, recorder, clock=clock), ("127.0.0.1", 0))
        task = asyncio.create_task(scheduler.run_forever())
        try:
            await asyncio.wait_for(publisher.complete.wait(), timeout=300)
            sim_cpu, own_cpu = cpu_seconds(sim_pid) - sim_cpu, time.process_time() - own_cpu
            stats = await sim_stats(base_url)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await runner.cleanup()
    await store.close()
    by_job = calls_by_job(stats["calls"])
    dive_calls = by_job.pop("deep_dive", 0)
    published = {j: publisher.first[j] - started for j in FIRST_PUBLISH_JOBS}
    return {
        "seconds": max(published.values()),
        "publish_seconds": published,
        "calls": sum(by_job.values()),
        "calls_by_job": by_job,
        "deep_dive_calls_meanwhile": dive_calls,
        "rate_limited": stats["rate_limited"],
        "simulator_cpu_seconds": sim_cpu,
        "exporter_cpu_seconds": own_cpu,
    }


def process_to_ready(base_url: str, directory: Path) -> float:
    """Seconds from starting ``python -m exporter run`` to ``/readyz`` answering 200."""
    started = time.perf_counter()
    proc = start_exporter(directory, exporter_env(base_url), port=free_port())
    try:
        wait_http(f"{proc.url}/readyz", timeout=120, process=proc)
        return time.perf_counter() - started
    finally:
        proc.stop()


def measure(sites: int, latency_ms: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        directory = Path(tmp)
        extra = ["--latency-ms", str(latency_ms)]
        with simulator_process(directory, sites=sites, seed=1, extra=extra) as sim:
            pid = sim.popen.pid
            result = asyncio.run(in_process(sim.url, pid, deep_dive=True))
            held_back = asyncio.run(in_process(sim.url, pid, deep_dive=False))
            asyncio.run(warm_simulator(sim.url))
            result["process_to_ready_seconds"] = process_to_ready(sim.url, directory)
    held_back.pop("deep_dive_calls_meanwhile")
    return {"sites": sites, "latency_ms": latency_ms, **result, "without_deep_dive": held_back}


def run(*, quick: bool = False) -> Report:
    sites, latency_ms = (20, 5.0) if quick else (SITES, LATENCY_MS)
    data = measure(sites, latency_ms)
    data["targets"] = {"calls": TARGET_CALLS, "seconds": TARGET_SECONDS}
    data["met"] = {
        "calls": data["calls"] < TARGET_CALLS,
        "seconds": data["seconds"] < TARGET_SECONDS,
    }
    held = data["without_deep_dive"]
    rows = [
        (
            job,
            data["calls_by_job"].get(job, 0),
            data["publish_seconds"][job],
            held["publish_seconds"][job],
        )
        for job in FIRST_PUBLISH_JOBS
    ]
    rows.append(("discovery (GET /self)", data["calls_by_job"].get("discovery", 0), "-", "-"))
    rows.append(("all but deep_dive", data["calls"], data["seconds"], held["seconds"]))
    notes = (
        f"{sites} sites, {latency_ms:g} ms per call. Targets: under {TARGET_CALLS} calls "
        f"({'met' if data['met']['calls'] else 'NOT met'}), under {TARGET_SECONDS:g} s "
        f"({'met' if data['met']['seconds'] else 'NOT met'}). "
        f"{data['calls'] / BUDGET_PER_HOUR:.1%} of one token's hourly budget.",
        f"Deep-dive calls made meanwhile (not counted): {data['deep_dive_calls_meanwhile']}. "
        f"CPU meanwhile: simulator {data['simulator_cpu_seconds']:.1f} s, exporter "
        f"{data['exporter_cpu_seconds']:.1f} s (without deep-dives: "
        f"{held['simulator_cpu_seconds']:.1f} s and {held['exporter_cpu_seconds']:.1f} s).",
        f"`exporter run` process, exec to /readyz 200: {data['process_to_ready_seconds']:.2f} s.",
    )
    return Report(
        name="cold_start",
        title="Cold start",
        columns=("job", "calls", "first publish (s)", "first publish, no deep-dives (s)"),
        rows=tuple(rows),
        data=data,
        notes=notes,
    )
