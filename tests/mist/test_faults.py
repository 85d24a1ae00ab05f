"""Retries for 5xx, timeouts and dropped connections; none for bad payloads and 4xx."""

from __future__ import annotations

import pytest

from exporter.clock import ManualClock, SystemClock
from exporter.config import Timeouts
from exporter.mist import endpoints as ep
from exporter.mist.errors import (
    MistAuthError,
    MistHTTPError,
    MistPayloadError,
    MistTimeout,
)
from exporter.model import RequestEvent

from .harness import HOUR_START, add_fault, client_for, sim_stats, simulated

ORG = "/api/v1/orgs/{org_id}"


async def test_5xx_is_retried_until_success() -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock) as sim:
        await add_fault(sim, "5xx", ORG, count=2)
        async with client_for(sim, clock, events=events) as client:
            org = await client.get(ep.ORG)
        stats = await sim_stats(sim)
    assert org["id"] == sim.simulator.org_id
    (event,) = events
    assert event == RequestEvent(ep.ORG.template, 200, event.duration_seconds, 0, 2)
    # Backed off on the injected clock: 0.25-0.5 s, then 0.5-1 s (half of each is jitter).
    assert 0.75 <= event.duration_seconds <= 1.5
    assert stats["calls"][ORG] == 3


async def test_5xx_that_persists_fails_after_the_retries() -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock) as sim:
        await add_fault(sim, "5xx", ORG, status=503)
        async with client_for(sim, clock, events=events, max_retries=3) as client:
            with pytest.raises(MistHTTPError) as caught:
                await client.get(ep.ORG)
        stats = await sim_stats(sim)
    assert caught.value.status == 503
    assert str(caught.value) == f"{ep.ORG.template}: HTTP 503: Service Unavailable"
    assert stats["calls"][ORG] == 4
    (event,) = events
    assert event == RequestEvent(ep.ORG.template, 503, event.duration_seconds, 0, 3)
    assert 1.75 <= event.duration_seconds <= 3.5


async def test_a_stall_beyond_the_read_timeout_is_a_timeout_after_retries() -> None:
    clock = SystemClock()
    events: list[RequestEvent] = []
    async with simulated(clock) as sim:
        await add_fault(sim, "stall", ORG)
        timeouts = Timeouts(connect=1.0, read=0.2, total=5.0)
        async with client_for(sim, clock, events=events, timeouts=timeouts) as client:
            with pytest.raises(MistTimeout, match="no answer in time"):
                await client.get(ep.ORG)
        stats = await sim_stats(sim)
    assert stats["calls"][ORG] == 3
    assert [(e.code, e.retries) for e in events] == [(0, 2)]
    assert events[0].duration_seconds >= 0.6


async def test_a_reset_connection_is_retried() -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock) as sim:
        await add_fault(sim, "reset", ORG, count=1)
        async with client_for(sim, clock, events=events) as client:
            org = await client.get(ep.ORG)
        stats = await sim_stats(sim)
    assert org["id"] == sim.simulator.org_id
    assert stats["calls"][ORG] == 2  # aiohttp itself re-sends once on a dropped keep-alive
    assert [e.code for e in events] == [200]


async def test_resets_that_persist_fail_as_a_timeout() -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock) as sim:
        await add_fault(sim, "reset", ORG)
        async with client_for(sim, clock, events=events, max_retries=1) as client:
            with pytest.raises(MistTimeout, match="connection failed"):
                await client.get(ep.ORG)
            assert client.calls_left() == 4998
    (event,) = events
    assert event == RequestEvent(ep.ORG.template, 0, event.duration_seconds, 0, 1)
    assert 0.25 <= event.duration_seconds <= 0.5  # one backoff, on the injected clock


@pytest.mark.parametrize("mode", ["malformed", "truncated"])
async def test_bad_json_fails_at_once(mode: str) -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock) as sim:
        await add_fault(sim, mode, "*/stats/devices")
        async with client_for(sim, clock, events=events) as client:
            with pytest.raises(MistPayloadError, match="malformed JSON"):
                await client.get(ep.DEVICE_STATS)
        stats = await sim_stats(sim)
    assert stats["total_calls"] == 1
    assert events == [RequestEvent(ep.DEVICE_STATS.template, 200, 0.0, 0, 0)]


async def test_an_html_error_page_is_retried_like_any_5xx() -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock) as sim:
        await add_fault(sim, "html", ORG, count=1)
        async with client_for(sim, clock, events=events) as client:
            org = await client.get(ep.ORG)
    assert org["id"] == sim.simulator.org_id
    assert [(e.code, e.retries) for e in events] == [(200, 1)]


async def test_an_html_page_with_200_is_a_payload_error() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock) as sim:
        await add_fault(sim, "html", ORG, status=200)
        async with client_for(sim, clock) as client:
            with pytest.raises(MistPayloadError, match="HTML page"):
                await client.get(ep.ORG)
        stats = await sim_stats(sim)
    assert stats["total_calls"] == 1


async def test_401_is_an_auth_error_without_retry() -> None:
    clock = ManualClock(HOUR_START + 600)
    events: list[RequestEvent] = []
    async with simulated(clock) as sim:
        await add_fault(sim, "401", ORG)
        async with client_for(sim, clock, events=events) as client:
            with pytest.raises(MistAuthError) as caught:
                await client.get(ep.ORG)
        stats = await sim_stats(sim)
    assert caught.value.endpoint == ep.ORG.template
    assert stats["total_calls"] == 1
    assert events == [RequestEvent(ep.ORG.template, 401, 0.0, 0, 0)]


async def test_an_unknown_token_is_an_auth_error() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with (
        simulated(clock) as sim,
        client_for(sim, clock, tokens=("not-a-known-token-xyz",)) as client,
    ):
        with pytest.raises(MistAuthError, match="HTTP 401"):
            await client.get(ep.SITES)


async def test_another_org_is_forbidden() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock) as sim, client_for(sim, clock) as client:
        with pytest.raises(MistAuthError, match="HTTP 403"):
            await client.get(ep.ORG, org_id="00000000-0000-0000-0000-000000000000")


async def test_404_fails_without_retry() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock) as sim:
        async with client_for(sim, clock) as client:
            with pytest.raises(MistHTTPError) as caught:
                await client.get(ep.SLE_METRICS, site_id="00000000-0000-0000-0000-000000000000")
        stats = await sim_stats(sim)
    assert caught.value.status == 404
    assert stats["total_calls"] == 1


async def test_missing_fields_reach_the_caller_unchanged() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock) as sim:
        await add_fault(sim, "missing_fields", ORG)
        async with client_for(sim, clock) as client:
            org = await client.get(ep.ORG)
    assert "id" not in org
    assert org["created_time"]
