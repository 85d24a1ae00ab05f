"""/metrics over real HTTP: formats, gzip, HEAD, single-flight under concurrent scrapes."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import re

import aiohttp
import pytest

from exporter.metrics.render import Format
from exporter.metrics.requests import RequestRecorder
from exporter.metrics.snapshot_families import PARTS
from exporter.model import RequestEvent
from exporter.web.app import RENDERER, accepts_gzip, build_app
from tests.metrics.exposition import parse
from tests.metrics.test_render import PROMETHEUS_ACCEPT, eventually
from tests.support.snapshots import StaticSource, healthy_status, one_of_everything
from tests.web.server import running


def source() -> StaticSource:
    return StaticSource(one_of_everything(), healthy_status(), simulated=True)


async def scrapes(
    *headers: dict[str, str], method: str = "GET"
) -> list[tuple[int, dict[str, str], bytes]]:
    """One app, one scrape per headers, raw bytes as sent."""
    results = []
    app = build_app(source(), RequestRecorder())
    async with running(app) as url, aiohttp.ClientSession(auto_decompress=False) as s:
        for h in headers:
            r = await s.request(method, f"{url}/metrics", headers=h)
            results.append((r.status, dict(r.headers), await r.read()))
            r.release()
    return results


async def scrape(headers: dict[str, str], method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    return (await scrapes(headers, method=method))[0]


async def test_text_format_by_default() -> None:
    status, headers, body = await scrape({"Accept-Encoding": "identity"})
    assert status == 200
    assert headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "Content-Encoding" not in headers
    families = parse(body.decode())
    assert families["mist_simulated"].samples[0].value == 1
    assert families["mist_wan_port_up"].samples[0].value == 1


async def test_openmetrics_when_negotiated() -> None:
    _, headers, body = await scrape({"Accept": PROMETHEUS_ACCEPT, "Accept-Encoding": "identity"})
    assert headers["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert body.endswith(b"# EOF\n")
    families = parse(body.decode(), Format.OPENMETRICS)
    assert families["mist_site_sle_distribution"].type == "gaugehistogram"
    assert families["mist_wan_port_receive_bytes"].type == "counter"


async def test_gzip_when_asked_and_identical_content() -> None:
    (_, headers, zipped), (_, _, plain) = await scrapes(
        {"Accept-Encoding": "gzip, deflate"}, {"Accept-Encoding": "identity"}
    )
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert int(headers["Content-Length"]) == len(zipped)
    assert gzip.decompress(zipped) == plain
    assert len(zipped) < len(plain)


async def test_head_sends_headers_only() -> None:
    status, headers, body = await scrape({}, method="HEAD")
    assert status == 200
    assert int(headers["Content-Length"]) > 0
    assert body == b""


async def test_concurrent_scrapes_over_http_render_once() -> None:
    recorder = RequestRecorder()
    app = build_app(source(), recorder)
    async with running(app) as url, aiohttp.ClientSession() as s:

        async def scrape(i: int) -> str:
            accept = PROMETHEUS_ACCEPT if i % 2 else "text/plain"
            async with s.get(f"{url}/metrics", headers={"Accept": accept}) as r:
                return await r.text()

        bodies = await asyncio.gather(*(scrape(i) for i in range(16)))
        recorder(RequestEvent("/api/v1/self", 200, 0.1, 0, 0))
        after = await scrape(0)
    assert app[RENDERER].renders == 2
    # Identical apart from the render time, which is that of whichever format rendered last.
    assert len({re.sub(r"\nmist_scrape_render_seconds .*", "", b) for b in bodies}) == 2
    assert 'mist_api_requests_total{code="200",endpoint="/api/v1/self"} 1.0' in after


async def test_a_new_snapshot_is_rendered_before_the_next_scrape() -> None:
    src = source()
    app = build_app(src, RequestRecorder())
    renderer = app[RENDERER]
    async with running(app) as url, aiohttp.ClientSession() as s:
        async with s.get(f"{url}/metrics") as r:
            assert "store1-gw" in await r.text()
        assert renderer.renders == 1
        gateway = dataclasses.replace(src.snapshot.gateways[0], name="renamed-gw")
        src.snapshot = dataclasses.replace(src.snapshot, gateways=(gateway,))
        await eventually(lambda: renderer.renders == 2)
        again = sum("gateways" in part.fields for part in PARTS)  # gateways, WAN ports
        assert (renderer.renders, renderer.part_renders) == (2, len(PARTS) + again)
        async with s.get(f"{url}/metrics") as r:
            assert 'gateway_name="renamed-gw"' in await r.text()
        assert renderer.renders == 2


async def test_gzip_after_a_new_snapshot_recompresses_only_its_changed_parts() -> None:
    src = source()
    app = build_app(src, RequestRecorder())
    renderer = app[RENDERER]
    zipped = {"Accept": PROMETHEUS_ACCEPT, "Accept-Encoding": "gzip"}
    async with running(app) as url, aiohttp.ClientSession(auto_decompress=False) as s:
        async with s.get(f"{url}/metrics", headers=zipped) as r:
            await r.read()
        ports = tuple(dataclasses.replace(p, transmit_bytes=7.0) for p in src.snapshot.wan_ports)
        src.snapshot = dataclasses.replace(src.snapshot, wan_ports=ports)
        async with s.get(f"{url}/metrics", headers=zipped) as r:
            assert r.headers["Content-Encoding"] == "gzip"
            body = gzip.decompress(await r.read())
        plain_headers = {"Accept": PROMETHEUS_ACCEPT, "Accept-Encoding": "identity"}
        async with s.get(f"{url}/metrics", headers=plain_headers) as r:
            plain = await r.read()
    assert renderer.part_compressions == len(PARTS) + 1
    assert body == plain
    assert b"mist_wan_port_transmit_bytes_total{" in body
    assert b"} 7.0\n" in body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("identity", False),
        ("gzip", True),
        ("deflate, gzip;q=1.0, *;q=0.5", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("br, *", True),
        ("br", False),
    ],
)
def test_gzip_negotiation(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected
