"""Warm restart: a new exporter on the same Redis publishes at once and re-fetches nothing fresh.

One full collection (every job once, deep-dives included) fills a real redis-server from the
simulator (its own process, 100 ms per call). Then a new stack starts on the same Redis, wired as
``exporter run`` wires it: it opens the store, publishes what it holds (``warm_start``), serves
/metrics and runs the scheduler for a few seconds. Calls are counted per job; a job whose data
was still fresh at the restart must spend none. The real ``exporter run`` process is timed too,
from ``exec`` to ``/readyz`` answering 200 on the same Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.report import Report
from bench.stack import LATENCY_MS, SITES, calls_by_job, collection, discover_org, sim_stats
from exporter.clock import SystemClock
from exporter.collect.scheduler import all_jobs
from exporter.config import StateConfig
from exporter.metrics.requests import RequestRecorder
from exporter.state import open_store
from exporter.web.app import build_app, serve
from tests.support.ports import free_port
from tests.support.processes import exporter_env, simulator_process, start_exporter, wait_http
from tests.support.redis import RedisServer

TARGET_SECONDS = 2.0
WATCH_SECONDS = 5.0
JOBS = tuple(job.name for job in all_jobs())


async def fill(base_url: str, redis_url: str, org_id: str) -> float:
    """One full collection into Redis; its wall seconds."""
    clock = SystemClock()
    store = open_store(StateConfig(redis_url=redis_url), org_id, clock)
    await store.start()
    started = time.perf_counter()
    async with collection(base_url, org_id, store, clock) as stack:
        await stack.scheduler.tick()
    await store.close()
    return time.perf_counter() - started


async def restart(base_url: str, redis_url: str, org_id: str, watch: float) -> dict[str, Any]:
    """Start a stack on the warm Redis: seconds to publish and to a full scrape, calls spent."""
    before = (await sim_stats(base_url))["calls"]
    clock = SystemClock()
    started = time.perf_counter()
    store = open_store(StateConfig(redis_url=redis_url), org_id, clock)
    await store.start()
    async with collection(base_url, org_id, store, clock) as stack:
        await stack.scheduler.warm_start()
        published = time.perf_counter() - started
        now = clock.time()
        next_run = {s.job: s.next_run or 0.0 for s in stack.scheduler.statuses()}
        recorder = RequestRecorder()
        runner = await serve(build_app(stack.publisher, recorder, clock=clock), ("127.0.0.1", 0))
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/metrics"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            body = await response.read()
        scraped = time.perf_counter() - started
        task = asyncio.create_task(stack.scheduler.run_forever())
        await asyncio.sleep(watch)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        ended = clock.time()
        await runner.cleanup()
        jobs_published = sorted(stack.publisher.snapshot.published)
    await store.close()
    after = (await sim_stats(base_url))["calls"]
    spent = calls_by_job({k: v - before.get(k, 0) for k, v in after.items()})
    spent = {job: n for job, n in spent.items() if n}
    fresh = [job for job, at in next_run.items() if at > ended]
    return {
        "publish_seconds": published,
        "first_scrape_seconds": scraped,
        "first_scrape_bytes": len(body),
        "jobs_published": jobs_published,
        "due_after_restart_seconds": {job: at - now for job, at in next_run.items()},
        "fresh_jobs": fresh,
        "watch_seconds": ended - now,
        "calls_by_job": spent,
        "calls_for_fresh_data": sum(spent.get(job, 0) for job in fresh),
    }


def process_restart(base_url: str, redis_url: str, org_id: str, directory: Path) -> float:
    """Seconds from starting ``python -m exporter run`` on the warm Redis to ``/readyz`` 200."""
    env = {**exporter_env(base_url, redis_url=redis_url), "MIST_ORG_ID": org_id}
    started = time.perf_counter()
    proc = start_exporter(directory, env, port=free_port())
    try:
        wait_http(f"{proc.url}/readyz", timeout=120, process=proc)
        return time.perf_counter() - started
    finally:
        proc.stop()


def measure(sites: int, latency_ms: float, watch: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as tmp:
        directory = Path(tmp)
        redis = RedisServer(directory)
        redis.start()
        try:
            extra = ["--latency-ms", str(latency_ms)]
            with simulator_process(directory, sites=sites, seed=1, extra=extra) as sim:
                org_id = asyncio.run(discover_org(sim.url))
                fill_seconds = asyncio.run(fill(sim.url, redis.url, org_id))
                result = asyncio.run(restart(sim.url, redis.url, org_id, watch))
                result["process_to_ready_seconds"] = process_restart(
                    sim.url, redis.url, org_id, directory
                )
        finally:
            redis.stop()
    return {"sites": sites, "latency_ms": latency_ms, "fill_seconds": fill_seconds, **result}


def run(*, quick: bool = False) -> Report:
    sites, latency_ms, watch = (20, 5.0, 0.5) if quick else (SITES, LATENCY_MS, WATCH_SECONDS)
    data = measure(sites, latency_ms, watch)
    data["target_seconds"] = TARGET_SECONDS
    data["met"] = {
        "seconds": data["publish_seconds"] < TARGET_SECONDS,
        "no_calls_for_fresh_data": data["calls_for_fresh_data"] == 0,
    }
    rows = tuple(
        (
            job,
            "yes" if job in data["jobs_published"] else "no",
            max(0.0, data["due_after_restart_seconds"][job]),
            "yes" if job in data["fresh_jobs"] else "no (ran when due)",
            data["calls_by_job"].get(job, 0),
        )
        for job in JOBS
    )
    notes = (
        f"{sites} sites, {latency_ms:g} ms per call; the full collection that filled Redis took "
        f"{data['fill_seconds']:.1f} s. Restart to full publish: {data['publish_seconds']:.2f} s "
        f"(target under {TARGET_SECONDS:g} s: {'met' if data['met']['seconds'] else 'NOT met'}); "
        f"to the first complete /metrics body ({data['first_scrape_bytes']:,} bytes): "
        f"{data['first_scrape_seconds']:.2f} s.",
        f"Calls for data still fresh in the {data['watch_seconds']:.1f} s after the restart: "
        f"{data['calls_for_fresh_data']} "
        f"({'met' if data['met']['no_calls_for_fresh_data'] else 'NOT met'}); a job whose data "
        "went stale meanwhile ran when due. `exporter run` process on the warm Redis, exec to "
        "/readyz 200: "
        f"{data['process_to_ready_seconds']:.2f} s.",
    )
    return Report(
        name="warm_restart",
        title="Warm restart",
        columns=(
            "job",
            "published at once",
            "next due after restart (s)",
            "fresh all along",
            "calls after restart",
        ),
        rows=rows,
        data=data,
        notes=notes,
    )
