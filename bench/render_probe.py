"""A fresh process that renders the synthetic org's /metrics once and reports CPU and memory.

``python -m bench.render_probe --sites 32080`` prints one JSON line: the CPU seconds (every
thread of the process) of a full render in OpenMetrics (what Prometheus negotiates), then of
its gzip, then of a re-render after the WAN ports change (and how many parts it compressed
again), then of the text format; peak RSS (``VmHWM``) before and after; body sizes; series
count. Status as with ten tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bench.memory_probe import rss_kib
from exporter.metrics.render import Format, MetricsRenderer
from exporter.metrics.requests import RequestRecorder
from exporter.model import ExporterStatus, TokenBudget
from tests.support.snapshots import NOW, StaticSource, healthy_status, reference_snapshot

TOKENS = 10


def status(tokens: int = TOKENS) -> ExporterStatus:
    budgets = tuple(TokenBudget(str(i), 4000 + i, NOW + 1800) for i in range(tokens))
    return dataclasses.replace(healthy_status(), budgets=budgets)


async def cpu(action: Callable[[], Awaitable[tuple[bytes, ...]]]) -> tuple[float, int]:
    """CPU seconds of ``action`` (all threads) and the size of the body it returns."""
    started = time.process_time()
    body = await action()
    return time.process_time() - started, sum(map(len, body))


def series_in(chunks: tuple[bytes, ...]) -> int:
    return sum(c.count(b"\n") - c.count(b"\n#") - c.startswith(b"#") for c in chunks)


async def probe(sites: int) -> dict[str, Any]:
    snapshot = reference_snapshot(sites)
    gc.collect()
    result: dict[str, Any] = {"sites": sites, "tokens": TOKENS, "snapshot": rss_kib()}
    source = StaticSource(snapshot, status())
    renderer = MetricsRenderer(source, RequestRecorder())
    om = Format.OPENMETRICS
    result["render_cpu_seconds"], result["bytes"] = await cpu(lambda: renderer.body(om))
    result["gzip_cpu_seconds"], result["gzip_bytes"] = await cpu(
        lambda: renderer.body(om, gzip=True)
    )
    result["series"] = series_in(await renderer.body(om))
    gc.collect()
    result["rendered"] = rss_kib()
    ports = tuple(dataclasses.replace(p, receive_bytes=1.0) for p in snapshot.wan_ports)
    source.snapshot = dataclasses.replace(snapshot, wan_ports=ports)
    compressed = renderer.part_compressions
    result["wan_ports_rerender_cpu_seconds"], _ = await cpu(lambda: renderer.body(om, gzip=True))
    result["wan_ports_rerender_compressions"] = renderer.part_compressions - compressed
    result["text_render_cpu_seconds"], result["text_bytes"] = await cpu(
        lambda: renderer.body(Format.TEXT)
    )
    result["wan_ports"] = len(snapshot.wan_ports)
    result["end"] = rss_kib()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.render_probe")
    parser.add_argument("--sites", type=int, default=3208)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(probe(args.sites))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
