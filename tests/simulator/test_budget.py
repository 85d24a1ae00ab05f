"""The hourly per-token budget: the call after the limit gets Mist's 429; tokens are separate."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from exporter.clock import ManualClock
from exporter.simulator import SimConfig, serve
from tests.simulator.support import T0, simulator

TOKENS = ("token-alpha-0000000000000001", "token-bravo-0000000000000002")
LIMIT_BODY = {
    "detail": "Too Many Request. The API Call is rejected because it exceeds the 5000 API Calls "
    "per hour threshold"
}


@pytest.mark.parametrize("retry_after", [False, True])
async def test_the_5001st_call_of_a_token_is_rejected_while_another_token_works(
    retry_after: bool,
) -> None:
    clock = ManualClock(T0 + 60)
    config = SimConfig(sites=1, tokens=TOKENS, retry_after=retry_after)
    async with (
        serve(config, clock=clock) as running,
        aiohttp.ClientSession(running.base_url) as session,
    ):

        async def call(token: str) -> int:
            headers = {"Authorization": f"Token {token}"}
            async with session.get("/api/v1/self", headers=headers) as resp:
                await resp.read()
                return resp.status

        for _ in range(25):
            statuses = await asyncio.gather(*(call(TOKENS[0]) for _ in range(200)))
            assert set(statuses) == {200}
        headers = {"Authorization": f"Token {TOKENS[0]}"}
        async with session.get("/api/v1/self", headers=headers) as resp:
            assert resp.status == 429
            assert await resp.json() == LIMIT_BODY
            assert resp.headers.get("Retry-After") == ("3540" if retry_after else None)
        assert await call(TOKENS[1]) == 200
        assert await call(TOKENS[0]) == 429
        async with session.get("/__sim/stats") as resp:
            stats = await resp.json()
        assert stats["by_token"] == {"token-0": 5002, "token-1": 1}
        assert stats["rate_limited"] == 2
        assert stats["total_calls"] == 5003
        assert TOKENS[0] not in str(stats)


async def test_retry_after_counts_down_to_the_next_clock_hour_which_resets_the_budget() -> None:
    clock = ManualClock(T0 + 600)
    config = SimConfig(sites=1, tokens=TOKENS, calls_per_hour=10, retry_after=True)
    async with simulator(config, clock) as (_, client):
        for _ in range(10):
            assert (await client.get("/api/v1/self", token=TOKENS[0])).status == 200
        limited = await client.get("/api/v1/self", token=TOKENS[0])
        assert limited.status == 429
        assert limited.headers["Retry-After"] == "3000"
        assert "10 API Calls per hour" in limited.json()["detail"]
        assert (await client.get("/api/v1/self", token=TOKENS[1])).status == 200
        clock.advance(2999)
        assert (await client.get("/api/v1/self", token=TOKENS[0])).headers["Retry-After"] == "1"
        clock.advance(1)
        assert (await client.get("/api/v1/self", token=TOKENS[0])).status == 200


async def test_admin_endpoints_and_bad_tokens_do_not_spend_the_budget() -> None:
    config = SimConfig(sites=1, calls_per_hour=2)
    async with simulator(config) as (running, client):
        for _ in range(3):
            assert (await client.get("/api/v1/self", token="wrong")).status == 401
            async with client.session.get("/__sim/stats") as resp:
                assert resp.status == 200
        assert (await client.get("/api/v1/self")).status == 200
        assert (await client.get("/api/v1/self")).status == 200
        assert (await client.get("/api/v1/self")).status == 429
        assert running.simulator.stats.by_token["invalid"] == 3


async def test_a_bad_token_gets_mists_401() -> None:
    async with simulator(SimConfig(sites=1)) as (_, client):
        for token in ("not-a-token", " "):
            response = await client.get("/api/v1/self", token=token)
            assert response.status == 401
            assert response.json() == {"detail": "Authentication credentials were not provided."}
        async with client.session.get("/api/v1/self") as resp:
            assert resp.status == 401
