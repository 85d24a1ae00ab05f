"""The soak's exporter process: simulated hours of collection and /metrics renders, sampled hourly.

``python -m bench.soak_run --sites N --hours H`` starts ``bench.soak_sim`` (the simulator, its
own process, over HTTP on loopback), wires the exporter as ``exporter run`` does (scheduler,
real jobs, publisher, in-memory store) and renders /metrics (OpenMetrics and gzip, as
Prometheus asks) every ``--scrape`` simulated seconds. The shared clock jumps to whatever is due
next (a job, a scrape, an hour's sample) instead of waiting. Each simulated hour it prints one
JSON line: this process's RSS and heap, the simulator's RSS, calls, deep-dives, body size.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import json
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.soak_sim import SharedClock
from bench.stack import collection, sim_stats
from exporter.metrics.render import Format, MetricsRenderer
from exporter.metrics.requests import RequestRecorder
from exporter.state.memory import MemoryStore

HOUR = 3600.0
TOP_OF_HOUR = 1_800_003_600.0  # a whole number of hours since the epoch


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None)
_LIBC.mallinfo2.restype = _MallInfo2


def _die_with_parent() -> None:
    """In the child: SIGTERM when the soak's process ends, however it ends (Linux)."""
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def rss_kib(pid: str = "self") -> int:
    """Current resident set size (``VmRSS``) of ``pid``, KiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as lines:
        for line in lines:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def growth(since: tracemalloc.Snapshot | None, top: int = 8) -> list[tuple[str, int]]:
    """The ``top`` source lines whose traced memory grew most since ``since``, KiB."""
    if since is None:
        return []
    diff = tracemalloc.take_snapshot().compare_to(since, "lineno")
    return [(str(d.traceback), d.size_diff // 1024) for d in diff[:top]]


def store_kib(store: MemoryStore) -> dict[str, int]:
    """KiB of JSON text the store holds, per kind of state."""
    sizes: dict[str, int] = {}
    for kind, _, text, _ in store.live_values():
        sizes[kind] = sizes.get(kind, 0) + len(text)
    return {kind: size // 1024 for kind, size in sorted(sizes.items())}


def memory(sim_pid: int) -> dict[str, Any]:
    """RSS of both processes; the malloc heap in use, Python's blocks, gc objects, tracemalloc."""
    info = _LIBC.mallinfo2()
    return {
        "rss_kib": rss_kib(),
        "sim_rss_kib": rss_kib(str(sim_pid)),
        "malloc_in_use_kib": (info.uordblks + info.hblkhd) // 1024,
        "malloc_free_kib": info.fordblks // 1024,
        "python_blocks": sys.getallocatedblocks(),
        "gc_objects": len(gc.get_objects()),
        "traced_kib": tracemalloc.get_traced_memory()[0] // 1024
        if tracemalloc.is_tracing()
        else None,
    }


@contextmanager
def simulator(clock_file: Path, sites: int) -> Iterator[tuple[int, str, str]]:
    """``bench.soak_sim`` running on ``clock_file``: its pid, org id and base URL."""
    args = ["--clock-file", str(clock_file), "--sites", str(sites)]
    with subprocess.Popen(
        [sys.executable, "-m", "bench.soak_sim", *args],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_die_with_parent,
    ) as proc:
        try:
            assert proc.stdout is not None
            announced = dict(proc.stdout.readline().split() for _ in range(2))
            yield proc.pid, announced["org_id"], announced["base_url"]
        finally:
            proc.terminate()


async def soak(sites: int, hours: float, scrape: float, clock_file: Path) -> None:
    """Print one JSON line per simulated hour (hour 0: before the first job)."""
    clock = SharedClock(clock_file, TOP_OF_HOUR)
    store = MemoryStore(clock)
    await store.start()
    with simulator(clock_file, sites) as (sim_pid, org, base_url):
        async with collection(base_url, org, store, clock) as stack:
            renderer = MetricsRenderer(stack.publisher, RequestRecorder())
            started, calls, end = time.perf_counter(), 0, TOP_OF_HOUR + hours * HOUR
            next_scrape, next_sample, body = TOP_OF_HOUR, TOP_OF_HOUR, 0
            baseline: tracemalloc.Snapshot | None = None
            while True:
                now = clock.time()
                if now >= next_sample:
                    total = (await sim_stats(base_url))["total_calls"]
                    gc.collect()
                    sample = {
                        "hour": round((now - TOP_OF_HOUR) / HOUR, 3),
                        "wall_seconds": round(time.perf_counter() - started, 1),
                        "calls": total - calls,
                        "renders": renderer.renders,
                        "deep_dives": len(stack.publisher.snapshot.deep_dives),
                        "gzip_bytes": body,
                        "store_kib": store_kib(store),
                        **memory(sim_pid),
                    }
                    if tracemalloc.is_tracing():
                        sample["traced_growth_kib"] = growth(baseline)
                        if now - TOP_OF_HOUR == HOUR:
                            baseline = tracemalloc.take_snapshot()
                    print(json.dumps(sample), flush=True)
                    calls, next_sample = total, next_sample + HOUR
                if now >= end:
                    break
                next_due = await stack.scheduler.tick()
                if clock.time() >= next_scrape:
                    chunks = await renderer.body(Format.OPENMETRICS, gzip=True)
                    body, next_scrape = sum(map(len, chunks)), clock.time() + scrape
                target = max(min(next_due, next_scrape, next_sample), now + 1)
                clock.advance(target - clock.time())
    await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak_run")
    parser.add_argument("--sites", type=int, default=3208)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--scrape", type=float, default=60.0, help="simulated s between renders")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace the Python heap (slow): what grew since hour 1",
    )
    args = parser.parse_args(argv)
    if args.tracemalloc:
        tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        asyncio.run(soak(args.sites, args.hours, args.scrape, Path(tmp) / "clock"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
