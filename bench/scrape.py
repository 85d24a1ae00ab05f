"""Scrape: /metrics latency, bytes and server CPU, the exporter beside a naive registry.

A server process (``bench.snapshot_server``) holds the snapshot and serves it both ways over
loopback; this process scrapes with aiohttp, 1 and then 10 scrapers at a time, and reads the
server's CPU time from ``/proc/<pid>/stat`` around each phase. Scrapes ask for the text format
without compression (what ``generate_latest`` writes), and the exporter is also scraped with
gzip as Prometheus asks. A few unmeasured scrapes first let the exporter render its cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.proc import TICKS, cpu_seconds
from bench.report import Report, percentile
from bench.stack import SITES
from tests.support.processes import simulator_process

TEXT = {"Accept": "text/plain;version=0.0.4", "Accept-Encoding": "identity"}
GZIP = {"Accept": "text/plain;version=0.0.4", "Accept-Encoding": "gzip"}
TARGET_RATIO = 10.0


@dataclass(frozen=True, slots=True)
class Server:
    pid: int
    exporter: str
    naive: str
    series: int
    naive_fill_seconds: float


@contextlib.contextmanager
def snapshot_server(source: str, sites: int, sim_url: str | None) -> Iterator[Server]:
    args = [sys.executable, "-m", "bench.snapshot_server", "--source", source]
    args += ["--sites", str(sites), *(["--sim-url", sim_url] if sim_url else [])]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"snapshot server exited {proc.wait()}")
        ready = json.loads(line)
        yield Server(
            proc.pid,
            f"http://127.0.0.1:{ready['exporter']}/metrics",
            f"http://127.0.0.1:{ready['naive']}/metrics",
            ready["series"],
            ready["naive_fill_seconds"],
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


async def scrape_once(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> bytes:
    async with session.get(url, headers=headers) as response:
        response.raise_for_status()
        return await response.read()


async def phase(
    server: Server, url: str, headers: dict[str, str], scrapers: int, each: int
) -> dict[str, Any]:
    """``scrapers`` concurrent loops of ``each`` scrapes: latencies, bytes, server CPU."""
    latencies: list[float] = []
    sizes: set[int] = set()

    async def scraper(session: aiohttp.ClientSession) -> None:
        for _ in range(each):
            t0 = time.perf_counter()
            body = await scrape_once(session, url, headers)
            latencies.append(time.perf_counter() - t0)
            sizes.add(len(body))

    connector = aiohttp.TCPConnector(limit=scrapers)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:
        cpu0, t0 = cpu_seconds(server.pid), time.perf_counter()
        await asyncio.gather(*(scraper(session) for _ in range(scrapers)))
        wall, cpu = time.perf_counter() - t0, cpu_seconds(server.pid) - cpu0
    return {
        "scrapers": scrapers,
        "scrapes": len(latencies),
        "p50_seconds": percentile(latencies, 0.5),
        "p99_seconds": percentile(latencies, 0.99),
        "max_seconds": max(latencies),
        "scrapes_per_second": len(latencies) / wall,
        "server_cpu_seconds_per_scrape": cpu / len(latencies),
        "bytes": max(sizes),
    }


def series_in(body: bytes) -> int:
    return sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))


def series_by_family(body: bytes) -> dict[str, int]:
    """Series per sample name, most first."""
    names = Counter(
        line.partition(b"{")[0].partition(b" ")[0].decode()
        for line in body.splitlines()
        if line and not line.startswith(b"#")
    )
    return dict(names.most_common())


def render_seconds(body: bytes) -> float:
    for line in body.splitlines():
        if line.startswith(b"mist_scrape_render_seconds "):
            return float(line.split()[1])
    raise ValueError("no mist_scrape_render_seconds in the body")


async def measure_server(server: Server, quick: bool) -> dict[str, Any]:
    fast, slow = ((3, 1), (1, 1)) if quick else ((50, 10), (5, 1))
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        cpu0, t0 = cpu_seconds(server.pid), time.perf_counter()
        body = await scrape_once(session, server.exporter, TEXT)
        first = {"seconds": time.perf_counter() - t0, "cpu_seconds": cpu_seconds(server.pid) - cpu0}
        await scrape_once(session, server.exporter, GZIP)
        naive_body = await scrape_once(session, server.naive, TEXT)
        first["render_seconds"] = render_seconds(await scrape_once(session, server.exporter, TEXT))
    phases = {
        "exporter": [await phase(server, server.exporter, TEXT, 1, fast[0])],
        "exporter_gzip": [await phase(server, server.exporter, GZIP, 1, fast[0])],
        "naive": [await phase(server, server.naive, TEXT, 1, slow[0])],
    }
    phases["exporter"].append(await phase(server, server.exporter, TEXT, 10, fast[1]))
    phases["exporter_gzip"].append(await phase(server, server.exporter, GZIP, 10, fast[1]))
    phases["naive"].append(await phase(server, server.naive, TEXT, 10, slow[1]))
    ratios = [
        {
            "scrapers": e["scrapers"],
            "p50": n["p50_seconds"] / e["p50_seconds"],
            "p99": n["p99_seconds"] / e["p99_seconds"],
            "cpu": n["server_cpu_seconds_per_scrape"]
            / max(e["server_cpu_seconds_per_scrape"], 1 / TICKS / e["scrapes"]),
        }
        for e, n in zip(phases["exporter"], phases["naive"], strict=True)
    ]
    return {
        "series": series_in(body),
        "series_by_name": series_by_family(body),
        "naive_series": series_in(naive_body),
        "naive_fill_seconds": server.naive_fill_seconds,
        "first_scrape": first,
        "phases": phases,
        "naive_over_exporter": ratios,
    }


def measure(quick: bool) -> dict[str, Any]:
    sites = 20 if quick else SITES
    results: dict[str, Any] = {"sites": sites}
    with snapshot_server("reference", sites, None) as server:
        results["reference"] = asyncio.run(measure_server(server, quick))
    with (
        tempfile.TemporaryDirectory(prefix="bench-scrape-") as tmp,
        simulator_process(Path(tmp), sites=sites, seed=1) as sim,
        snapshot_server("simulated", sites, sim.url) as server,
    ):
        results["simulated"] = asyncio.run(measure_server(server, quick))
    return results


def run(*, quick: bool = False) -> Report:
    data = measure(quick)
    rows = []
    for source in ("reference", "simulated"):
        for kind, phases in data[source]["phases"].items():
            for p in phases:
                rows.append(
                    (
                        source,
                        kind.replace("_", " + "),
                        p["scrapers"],
                        p["scrapes"],
                        p["p50_seconds"] * 1000,
                        p["p99_seconds"] * 1000,
                        p["server_cpu_seconds_per_scrape"] * 1000,
                        p["bytes"],
                    )
                )
    data["met"] = {
        source: all(r["p50"] >= TARGET_RATIO for r in data[source]["naive_over_exporter"])
        for source in ("reference", "simulated")
    }
    notes = [f"{data['sites']} sites. Target: exporter at least {TARGET_RATIO:g}x faster."]
    for source in ("reference", "simulated"):
        d = data[source]
        ratios = ", ".join(
            f"{r['scrapers']} scraper(s): p50 {r['p50']:.0f}x, p99 {r['p99']:.0f}x, "
            f"CPU {r['cpu']:.0f}x"
            for r in d["naive_over_exporter"]
        )
        notes.append(
            f"{source}: {d['series']:,} series (naive {d['naive_series']:,}); naive/exporter "
            f"{ratios} ({'met' if data['met'][source] else 'NOT met'}). First scrape of a new "
            f"snapshot {d['first_scrape']['seconds'] * 1000:.0f} ms (render "
            f"{d['first_scrape']['render_seconds'] * 1000:.0f} ms, server CPU "
            f"{d['first_scrape']['cpu_seconds'] * 1000:.0f} ms)."
        )
    return Report(
        name="scrape",
        title="Scrape",
        columns=(
            "snapshot",
            "server",
            "scrapers",
            "scrapes",
            "p50 (ms)",
            "p99 (ms)",
            "server CPU/scrape (ms)",
            "bytes",
        ),
        rows=tuple(rows),
        data=data,
        notes=tuple(notes),
    )
