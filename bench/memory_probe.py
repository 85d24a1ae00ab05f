"""A fresh process that holds one snapshot and renders /metrics once, then reports its memory.

``python -m bench.memory_probe --source reference --sites 3208`` prints one JSON line: peak RSS
(``VmHWM``) after the imports, after the snapshot is built (or collected from
``--sim-url``) and after one render of the text and gzip bodies, with the current RSS beside.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
from collections.abc import Sequence
from typing import Any

from bench.sources import SOURCES, snapshot_from
from exporter.metrics.render import Format, MetricsRenderer
from exporter.metrics.requests import RequestRecorder
from tests.support.snapshots import StaticSource, healthy_status


def rss_kib() -> dict[str, int]:
    """Peak (``VmHWM``) and current (``VmRSS``) resident set size of this process, KiB.

    ``ru_maxrss`` is kept beside them but is not this process's own peak: Linux carries the
    parent's peak over ``fork`` and ``exec``, so it reads as the benchmark runner's.
    """
    status = {}
    with open("/proc/self/status", encoding="ascii") as lines:
        for line in lines:
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                status[name] = int(value.split()[0])
    return {
        "peak_kib": status["VmHWM"],
        "current_kib": status["VmRSS"],
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


async def probe(source: str, sites: int, sim_url: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {"source": source, "sites": sites, "imported": rss_kib()}
    snapshot = await snapshot_from(source, sites, sim_url)
    gc.collect()
    result["snapshot"] = rss_kib()
    renderer = MetricsRenderer(StaticSource(snapshot, healthy_status()), RequestRecorder())
    text = await renderer.body(Format.TEXT, gzip=False)
    gzipped = await renderer.body(Format.TEXT, gzip=True)
    gc.collect()
    result["rendered"] = rss_kib()
    result["counts"] = {
        "gateways": len(snapshot.gateways),
        "wan_ports": len(snapshot.wan_ports),
        "peer_paths": len(snapshot.peer_paths),
        "deep_dives": len(snapshot.deep_dives),
    }
    result["bytes"] = sum(map(len, text))
    result["gzip_bytes"] = sum(map(len, gzipped))
    result["render_seconds"] = renderer.last_render_seconds
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory_probe")
    parser.add_argument("--source", choices=SOURCES, default="reference")
    parser.add_argument("--sites", type=int, default=3208)
    parser.add_argument("--sim-url", help="the simulator to collect from (--source simulated)")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(probe(args.source, args.sites, args.sim_url))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
