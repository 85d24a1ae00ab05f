"""The status page, /healthz and /readyz over real HTTP, with a manual clock."""

from __future__ import annotations

import dataclasses

import aiohttp

from exporter.clock import ManualClock
from exporter.metrics.requests import RequestRecorder
from exporter.model import ExporterStatus, JobStatus, TokenBudget
from exporter.web.app import build_app
from tests.support.snapshots import NOW, StaticSource, healthy_status, one_of_everything
from tests.web.server import running


async def get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as s, s.get(url) as r:
        return r.status, r.headers["Content-Type"], await r.text()


async def fetch(
    source: StaticSource, path: str, clock: ManualClock | None = None
) -> tuple[int, str, str]:
    app = build_app(source, RequestRecorder(), clock=clock or ManualClock(NOW))
    async with running(app) as url:
        return await get(url + path)


async def test_status_page_lists_collectors_budget_store_and_links() -> None:
    status, content_type, page = await fetch(
        StaticSource(one_of_everything(), healthy_status()), "/"
    )
    assert status == 200
    assert content_type.startswith("text/html")
    for text in ("wan_ports", "peer_paths", "2027-01-15 07:59:55 UTC (5 s ago)", "in 55 s"):
        assert text in page
    assert "<td>1.50 s</td>" in page
    assert "<td>120</td>" in page
    assert "<td>4200</td>" in page
    assert "<td>4990</td>" in page
    assert "redis (up)" in page
    for link in ('href="metrics"', 'href="healthz"', 'href="readyz"'):
        assert link in page
    assert "Simulated data" not in page
    assert ">ready<" in page


async def test_status_page_escapes_everything_and_notes_simulation() -> None:
    evil = '<script>alert("x")</script>&'
    status = ExporterStatus(
        jobs=(JobStatus(evil, last_error=f"HTTP 500: {evil}", errors_total=3),),
        budgets=(TokenBudget(evil, 0, NOW + 60, parked_until=NOW + 60),),
        state_store_up=False,
        state_store_kind="memory",
        started_at=NOW - 10,
    )
    _, _, page = await fetch(StaticSource(exporter_status=status, simulated=True), "/")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    assert "HTTP 500: &lt;script&gt;" in page
    assert "Simulated data" in page
    assert "memory (down)" in page
    assert "not ready: no data published yet" in page
    assert "never" in page


async def test_healthz_is_ok_while_the_process_runs() -> None:
    status, _, body = await fetch(StaticSource(exporter_status=ExporterStatus()), "/healthz")
    assert (status, body) == (200, "ok\n")


async def test_readyz_before_first_publish() -> None:
    status, _, body = await fetch(StaticSource(exporter_status=ExporterStatus()), "/readyz")
    assert status == 503
    assert body == "not ready: no data published yet\n"


async def test_readyz_follows_staleness_of_essential_jobs() -> None:
    clock = ManualClock(NOW)
    source = StaticSource(one_of_everything(), healthy_status())
    app = build_app(source, RequestRecorder(), clock=clock)
    async with running(app) as url:
        assert await get(url + "/readyz") == (200, "text/plain; charset=utf-8", "ready\n")
        clock.advance(175)  # alarms last succeeded 180 s ago: exactly 3 intervals
        assert (await get(url + "/readyz"))[0] == 200
        clock.advance(1)
        status, _, body = await get(url + "/readyz")
        assert status == 503
        assert "gateways last succeeded 181 s ago (limit 180 s)" in body
        assert "inventory" not in body  # not essential
        collectors = tuple(
            dataclasses.replace(c, last_success=clock.now) for c in healthy_status().jobs
        )
        source.exporter_status = dataclasses.replace(healthy_status(), jobs=collectors)
        assert (await get(url + "/readyz"))[0] == 200


async def test_readyz_gives_a_job_that_never_succeeded_three_intervals_from_start() -> None:
    clock = ManualClock(NOW)
    started = dataclasses.replace(
        healthy_status(),
        jobs=tuple(c for c in healthy_status().jobs if c.job != "alarms"),
        started_at=NOW - 100,
    )
    source = StaticSource(one_of_everything(), started)
    app = build_app(source, RequestRecorder(), clock=clock)
    async with running(app) as url:
        assert (await get(url + "/readyz"))[0] == 200
        clock.advance(81)
        status, _, body = await get(url + "/readyz")
    assert status == 503
    assert "alarms never succeeded (limit 180 s)" in body
