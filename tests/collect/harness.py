"""An in-process collection stack on an injected clock: real simulator over HTTP, real store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import aiohttp

from exporter.clock import ManualClock
from exporter.config import DEMO_TOKEN, Config, load_config
from exporter.model import RequestEvent
from exporter.service import Stack, collection_stack
from exporter.state.store import StateStore


def config_for(base_url: str, org_id: str) -> Config:
    """Defaults pointed at a simulator, one retry (the faults tests inject should fail fast)."""
    config = load_config(None, {"MIST_HOST": base_url, "MIST_APITOKEN": DEMO_TOKEN})
    return replace(config, mist=replace(config.mist, org_id=org_id, max_retries=1))


@asynccontextmanager
async def collection(
    base_url: str,
    org_id: str,
    store: StateStore,
    clock: ManualClock,
    *,
    observers: Sequence[Callable[[RequestEvent], None]] = (),
    every_pair_degraded: bool = False,
) -> AsyncIterator[Stack]:
    """``every_pair_degraded``: every scored health SLE counts as degraded (so its deep-dives
    make the impact calls)."""
    config = config_for(base_url, org_id)
    if every_pair_degraded:
        config = replace(config, thresholds=replace(config.thresholds, sle_degraded=2.0))
    async with collection_stack(config, org_id, store, clock, observers=observers) as stack:
        yield stack


async def sim_stats(base_url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(f"{base_url}/__sim/stats") as r:
        data: dict[str, Any] = await r.json()
        return data
