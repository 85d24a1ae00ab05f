"""Each fault mode, injected by flag or at run time, is observed over HTTP."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

import aiohttp
import pytest

from exporter.simulator import Fault, SimConfig, add_arguments, parse_fault
from exporter.simulator.flags import config_from_args
from tests.simulator.support import Client, Response, simulator
from tests.support.wait import until

SITES = "/api/v1/orgs/{org_id}/sites"


async def _add(client: Client, **fault: Any) -> str:
    async with client.session.post("/__sim/faults", json=fault) as resp:
        assert resp.status == 201, await resp.text()
        return str((await resp.json())["id"])


def _invalid_json(response: Response) -> bool:
    try:
        json.loads(response.text)
    except ValueError:
        return True
    return False


async def _observe(mode: str, client: Client, path: str, normal: Response) -> None:
    """Assert what a client sees from one call hit by ``mode``."""
    if mode == "reset":
        with pytest.raises(aiohttp.ClientConnectionError):
            await client.get(path)
        return
    if mode == "stall":
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.get(path), 0.3)
        return
    response = await client.get(path)
    if mode == "429":
        assert response.status == 429
        assert "5000 API Calls per hour threshold" in response.json()["detail"]
    elif mode == "401":
        assert response.status == 401
    elif mode == "5xx":
        assert response.status in (500, 502, 503)
    elif mode == "html":
        assert (response.status, response.headers["Content-Type"].split(";")[0]) == (
            502,
            "text/html",
        )
        assert "502 Bad Gateway" in response.text
    elif mode == "malformed":
        assert response.status == 200
        assert _invalid_json(response)
    elif mode == "truncated":
        assert response.status == 200
        assert _invalid_json(response)
        assert normal.text.startswith(response.text)
        assert len(response.text) < len(normal.text)
    elif mode == "missing_fields":
        rows = response.json()
        assert len(rows) == len(normal.json())
        assert all("id" not in row and "name" not in row for row in rows)
    else:
        raise AssertionError(mode)


MODES = ("429", "5xx", "stall", "reset", "malformed", "truncated", "html", "missing_fields", "401")


@pytest.mark.parametrize("mode", MODES)
async def test_runtime_fault_is_observed_then_cleared(mode: str) -> None:
    async with simulator(SimConfig(sites=3)) as (running, client):
        path = SITES.format(org_id=running.simulator.org_id)
        normal = await client.get(path)
        await _add(client, mode=mode, endpoint="*/sites")
        assert (await client.get(f"/api/v1/orgs/{running.simulator.org_id}")).status == 200
        await _observe(mode, client, path, normal)
        async with client.session.delete("/__sim/faults") as resp:
            assert (await resp.json())["cleared"] == 1
        assert (await client.get(path)).text == normal.text


@pytest.mark.parametrize("mode", MODES)
async def test_fault_from_the_command_line_flag(mode: str) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--sites", "3", "--fault", f"{mode}:/api/v1/orgs/*/sites"])
    config = config_from_args(args)
    assert config.faults == (Fault(mode, "/api/v1/orgs/*/sites"),)
    async with simulator(config) as (running, client):
        async with client.session.get("/__sim/faults") as resp:
            (listed,) = (await resp.json())["faults"]
        assert (listed["mode"], listed["endpoint"]) == (mode, "/api/v1/orgs/*/sites")
        normal = Response(200, {}, "[]")
        if mode in ("truncated", "missing_fields"):
            async with client.session.delete("/__sim/faults"):
                pass
            normal = await client.get(SITES.format(org_id=running.simulator.org_id))
            await _add(client, mode=mode, endpoint="/api/v1/orgs/*/sites")
        await _observe(mode, client, SITES.format(org_id=running.simulator.org_id), normal)


async def test_count_rate_status_and_retry_after_options() -> None:
    async with simulator(SimConfig(sites=3)) as (running, client):
        path = SITES.format(org_id=running.simulator.org_id)
        await _add(client, mode="5xx", endpoint="/api/v1/orgs/{org_id}/sites", count=3)
        assert [(await client.get(path)).status for _ in range(4)] == [500, 502, 503, 200]
        await _add(client, mode="429", count=1, retry_after=7)
        limited = await client.get("/api/v1/self")
        assert (limited.status, limited.headers["Retry-After"]) == (429, "7")
        await _add(client, mode="html", endpoint="*/self", count=1, status=200)
        page = await client.get("/api/v1/self")
        assert (page.status, page.headers["Content-Type"].split(";")[0]) == (200, "text/html")
        await _add(client, mode="5xx", endpoint="*/self", rate=0.5)
        statuses = [(await client.get("/api/v1/self")).status for _ in range(40)]
        assert 5 < statuses.count(200) < 35
        async with client.session.get("/__sim/stats") as resp:
            stats = await resp.json()
        assert stats["rate_limited"] == 1
        assert stats["calls"]["/api/v1/self"] == 42


async def test_bad_faults_are_refused() -> None:
    async with simulator(SimConfig(sites=1)) as (_, client):
        for body in ({"mode": "explode"}, {"endpoint": "*"}, {"mode": "5xx", "rate": 2}, [1]):
            async with client.session.post("/__sim/faults", json=body) as resp:
                assert resp.status == 400
        async with client.session.get("/__sim/faults") as resp:
            assert (await resp.json())["faults"] == []
    assert parse_fault("5xx:*ports*:0.25") == Fault("5xx", "*ports*", rate=0.25)
    assert parse_fault("stall") == Fault("stall")
    with pytest.raises(ValueError, match="unknown fault mode"):
        parse_fault("boom:*")


async def test_stalled_calls_count_in_flight_and_do_not_hold_up_shutdown() -> None:
    async with simulator(SimConfig(sites=1, faults=(Fault("stall", "*/self"),))) as (
        running,
        client,
    ):
        calls = [asyncio.create_task(client.get("/api/v1/self")) for _ in range(3)]
        await until(
            lambda: running.simulator.stats.in_flight,
            lambda n: n == 3,
            within=30,
            what="3 in flight",
        )
        assert running.simulator.stats.to_json()["in_flight_max"] == 3
        for call in calls:
            call.cancel()
        await asyncio.gather(*calls, return_exceptions=True)


async def test_missing_fields_strips_rows_but_keeps_the_search_envelope() -> None:
    async with simulator(SimConfig(sites=30)) as (running, client):
        path = f"/api/v1/orgs/{running.simulator.org_id}/stats/ports/search"
        await _add(client, mode="missing_fields", endpoint="*/ports/search", count=1)
        body = await client.ok(path, limit=10)
        assert (body["total"], len(body["results"])) == (running.simulator.truth().ports, 10)
        assert "next" in body
        assert all("mac" not in row and "port_id" not in row for row in body["results"])
        assert all("rx_bytes" in row for row in body["results"])
        assert all("mac" in row for row in (await client.ok(body["next"]))["results"])
