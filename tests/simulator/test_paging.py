"""Walking every paged endpoint to its end yields every record exactly once."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import pytest

from exporter.clock import ManualClock
from exporter.simulator import GroundTruth, SimConfig
from tests.simulator.support import T0, TIDY, Client, simulator


def _once(rows: list[Any], key: Callable[[Any], Hashable], expected: set[Any]) -> None:
    keys = [key(row) for row in rows]
    assert len(keys) == len(set(keys)), "a record came twice"
    assert set(keys) == expected


async def _walk_all(client: Client, org_id: str, truth: GroundTruth, limit: int, days: int) -> None:
    org = f"/api/v1/orgs/{org_id}"
    sites = await client.walk_headers(f"{org}/sites", limit)
    _once(sites, lambda r: r["id"], set(truth.sites))
    groups = await client.walk_headers(f"{org}/sitegroups", 2)
    _once(groups, lambda r: r["id"], set(truth.sitegroups))
    assert {s for g in groups if g["name"].startswith("Region-") for s in g["site_ids"]} == set(
        truth.sites
    )
    gateways = await client.walk_headers(f"{org}/stats/devices", limit, type="gateway")
    _once(gateways, lambda r: (r["site_id"], r["mac"]), set(truth.gateways))
    ports = await client.walk_search(f"{org}/stats/ports/search", limit, device_type="gateway")
    assert len(ports) == truth.ports
    wan = [r for r in ports if r["port_usage"] == "wan"]
    _once(wan, lambda r: (r["site_id"], r["mac"], r["port_id"]), set(truth.wan_ports))
    _once(ports, lambda r: (r["mac"], r["port_id"]), {(r["mac"], r["port_id"]) for r in ports})
    peers = await client.walk_search(f"{org}/stats/vpn_peers/search", limit)
    _once(
        peers,
        lambda r: (r["site_id"], r["mac"], r["port_id"], r["peer_mac"], r["peer_port_id"]),
        set(truth.peer_paths),
    )
    sle = await client.walk_body(f"{org}/insights/sites-sle", limit, sle="wan", duration="1h")
    _once(sle, lambda r: r["site_id"], set(truth.sites))
    window = {"start": int(T0 - days * 86400), "end": int(T0)}
    alarms = await client.walk_search(f"{org}/alarms/search", limit, **window)
    _once(alarms, lambda r: r["id"], set(truth.alarm_ids))
    assert [a["timestamp"] for a in alarms] == sorted(a["timestamp"] for a in alarms)


# Page sizes are chosen so every kind of page boundary is crossed at each fleet size.
@pytest.mark.parametrize(
    ("sites", "limit", "days"),
    [
        (0, 3, 30),
        (1, 2, 60),
        pytest.param(1000, 1000, 3, marks=pytest.mark.slow),
        pytest.param(1001, 1000, 3, marks=pytest.mark.slow),
        pytest.param(3208, 1000, 1, marks=pytest.mark.slow),
    ],
)
async def test_every_paged_endpoint_walks_to_the_end_exactly_once(
    sites: int, limit: int, days: int
) -> None:
    # Tidy: "exactly once" is Mist's paging itself; the live habits repeat rows on purpose
    # (tests/simulator/test_live.py walks those).
    async with simulator(SimConfig(sites=sites, live=TIDY)) as (running, client):
        truth = running.simulator.truth(alarms_since=T0 - days * 86400)
        assert len(truth.sites) == sites
        if sites:
            assert len(truth.alarm_ids) > limit
            assert truth.ports > limit
        await _walk_all(client, running.simulator.org_id, truth, limit, days)


async def test_exactly_full_pages_end_without_an_extra_page() -> None:
    async with simulator(SimConfig(sites=1000)) as (running, client):
        org = f"/api/v1/orgs/{running.simulator.org_id}"
        first = await client.get(f"{org}/sites", limit=1000)
        assert first.headers["X-Page-Total"] == "1000"
        assert len(first.json()) == 1000
        assert (await client.ok(f"{org}/sites", limit=1000, page=2)) == []
        body = await client.ok(f"{org}/insights/sites-sle", sle="wan", limit=1000)
        assert (body["total"], len(body["results"])) == (1000, 1000)
        site_id = running.simulator.truth().sites[0]
        everything = await client.ok(f"{org}/stats/ports/search", site_id=site_id)
        count = everything["total"]
        assert len(everything["results"]) == count > 1
        exact = await client.ok(f"{org}/stats/ports/search", site_id=site_id, limit=count)
        assert "next" not in exact
        short = await client.ok(f"{org}/stats/ports/search", site_id=site_id, limit=count - 1)
        rest = await client.ok(short["next"])
        assert (len(rest["results"]), "next" in rest) == (1, False)
        assert short["results"] + rest["results"] == exact["results"]


async def test_limit_is_capped_at_1000_and_bad_values_are_refused() -> None:
    async with simulator(SimConfig(sites=1001)) as (running, client):
        org = f"/api/v1/orgs/{running.simulator.org_id}"
        response = await client.get(f"{org}/sites", limit=5000)
        assert response.headers["X-Page-Limit"] == "1000"
        assert len(response.json()) == 1000
        assert (await client.get(f"{org}/sites", limit="many")).status == 400
        assert (await client.get(f"{org}/sites", page=0)).status == 400
        bad = await client.get(f"{org}/stats/ports/search", search_after="not-a-cursor")
        assert bad.status == 400


async def test_alarm_pages_stay_consistent_while_new_alarms_arrive() -> None:
    clock = ManualClock(T0)
    async with simulator(SimConfig(sites=1001), clock) as (running, client):
        path = f"/api/v1/orgs/{running.simulator.org_id}/alarms/search"
        truth = running.simulator.truth(alarms_since=T0 - 86400)
        body = await client.ok(path, duration="1d", limit=100)
        rows = list(body["results"])
        while "next" in body:
            clock.advance(600)
            body = await client.ok(body["next"])
            rows.extend(body["results"])
        assert [r["id"] for r in rows] == list(truth.alarm_ids)
        later = await client.ok(path, start=int(T0 - 86400), limit=1000)
        assert later["total"] > len(truth.alarm_ids)


async def test_alarms_page_newest_first_with_sort_descending() -> None:
    async with simulator(SimConfig(sites=200)) as (running, client):
        path = f"/api/v1/orgs/{running.simulator.org_id}/alarms/search"
        truth = running.simulator.truth(alarms_since=T0 - 86400)
        rows = await client.walk_search(path, 7, duration="1d", sort="-timestamp")
        assert [r["id"] for r in rows] == list(reversed(truth.alarm_ids))
        assert len(rows) > 7
