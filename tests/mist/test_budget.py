"""Per-token hourly budgets: 429 handling, token switching, waiting for the reset, restarts."""

from __future__ import annotations

import pytest

from exporter.clock import ManualClock
from exporter.mist import endpoints as ep
from exporter.mist.errors import MistRateLimited
from exporter.model import RequestEvent
from exporter.state.memory import MemoryStore

from .harness import HOUR_START, TOKEN, TOKEN_B, add_fault, client_for, sim_stats, simulated

TWO = (TOKEN, TOKEN_B)


async def test_429_without_retry_after_parks_the_token_and_moves_to_the_other() -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock, tokens=TWO) as sim:
        await add_fault(sim, "429", "/api/v1/orgs/{org_id}", count=1)
        async with client_for(sim, clock, tokens=TWO, events=events) as client:
            org = await client.get(ep.ORG)
            parked = client.budgets()
            for _ in range(3):
                await client.get(ep.ORG)
        stats = await sim_stats(sim)
    assert org["id"] == sim.simulator.org_id
    assert events[0] == RequestEvent(ep.ORG.template, 200, 0.0, 1, 1)
    assert parked[0].remaining == 0
    assert parked[0].parked_until == HOUR_START + 3600
    assert parked[1].remaining == 4999
    assert stats["by_token"] == {"token-0": 1, "token-1": 4}
    assert stats["rate_limited"] == 1


async def test_429_with_retry_after_waits_that_long_on_the_clock() -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock) as sim:
        await add_fault(sim, "429", "*/sitegroups", count=1, retry_after=30)
        async with client_for(sim, clock, events=events) as client:
            groups = await client.get(ep.SITEGROUPS)
            after = client.budgets()
    assert isinstance(groups, list)
    assert groups
    assert clock.time() == HOUR_START + 630
    assert events == [RequestEvent(ep.SITEGROUPS.template, 200, 30.0, 0, 1)]
    assert after[0].remaining == 4998
    assert after[0].parked_until is None


async def test_a_long_retry_after_fails_the_request_instead_of_hanging() -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock) as sim:
        await add_fault(sim, "429", "*", count=1, retry_after=120)
        async with client_for(sim, clock, events=events, max_wait=60) as client:
            with pytest.raises(MistRateLimited) as caught:
                await client.get(ep.ORG)
            budgets = client.budgets()
    assert caught.value.retry_at == HOUR_START + 720
    assert caught.value.endpoint == ep.ORG.template
    assert clock.time() == HOUR_START + 600
    assert budgets[0].parked_until == HOUR_START + 720
    assert events == [RequestEvent(ep.ORG.template, 429, 0.0, 0, 0)]


async def test_exhausted_token_gives_way_to_the_second_then_both_wait_for_the_hour() -> None:
    clock = ManualClock(HOUR_START + 3000)
    async with simulated(clock, tokens=TWO, calls_per_hour=5) as sim:
        async with client_for(sim, clock, tokens=(TOKEN,), calls_per_hour=5) as other:
            for _ in range(5):
                await other.get(ep.ORG)
        events: list[RequestEvent] = []
        async with client_for(
            sim, clock, tokens=TWO, calls_per_hour=5, events=events, max_wait=3600
        ) as client:
            assert client.calls_per_hour_capacity == 10
            for _ in range(5):
                await client.get(ep.ORG)
            assert clock.time() == HOUR_START + 3000
            assert client.calls_left() == 0
            await client.get(ep.ORG)
            assert clock.time() == HOUR_START + 3600
            assert client.calls_left() == 9
        stats = await sim_stats(sim)
    assert [e.token_index for e in events] == [1, 1, 1, 1, 1, 0]
    assert events[0].retries == 1
    assert stats["by_token"] == {"token-0": 7, "token-1": 5}
    assert stats["rate_limited"] == 1


async def test_no_budget_left_fails_when_the_reset_is_too_far() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock, calls_per_hour=2) as sim:
        async with client_for(sim, clock, calls_per_hour=2) as client:
            await client.get(ep.ORG)
            await client.get(ep.ORG)
            with pytest.raises(MistRateLimited) as caught:
                await client.get(ep.ORG)
        stats = await sim_stats(sim)
    assert caught.value.retry_at == HOUR_START + 3600
    assert stats["total_calls"] == 2


async def test_requests_pick_the_token_with_most_budget_left() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock, tokens=TWO) as sim:
        async with client_for(sim, clock, tokens=TWO) as client:
            for _ in range(6):
                await client.get(ep.ORG)
            budgets = client.budgets()
        stats = await sim_stats(sim)
    assert [b.remaining for b in budgets] == [4997, 4997]
    assert [b.token for b in budgets] == ["0", "1"]
    assert {b.reset_timestamp for b in budgets} == {HOUR_START + 3600}
    assert stats["by_token"] == {"token-0": 3, "token-1": 3}


async def test_counts_survive_a_restart_through_the_store() -> None:
    clock = ManualClock(HOUR_START + 600)
    store = MemoryStore(clock)
    async with simulated(clock, tokens=TWO) as sim:
        async with client_for(sim, clock, tokens=TWO, store=store) as client:
            for _ in range(5):
                await client.get(ep.ORG)
        async with client_for(sim, clock, tokens=TWO, store=store) as restarted:
            assert [b.remaining for b in restarted.budgets()] == [4997, 4998]
            assert restarted.calls_left() == 9995
            await restarted.get(ep.ORG)
            assert [b.remaining for b in restarted.budgets()] == [4997, 4997]
            clock.advance(3000)
            assert restarted.calls_left() == 10000
    assert await store.get("budget", f"0:{int(HOUR_START)}") == 3


async def test_budget_429_with_retry_after_waits_for_the_reset_it_names() -> None:
    clock = ManualClock(HOUR_START + 3590)
    events: list[RequestEvent] = []
    async with simulated(clock, calls_per_hour=3, retry_after=True) as sim:
        async with client_for(sim, clock, calls_per_hour=10, events=events) as client:
            for _ in range(4):
                await client.get(ep.ORG)
        stats = await sim_stats(sim)
    assert clock.time() == HOUR_START + 3600
    assert [(e.code, e.retries) for e in events] == [(200, 0)] * 3 + [(200, 1)]
    assert stats["rate_limited"] == 1


async def test_a_429_storm_with_short_retry_after_ends_in_rate_limited() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock) as sim:
        await add_fault(sim, "429", "*", retry_after=0)
        async with client_for(sim, clock, max_retries=2) as client:
            with pytest.raises(MistRateLimited, match="429 on every attempt"):
                await client.get(ep.ORG)
        stats = await sim_stats(sim)
    assert stats["rate_limited"] == stats["total_calls"] == 4
