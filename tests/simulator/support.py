"""Talking to a real simulator over loopback HTTP in tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from exporter.clock import Clock, ManualClock
from exporter.config import DEMO_TOKEN
from exporter.simulator import RunningSimulator, SimConfig, serve

T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC, a clock hour


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Mapping[str, str]
    text: str

    def json(self) -> Any:
        import json

        return json.loads(self.text)


class Client:
    """GETs with a token; one fresh connection per call, so resets are seen, not retried."""

    def __init__(self, session: aiohttp.ClientSession, token: str = DEMO_TOKEN) -> None:
        self.session = session
        self.token = token

    async def get(self, path: str, token: str | None = None, **params: Any) -> Response:
        headers = {"Authorization": f"Token {token or self.token}"}
        query = {k: str(v) for k, v in params.items()}
        async with self.session.get(path, params=query or None, headers=headers) as resp:
            return Response(resp.status, dict(resp.headers), await resp.text())

    async def ok(self, path: str, **params: Any) -> Any:
        response = await self.get(path, **params)
        assert response.status == 200, (path, response.status, response.text[:300])
        return response.json()

    async def walk_headers(self, path: str, limit: int, **params: Any) -> list[Any]:
        """Every row of a plain-array endpoint, page by page until X-Page-Total is reached."""
        rows: list[Any] = []
        page = 1
        while True:
            response = await self.get(path, limit=limit, page=page, **params)
            assert response.status == 200, response.text[:300]
            chunk = response.json()
            assert response.headers["X-Page-Page"] == str(page)
            assert response.headers["X-Page-Limit"] == str(limit)
            total = int(response.headers["X-Page-Total"])
            assert len(chunk) == min(limit, max(0, total - (page - 1) * limit))
            rows.extend(chunk)
            if page * limit >= total:
                return rows
            page += 1

    async def walk_search(self, path: str, limit: int, **params: Any) -> list[Any]:
        """Every row of a search endpoint, following ``next`` verbatim until it is absent."""
        body = await self.ok(path, limit=limit, **params)
        total = body["total"]
        rows = list(body["results"])
        while "next" in body:
            assert body["next"].startswith("/api/v1/")
            assert len(body["results"]) == limit
            body = await self.ok(body["next"])
            assert body["total"] == total
            rows.extend(body["results"])
        assert len(rows) == total
        return rows

    async def walk_body(self, path: str, limit: int, **params: Any) -> list[Any]:
        """Every row of ``insights/sites-sle``: pages in the body until ``total`` is reached."""
        rows: list[Any] = []
        page = 1
        while True:
            body = await self.ok(path, limit=limit, page=page, **params)
            assert (body["page"], body["limit"]) == (page, limit)
            rows.extend(body["results"])
            if page * limit >= body["total"]:
                assert len(rows) == body["total"]
                return rows
            page += 1


# No live habit (``SimConfig.live``): pages hold each row once, every field, no stale rows.
TIDY: frozenset[str] = frozenset()


@asynccontextmanager
async def simulator(
    config: SimConfig | None = None, clock: Clock | None = None
) -> AsyncIterator[tuple[RunningSimulator, Client]]:
    """A served simulator (ManualClock at ``T0`` unless given) and a client for it."""
    async with (
        serve(config or SimConfig(sites=20), clock=clock or ManualClock(T0)) as running,
        aiohttp.ClientSession(
            running.base_url, connector=aiohttp.TCPConnector(force_close=True)
        ) as session,
    ):
        yield running, Client(session)
