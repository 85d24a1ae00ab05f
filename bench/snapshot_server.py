"""A process serving one snapshot twice: the exporter's /metrics and a naive registry's.

``python -m bench.snapshot_server --source reference --sites 3208`` builds (or collects) the
snapshot, then serves the exporter's web app on one loopback port and, on another, a
prometheus_client registry holding the same series as plain Gauges rendered with
``generate_latest`` on every scrape. When both listen it prints one JSON line with the ports,
the series count and how long the naive registry took to fill, then serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Iterable, Sequence

from aiohttp import web
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import Metric

from bench.sources import SOURCES, snapshot_from
from exporter.metrics.requests import RequestRecorder
from exporter.metrics.self_families import self_families
from exporter.metrics.snapshot_families import snapshot_families
from exporter.web.app import build_app, serve
from tests.support.snapshots import StaticSource, healthy_status

HOST = "127.0.0.1"


def naive_registry(families: Iterable[Metric]) -> tuple[CollectorRegistry, int]:
    """One plain Gauge per sample name, a child per label set, as a poller would set them.

    A Gauge has fixed label names: a label only some samples carry (``node`` on HA gateways)
    is set to "" on the others, as a poller would have to.
    """
    registry = CollectorRegistry(auto_describe=False)
    gauges: dict[str, Gauge] = {}
    series = 0
    for family in families:
        names: dict[str, list[str]] = {}
        for sample in family.samples:
            known = names.setdefault(sample.name, [])
            known += [label for label in sample.labels if label not in known]
        for sample in family.samples:
            gauge = gauges.get(sample.name)
            if gauge is None:
                gauge = Gauge(
                    sample.name, family.documentation, names[sample.name], registry=registry
                )
                gauges[sample.name] = gauge
            if names[sample.name]:
                labels = {label: sample.labels.get(label, "") for label in names[sample.name]}
                gauge.labels(**labels).set(sample.value)
            else:
                gauge.set(sample.value)
            series += 1
    return registry, series


def naive_app(registry: CollectorRegistry) -> web.Application:
    async def metrics(request: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4}
        )

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    return app


async def main_async(source: str, sites: int, sim_url: str | None) -> None:
    snapshot = await snapshot_from(source, sites, sim_url)
    status = healthy_status()
    exporter = await serve(build_app(StaticSource(snapshot, status), RequestRecorder()), (HOST, 0))
    started = time.perf_counter()
    families = [
        *snapshot_families(snapshot),
        *self_families(status, simulated=False, requests={}, render_seconds=None),
    ]
    registry, series = naive_registry(families)
    fill_seconds = time.perf_counter() - started
    naive = web.AppRunner(naive_app(registry), access_log=None)
    await naive.setup()
    await web.TCPSite(naive, HOST, 0).start()
    ready = {
        "exporter": exporter.addresses[0][1],
        "naive": naive.addresses[0][1],
        "series": series,
        "naive_fill_seconds": fill_seconds,
    }
    print(json.dumps(ready), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await naive.cleanup()
        await exporter.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.snapshot_server")
    parser.add_argument("--source", choices=SOURCES, default="reference")
    parser.add_argument("--sites", type=int, default=3208)
    parser.add_argument("--sim-url", help="the simulator to collect from (--source simulated)")
    args = parser.parse_args(argv)
    asyncio.run(main_async(args.source, args.sites, args.sim_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
