"""The cached /metrics render: single flight, per-part reuse, gzip, formats, scale."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import threading
import zlib
from collections.abc import Callable, Iterator

import pytest

from exporter.metrics.render import EOF, Format, MetricsRenderer, negotiate
from exporter.metrics.requests import RequestRecorder
from exporter.metrics.snapshot_families import PARTS
from exporter.model import AlarmCount, Inventory, Org, RequestEvent, Site, Snapshot
from tests.metrics.exposition import parse, value
from tests.support.snapshots import (
    StaticSource,
    healthy_status,
    one_of_everything,
    reference_snapshot,
)
from tests.support.wait import until

PROMETHEUS_ACCEPT = (
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
)


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait until ``condition()`` holds; fail after 30 seconds."""
    await until(condition, within=30, what="the condition", every=0.01)


def renderer(source: StaticSource, recorder: RequestRecorder | None = None) -> MetricsRenderer:
    return MetricsRenderer(source, recorder or RequestRecorder())


async def test_concurrent_scrapes_render_once() -> None:
    r = renderer(StaticSource(one_of_everything(), healthy_status()))
    bodies = await asyncio.gather(*(r.body(Format.TEXT) for _ in range(20)))
    assert r.renders == 1
    assert len({b"".join(b) for b in bodies}) == 1


async def test_concurrent_gzip_scrapes_compress_once() -> None:
    r = renderer(StaticSource(one_of_everything(), healthy_status()))
    bodies = await asyncio.gather(*(r.body(Format.TEXT, gzip=True) for _ in range(10)))
    assert r.renders == 1
    assert len({gzip.decompress(b"".join(b)) for b in bodies}) == 1


async def test_a_new_snapshot_renders_again_and_only_changed_parts() -> None:
    source = StaticSource(one_of_everything(), healthy_status())
    r = renderer(source)
    first = b"".join(await r.body(Format.TEXT))
    await r.body(Format.TEXT)
    assert (r.renders, r.part_renders) == (1, len(PARTS))
    alarm = AlarmCount("s1", "security", "warn", "rogue_ap", 3)
    source.snapshot = dataclasses.replace(source.snapshot, alarm_counts=(alarm,))
    second = b"".join(await r.body(Format.TEXT))
    assert (r.renders, r.part_renders) == (2, len(PARTS) + 1)
    assert b'site_id="s1"' in second
    assert b'site_id="s1"' not in first


async def test_each_format_renders_its_own_body() -> None:
    r = renderer(StaticSource(one_of_everything(), healthy_status()))
    text = b"".join(await r.body(Format.TEXT)).decode()
    om = b"".join(await r.body(Format.OPENMETRICS)).decode()
    assert r.renders == 2
    assert om.endswith("# EOF\n")
    assert om.count("# EOF") == 1
    assert "# EOF" not in text
    assert "# TYPE mist_site_sle_distribution gaugehistogram" in om
    parsed = parse(om, Format.OPENMETRICS)
    assert value(parsed, "mist_up") == 1
    assert set(parse(text)) == set(parsed)


async def test_self_metrics_are_fresh_on_every_scrape_while_data_is_cached() -> None:
    recorder = RequestRecorder()
    r = renderer(StaticSource(one_of_everything(), healthy_status()), recorder)
    await r.body(Format.TEXT, gzip=True)
    recorder(RequestEvent("/api/v1/orgs/{org_id}/alarms/search", 429, 0.2, 0, 1))
    plain = b"".join(await r.body(Format.TEXT)).decode()
    zipped = gzip.decompress(b"".join(await r.body(Format.TEXT, gzip=True))).decode()
    assert r.renders == 1
    assert plain == zipped
    code = value(parse(plain), "mist_api_requests_total", code="429")
    assert code == 1


@pytest.mark.parametrize("fmt", list(Format))
async def test_gzip_body_is_one_gzip_member_of_the_plain_body(fmt: Format) -> None:
    r = renderer(StaticSource(one_of_everything(), healthy_status()))
    plain = b"".join(await r.body(fmt))
    zipped = b"".join(await r.body(fmt, gzip=True))
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert inflate.decompress(zipped) == plain
    assert inflate.eof
    assert inflate.unused_data == b""
    assert plain.endswith(EOF) == (fmt is Format.OPENMETRICS)


@pytest.mark.parametrize("fmt", list(Format))
async def test_a_changed_part_is_all_that_is_recompressed(fmt: Format) -> None:
    source = StaticSource(one_of_everything(), healthy_status())
    r = renderer(source)
    await r.body(fmt, gzip=True)
    assert r.part_compressions == len(PARTS)
    ports = tuple(dataclasses.replace(p, receive_bytes=1.0) for p in source.snapshot.wan_ports)
    source.snapshot = dataclasses.replace(source.snapshot, wan_ports=ports)
    zipped = b"".join(await r.body(fmt, gzip=True))
    assert r.part_compressions == len(PARTS) + 1
    assert gzip.decompress(zipped) == b"".join(await r.body(fmt))
    other = next(f for f in Format if f is not fmt)
    await r.body(other, gzip=True)
    assert r.part_compressions == 2 * len(PARTS) + 1


@pytest.mark.parametrize("fmt", list(Format))
async def test_gzip_of_a_snapshot_with_empty_parts(fmt: Format) -> None:
    snapshot = Snapshot(inventory=Inventory(Org("o", "Org"), ()))
    r = renderer(StaticSource(snapshot, healthy_status()))
    zipped = b"".join(await r.body(fmt, gzip=True))
    assert gzip.decompress(zipped) == b"".join(await r.body(fmt))


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, Format.TEXT),
        ("", Format.TEXT),
        ("text/plain", Format.TEXT),
        ("text/plain;version=0.0.4;q=1,*/*;q=0.1", Format.TEXT),
        (PROMETHEUS_ACCEPT, Format.OPENMETRICS),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", Format.OPENMETRICS),
        ("application/openmetrics-text;q=0,text/plain", Format.TEXT),
    ],
)
def test_negotiation(accept: str | None, fmt: Format) -> None:
    assert negotiate(accept) is fmt


@pytest.mark.slow
async def test_reference_org_renders_in_a_thread_while_the_loop_runs() -> None:
    snapshot = reference_snapshot()
    r = renderer(StaticSource(snapshot, healthy_status()))
    ticks = 0
    done = False

    async def tick() -> None:
        nonlocal ticks
        while not done:
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    before = ticks
    body = b"".join(await r.body(Format.TEXT))
    during = ticks - before
    done = True
    await ticker
    series = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
    assert len(snapshot.wan_ports) >= 10_000
    assert len(snapshot.peer_paths) >= 13_000
    assert series > 100_000
    assert during > 10
    line = next(x for x in body.splitlines() if x.startswith(b"mist_scrape_render_seconds "))
    assert float(line.split()[1]) == r.last_render_seconds


async def test_a_scrape_cancelled_mid_render_neither_wastes_nor_doubles_it() -> None:
    entered, gate = threading.Event(), threading.Event()

    class GatedSites(tuple[Site, ...]):
        """Sites whose iteration (in the render thread) waits for the test to open the gate."""

        def __iter__(self) -> Iterator[Site]:
            entered.set()
            gate.wait(timeout=30)
            return super().__iter__()

    sites = GatedSites((Site("s1", "Store 1", "north", "GB"),))
    source = StaticSource(Snapshot(inventory=Inventory(Org("o", "Org"), sites)), healthy_status())
    r = renderer(source)
    first = asyncio.create_task(r.body(Format.TEXT))
    await asyncio.to_thread(entered.wait, 30)
    first.cancel()
    second = asyncio.create_task(r.body(Format.TEXT))
    await asyncio.sleep(0.01)
    gate.set()
    body = b"".join(await second)
    with pytest.raises(asyncio.CancelledError):
        await first
    assert r.renders == 1
    assert b'site_name="Store 1"' in body


async def test_keep_warm_renders_new_snapshots_and_reports_a_failing_one_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = StaticSource(one_of_everything(), healthy_status())
    r = renderer(source)
    await r.body(Format.OPENMETRICS)
    warm = asyncio.create_task(r.keep_warm(period=0.01))
    source.snapshot = dataclasses.replace(source.snapshot, alarm_counts=())
    await eventually(lambda: r.renders == 2)
    broken = dataclasses.replace(source.snapshot.gateways[0], uptime_seconds="high")  # type: ignore[arg-type]
    source.snapshot = dataclasses.replace(source.snapshot, gateways=(broken,))
    await eventually(lambda: bool(caplog.records))
    await asyncio.sleep(0.1)
    warm.cancel()
    with pytest.raises(asyncio.CancelledError):
        await warm
    assert [rec.getMessage() for rec in caplog.records] == [
        "rendering /metrics ahead of the next scrape failed"
    ]
    assert r.renders == 2
