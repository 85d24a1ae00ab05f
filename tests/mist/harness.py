"""A real simulator on loopback and a client pointed at it, with fast retries and timeouts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import aiohttp
from aiohttp import web

from exporter.clock import Clock
from exporter.config import MistConfig, Timeouts
from exporter.mist.client import MistClient
from exporter.model import RequestEvent
from exporter.simulator import RunningSimulator, SimConfig, serve
from exporter.state.store import StateStore

TOKEN = "alpha-secret-token-0123456789abcdef"
TOKEN_B = "bravo-secret-token-fedcba9876543210"
HOUR_START = 1_800_000_000.0  # a clock hour boundary (500000 * 3600)


@asynccontextmanager
async def simulated(
    clock: Clock, *, sites: int = 12, tokens: Sequence[str] = (TOKEN,), **options: Any
) -> AsyncIterator[RunningSimulator]:
    config = SimConfig(sites=sites, seed=7, tokens=tuple(tokens), **options)
    async with serve(config, clock=clock) as sim:
        yield sim


def client_for(
    sim: RunningSimulator,
    clock: Clock,
    *,
    tokens: Sequence[str] = (TOKEN,),
    store: StateStore | None = None,
    events: list[RequestEvent] | None = None,
    max_wait: float = 60.0,
    org: bool = True,
    **config: Any,
) -> MistClient:
    """A client for ``sim``; ``config`` overrides :class:`MistConfig` fields."""
    base = MistConfig(
        base_url=sim.base_url,
        org_id=sim.simulator.org_id if org else None,
        tokens=tuple(tokens),
        timeouts=Timeouts(connect=2.0, read=2.0, total=10.0),
        max_retries=2,
    )
    return MistClient(
        replace(base, **config),
        clock=clock,
        store=store,
        observers=() if events is None else (events.append,),
        max_wait=max_wait,
    )


async def _admin(sim: RunningSimulator, method: str, path: str, **kwargs: Any) -> Any:
    """A call to the simulator's ``/__sim`` admin API."""
    url = f"{sim.base_url}/__sim/{path}"
    async with aiohttp.ClientSession() as http, http.request(method, url, **kwargs) as response:
        assert response.status < 300, await response.text()
        return await response.json()


async def add_fault(sim: RunningSimulator, mode: str, endpoint: str = "*", **fault: Any) -> None:
    await _admin(sim, "POST", "faults", json={"mode": mode, "endpoint": endpoint, **fault})


async def clear_faults(sim: RunningSimulator) -> None:
    await _admin(sim, "DELETE", "faults")


async def sim_stats(sim: RunningSimulator) -> dict[str, Any]:
    stats: dict[str, Any] = await _admin(sim, "GET", "stats")
    return stats


@asynccontextmanager
async def loopback(
    path: str, handler: Callable[[web.Request], Awaitable[web.Response]]
) -> AsyncIterator[str]:
    """A loopback HTTP server with one GET route, for answers the simulator never gives
    (several orgs, lists without paging totals); yields its base URL."""
    app = web.Application()
    app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
