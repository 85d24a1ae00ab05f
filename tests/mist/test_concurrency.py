"""Header-paged walks fetch their pages concurrently, within the client's concurrency limit."""

from __future__ import annotations

import pytest

from exporter.clock import ManualClock
from exporter.mist import endpoints as ep

from .harness import HOUR_START, client_for, sim_stats, simulated


@pytest.mark.slow
async def test_gateways_of_3208_sites_are_fetched_concurrently() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock, sites=3208, latency_ms=20) as sim:
        truth = sim.simulator.truth()
        async with client_for(sim, clock, max_concurrency=6) as client:
            pages = [page async for page in client.pages(ep.DEVICE_STATS, limit=100)]
        stats = await sim_stats(sim)
    gateways = sorted((r["site_id"], r["mac"]) for page in pages for r in page.records)
    assert gateways == sorted(truth.gateways)
    assert len(pages) == -(-len(truth.gateways) // 100) > 30
    assert stats["calls"]["/api/v1/orgs/{org_id}/stats/devices"] == len(pages)
    # A sequential client never has two requests open at once; this one keeps six open.
    assert 1 < stats["in_flight_max"] <= 6


async def test_search_walks_are_sequential() -> None:
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock, sites=40, latency_ms=5) as sim:
        async with client_for(sim, clock) as client:
            pages = [page async for page in client.pages(ep.PORT_SEARCH, limit=20)]
        stats = await sim_stats(sim)
    assert len(pages) > 3
    assert stats["in_flight_max"] == 1
