"""An in-process collection stack on an injected clock: real simulator over HTTP, real store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import aiohttp

from exporter.clock import ManualClock
from exporter.collect.publisher import Publisher
from exporter.collect.scheduler import Scheduler
from exporter.config import DEMO_TOKEN, Config, load_config
from exporter.mist.client import MistClient
from exporter.state.store import StateStore


@dataclass
class Stack:
    scheduler: Scheduler
    publisher: Publisher
    client: MistClient


def config_for(base_url: str, org_id: str, **collect: Any) -> Config:
    config = load_config(None, {"MIST_HOST": base_url, "MIST_APITOKEN": DEMO_TOKEN})
    return replace(
        config,
        mist=replace(config.mist, org_id=org_id, max_retries=1),
        collect=replace(config.collect, **collect),
    )


@asynccontextmanager
async def collection(
    base_url: str,
    org_id: str,
    store: StateStore,
    clock: ManualClock,
    *,
    intervals: Mapping[str, float] | None = None,
) -> AsyncIterator[Stack]:
    config = config_for(base_url, org_id)
    if intervals:
        config = replace(
            config,
            collect=replace(config.collect, intervals={**config.collect.intervals, **intervals}),
        )
    publisher = Publisher(clock=clock)
    async with MistClient(config.mist, clock=clock, store=store, backoff_base=0.01) as client:
        scheduler = Scheduler(
            client=client,
            store=store,
            clock=clock,
            config=config,
            org_id=org_id,
            publisher=publisher,
        )
        yield Stack(scheduler, publisher, client)


async def sim_stats(base_url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(f"{base_url}/__sim/stats") as r:
        data: dict[str, Any] = await r.json()
        return data
