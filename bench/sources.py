"""Snapshots to measure: the synthetic reference org, or one collected from the simulator."""

from __future__ import annotations

from bench.stack import collection, discover_org
from exporter.clock import SystemClock
from exporter.model import Snapshot
from exporter.state.memory import MemoryStore
from tests.support.snapshots import reference_snapshot

SOURCES = ("reference", "simulated")


async def collected_snapshot(base_url: str) -> Snapshot:
    """One full collection (every job once, deep-dives included) from a running simulator."""
    clock = SystemClock()
    org_id = await discover_org(base_url)
    store = MemoryStore(clock)
    await store.start()
    async with collection(base_url, org_id, store, clock) as stack:
        await stack.scheduler.tick()
        snapshot = stack.publisher.snapshot
    await store.close()
    return snapshot


async def snapshot_from(source: str, sites: int, sim_url: str | None) -> Snapshot:
    """``reference``: the synthetic org of ``sites``; ``simulated``: collected from ``sim_url``."""
    if source == "reference":
        return reference_snapshot(sites)
    if sim_url is None:
        raise ValueError("a simulated snapshot needs the simulator's URL")
    return await collected_snapshot(sim_url)
