"""The deep-dive's view of the Mist client: bounded concurrency, refusals as empty answers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from exporter.collect.jobs import Context, refused
from exporter.mist.endpoints import Endpoint
from exporter.mist.errors import MistError

T = TypeVar("T")


class Limited:
    """The client with at most ``slots`` deep-dive calls in flight.

    A round can issue hundreds of calls; capped at a quarter of the client's concurrency, they
    never queue ahead of every call of the essential jobs (WAN ports, gateways, alarms).
    """

    def __init__(self, ctx: Context, slots: int) -> None:
        self._client = ctx.client
        self._skips = ctx.skips
        self._slots = asyncio.Semaphore(slots)

    async def get(self, endpoint: Endpoint, **params: Any) -> Any:
        async with self._slots:
            return await self._client.get(endpoint, **params)

    async def parsed(
        self, endpoint: Endpoint, params: dict[str, Any], parser: Callable[[Any], T]
    ) -> T | None:
        """``endpoint``'s answer, parsed; None when Mist refuses (a 4xx: it has no such data
        for the metric or window), counted as skipped."""
        try:
            data = await self.get(endpoint, **params)
        except MistError as exc:
            if not refused(exc):
                raise
            self._skips.skip(endpoint.template, f"refused {params['metric']}")
            return None
        return parser(data)


def kept_or(answer: T | BaseException | None, kept: T, empty: T) -> T:
    """A part's answer: ``kept`` when it failed with a :class:`MistError`, ``empty`` when Mist
    refused it (None)."""
    if isinstance(answer, MistError):
        return kept
    if isinstance(answer, BaseException):
        raise answer
    return empty if answer is None else answer


def sle_scope(site: str, metric: str) -> dict[str, str]:
    """Path parameters of a site-scoped SLE endpoint; ``metric`` as Mist spells it."""
    return {"site_id": site, "metric": metric}
