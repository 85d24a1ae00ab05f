"""50 concurrent scrapers for 30 s against an exporter with a mid-size org: every scrape
answers, collection keeps its pace, and memory stays bounded."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from pathlib import Path

import aiohttp
import pytest

from tests.reliability.support import scrape, wait_ready, write_config
from tests.support.processes import Process, exporter_env, simulator_process, start_exporter
from tests.support.wait import until

SCRAPERS = 50
LOAD_SECONDS = 30.0
WATCHED = ("gateways", "wan_ports", "alarms")
PERIODIC = ("inventory", "gateways", "wan_ports", "peer_paths", "org_sle", "alarms")
_LAST_SUCCESS = re.compile(
    r'^mist_job_last_success_timestamp_seconds\{mist_job="(\w+)",org_id="[^"]*"\} (\S+)$', re.M
)


def rss_bytes(proc: Process) -> int:
    """Resident set size of the process, from /proc/PID/status (VmRSS, kB)."""
    status = Path(f"/proc/{proc.popen.pid}/status").read_text(encoding="ascii")
    match = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.M)
    assert match is not None, status
    return int(match.group(1)) * 1024


async def scraper(
    session: aiohttp.ClientSession,
    url: str,
    stop: float,
    latencies: list[float],
    errors: list[str],
    sizes: list[int],
) -> None:
    while time.monotonic() < stop:
        t0 = time.monotonic()
        try:
            async with session.get(url) as response:
                body = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        latencies.append(time.monotonic() - t0)
        sizes.append(len(body))
        if status != 200 or "\nmist_up " not in body:
            errors.append(f"HTTP {status}, {len(body)} bytes")


async def watch(
    session: aiohttp.ClientSession, url: str, stop: float, successes: dict[str, set[float]]
) -> None:
    """Note the collectors' last success once a second while the load runs."""
    while time.monotonic() < stop:
        async with session.get(url) as response:
            body = await response.text()
        for collector, value in _LAST_SUCCESS.findall(body):
            if collector in successes:
                successes[collector].add(float(value))
        await asyncio.sleep(1)


@pytest.mark.slow
async def test_fifty_scrapers_for_thirty_seconds(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yml")
    with simulator_process(tmp_path, sites=500, seed=5, extra=["--calls-per-hour", "20000"]) as sim:
        proc = start_exporter(tmp_path, exporter_env(sim.url), args=["--config", str(config)])
        try:
            timeout = aiohttp.ClientTimeout(total=30)
            connector = aiohttp.TCPConnector(limit=SCRAPERS + 1)
            async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
                await wait_ready(session, proc)
                await until(
                    lambda: scrape(session, proc.url),
                    lambda m: (
                        m.value("mist_up") == 1.0 and all(m.last_success(job) for job in PERIODIC)
                    ),
                    within=60,
                    what="a first publish of every periodic job",
                )
                idle = rss_bytes(proc)
                latencies: list[float] = []
                errors: list[str] = []
                successes: dict[str, set[float]] = {job: set() for job in WATCHED}
                started = time.time()
                stop = time.monotonic() + LOAD_SECONDS
                url = f"{proc.url}/metrics"
                sizes: list[int] = []
                load = asyncio.gather(
                    watch(session, url, stop, successes),
                    *(
                        scraper(session, url, stop, latencies, errors, sizes)
                        for _ in range(SCRAPERS)
                    ),
                )
                peak = idle
                while not load.done():
                    peak = max(peak, rss_bytes(proc))
                    await asyncio.wait([load], timeout=0.5)
                await load
                await asyncio.sleep(2)
                after = rss_bytes(proc)
        finally:
            assert proc.stop() == 0
    mib = 1024 * 1024
    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100)[98]
    print(
        f"\nload: {len(latencies)} scrapes by {SCRAPERS} scrapers in {LOAD_SECONDS:.0f} s, "
        f"{max(sizes) / mib:.1f} MiB each, p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; "
        f"RSS idle {idle / mib:.0f} MiB, "
        f"peak {peak / mib:.0f} MiB, after {after / mib:.0f} MiB"
    )
    assert errors == [], f"{len(errors)} failed scrapes, first: {errors[0]}"
    assert len(latencies) >= SCRAPERS
    for job, found in successes.items():
        during = {t for t in found if t > started}
        # Six runs are due in 30 s; starved collection would show one or none. Two leave room
        # for a machine shared with other work.
        assert len(during) >= 2, f"{job} ran {len(during)} time(s) during the load (interval 5 s)"
    assert peak < 2 * idle + 200 * mib, f"RSS peak {peak / mib:.0f} MiB, idle {idle / mib:.0f}"
    assert after < 2 * idle + 200 * mib
