"""Running the simulator: the ``simulate`` entry point, latency, concurrency and stats."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import aiohttp
import pytest

from exporter.config import DEMO_TOKEN
from exporter.simulator import SimConfig, add_arguments, run
from tests.simulator.support import simulator
from tests.support.ports import free_port
from tests.support.wait import until


async def test_run_prints_org_and_url_and_serves_until_cancelled(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    port = free_port()
    args = parser.parse_args(
        ["--sites", "4", "--seed", "9", "--port", str(port), "--tokens", "a1,b2"]
    )
    task = asyncio.create_task(run(args))
    async with aiohttp.ClientSession() as session:

        async def get_self() -> Any:
            url = f"http://127.0.0.1:{port}/api/v1/self"
            async with session.get(url, headers={"Authorization": "Token b2"}) as resp:
                return await resp.json()

        me = await until(
            get_self,
            within=30,
            what="the simulator answers",
            every=0.02,
            ignore=(aiohttp.ClientConnectionError,),
        )
        async with session.get(
            f"http://127.0.0.1:{port}/api/v1/self", headers={"Authorization": f"Token {DEMO_TOKEN}"}
        ) as resp:
            assert resp.status == 401
    org_id = me["privileges"][0]["org_id"]
    printed = capsys.readouterr().out
    assert org_id in printed
    assert f"http://127.0.0.1:{port}" in printed
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_flags_have_the_documented_defaults() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args([])
    assert (args.sites, args.seed, args.port, args.host) == (200, 1, 9843, "127.0.0.1")
    assert (args.tokens, args.calls_per_hour, args.retry_after) == ((DEMO_TOKEN,), 5000, False)
    assert (args.spelling, args.latency_ms, args.fault) == ("spec", 0.0, [])
    with pytest.raises(SystemExit):
        parser.parse_args(["--fault", "explode"])


async def test_latency_delays_calls_without_blocking_and_in_flight_max_sees_concurrency() -> None:
    async with simulator(SimConfig(sites=2, latency_ms=600)) as (running, client):
        started = time.monotonic()
        statuses = await asyncio.gather(*(client.get("/api/v1/self") for _ in range(8)))
        elapsed = time.monotonic() - started
        assert {s.status for s in statuses} == {200}
        assert elapsed >= 0.48
        async with client.session.get("/__sim/stats") as resp:
            stats = await resp.json()
        assert stats["in_flight_max"] == 8
        assert stats["in_flight"] == 0
        assert running.simulator.stats.in_flight_max == 8


async def test_stats_count_per_endpoint_template_and_reset() -> None:
    async with simulator(SimConfig(sites=2)) as (running, client):
        org = running.simulator.org_id
        site = running.simulator.truth().sites[1]
        await client.ok(f"/api/v1/orgs/{org}/sites")
        await client.ok(f"/api/v1/orgs/{org}/sites", page=2)
        await client.ok(f"/api/v1/sites/{site}/sle/site/{site}/metric/gateway-health/threshold")
        async with client.session.get("/__sim/stats") as resp:
            stats = await resp.json()
        assert stats["calls"] == {
            "/api/v1/orgs/{org_id}/sites": 2,
            "/api/v1/sites/{site_id}/sle/{scope}/{scope_id}/metric/{metric}/threshold": 1,
        }
        assert (stats["total_calls"], stats["by_token"]) == (3, {"token-0": 3})
        async with client.session.post("/__sim/stats/reset") as resp:
            assert (await resp.json())["total_calls"] == 0
        async with client.session.get("/__sim/stats") as resp:
            stats = await resp.json()
        assert (stats["total_calls"], stats["calls"], stats["rate_limited"]) == (0, {}, 0)


async def test_run_reports_a_busy_port_and_bad_values(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    async with simulator(SimConfig(sites=1)) as (running, _):
        busy = parser.parse_args(["--sites", "1", "--port", str(running.port)])
        assert await run(busy) == 1
    assert f"cannot listen on 127.0.0.1:{running.port}" in capsys.readouterr().err
    assert await run(parser.parse_args(["--sites", "-3"])) == 2
    assert "sites must not be negative" in capsys.readouterr().err
