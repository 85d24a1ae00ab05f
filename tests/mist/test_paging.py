"""Every paging kind walked to the last record against the simulator's ground truth."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from exporter.clock import ManualClock
from exporter.config import MistConfig
from exporter.mist import endpoints as ep
from exporter.mist.client import MistClient, Page
from exporter.mist.errors import MistHTTPError
from exporter.model import RequestEvent

from .harness import HOUR_START, TOKEN, add_fault, client_for, loopback, sim_stats, simulated


async def walk(client: MistClient, endpoint: ep.Endpoint, **params: Any) -> list[Page]:
    return [page async for page in client.pages(endpoint, **params)]


def rows(pages: list[Page]) -> list[dict[str, Any]]:
    return [row for page in pages for row in page.records]


async def test_header_pages_reach_the_last_record() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock, sites=23) as sim:
        truth = sim.simulator.truth()
        async with client_for(sim, clock) as client:
            sites = await walk(client, ep.SITES, limit=5)
            groups = await walk(client, ep.SITEGROUPS, limit=2)
            gateways = await walk(client, ep.DEVICE_STATS, limit=4)
        stats = await sim_stats(sim)
    assert len(sites) == 5
    assert sorted(r["id"] for r in rows(sites)) == sorted(truth.sites)
    assert {p.total for p in sites} == {23}
    assert sorted(r["id"] for r in rows(groups)) == sorted(truth.sitegroups)
    assert sorted((r["site_id"], r["mac"]) for r in rows(gateways)) == sorted(truth.gateways)
    assert sites[-1].cursor is None
    assert stats["calls"]["/api/v1/orgs/{org_id}/sites"] == 5


async def test_body_pages_reach_the_last_record() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock, sites=23) as sim:
        truth = sim.simulator.truth()
        async with client_for(sim, clock) as client:
            pages = await walk(client, ep.SITES_SLE, duration="1h", limit=10)
    assert len(pages) == 3
    assert {p.total for p in pages} == {truth.sle_rows}
    assert sorted(r["site_id"] for r in rows(pages)) == sorted(truth.sites)


async def test_search_pages_follow_next_to_the_end() -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock, sites=23) as sim:
        truth = sim.simulator.truth()
        async with client_for(sim, clock, events=events) as client:
            ports = await walk(client, ep.PORT_SEARCH, limit=17)
            peers = await walk(client, ep.PEER_SEARCH, limit=50)
            start, end = truth.alarm_window
            alarms = await walk(client, ep.ALARM_SEARCH, start=int(start), end=int(end), limit=3)
    port_keys = [(r["mac"], r["port_id"]) for r in rows(ports)]
    assert len(port_keys) == len(set(port_keys)) == truth.ports
    assert len(ports) == -(-truth.ports // 17)
    assert all(p.cursor for p in ports[:-1])
    assert ports[-1].cursor is None
    peer_keys = sorted(
        (r["site_id"], r["mac"], r["port_id"], r["peer_mac"], r["peer_port_id"])
        for r in rows(peers)
    )
    assert peer_keys == sorted(truth.peer_paths)
    assert len(truth.alarm_ids) > 3
    assert sorted(r["id"] for r in rows(alarms)) == sorted(truth.alarm_ids)
    templates = {e.endpoint for e in events}
    assert templates == {ep.PORT_SEARCH.template, ep.PEER_SEARCH.template, ep.ALARM_SEARCH.template}
    assert all(e.code == 200 and e.retries == 0 for e in events)


async def test_search_walk_resumes_from_a_cursor() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock, sites=10) as sim:
        truth = sim.simulator.truth()
        async with client_for(sim, clock) as client:
            first: list[Page] = []
            async for page in client.pages(ep.PORT_SEARCH, limit=6):
                first.append(page)
                if len(first) == 2:
                    break
            rest = await walk(client, ep.PORT_SEARCH, resume=first[-1].cursor)
    keys = [(r["mac"], r["port_id"]) for r in rows(first + rest)]
    assert len(keys) == len(set(keys)) == truth.ports


async def test_numbered_walk_resumes_from_a_cursor_without_losing_records() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock, sites=30) as sim:
        truth = sim.simulator.truth()
        async with client_for(sim, clock) as client:
            first = await anext(aiter(client.pages(ep.SITES, limit=4)))
            rest = await walk(client, ep.SITES, resume=first.cursor, limit=4)
    assert first.cursor == "2"
    assert sorted(r["id"] for r in rows([first, *rest])) == sorted(truth.sites)
    # A cursor never skips a page not yet delivered, though pages may arrive out of order.
    page_of = {site_id: i // 4 + 1 for i, site_id in enumerate(truth.sites)}
    delivered = {1}
    for page in rest:
        delivered.add(page_of[page.records[0]["id"]])
        expected = min(set(range(1, 9)) - delivered, default=None)
        assert page.cursor == (None if expected is None else str(expected))


async def test_pages_without_a_total_are_walked_until_a_short_page() -> None:
    names = [f"site-{i}" for i in range(23)]

    async def sites(request: web.Request) -> web.Response:
        page, limit = int(request.query["page"]), int(request.query["limit"])
        chunk = names[(page - 1) * limit : page * limit]
        return web.json_response([{"id": name} for name in chunk])

    async with loopback("/api/v1/orgs/{org_id}/sites", sites) as base_url:
        config = MistConfig(base_url=base_url, org_id="o1", tokens=(TOKEN,))
        async with MistClient(config, clock=ManualClock()) as client:
            pages = await walk(client, ep.SITES, limit=10)
            whole = await walk(client, ep.SITES, limit=23)
            calls = client.calls_per_hour_capacity - client.calls_left()
    assert [r["id"] for r in rows(pages)] == names
    assert [(p.cursor, p.total) for p in pages] == [("2", None), ("3", None), (None, None)]
    assert [(p.cursor, len(p.records)) for p in whole] == [("2", 23), (None, 0)]
    assert calls == 5


async def test_a_failing_page_fails_the_walk_and_stops_the_other_requests() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock, sites=60, latency_ms=5) as sim:
        async with client_for(sim, clock, max_concurrency=3, max_retries=0) as client:
            pages = aiter(client.pages(ep.SITES, limit=2))
            first = await anext(pages)
            await add_fault(sim, "5xx", "*/sites", status=500)
            with pytest.raises(MistHTTPError, match="HTTP 500"):
                async for _ in pages:
                    pass
            calls_left = client.calls_left()
        stats = await sim_stats(sim)
    assert len(first.records) == 2
    assert stats["in_flight"] == 0
    assert stats["calls"]["/api/v1/orgs/{org_id}/sites"] < 30
    assert 5000 - calls_left >= stats["calls"]["/api/v1/orgs/{org_id}/sites"]
