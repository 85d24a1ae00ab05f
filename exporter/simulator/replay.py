"""``simulate --replay DIR``: serve a capture (``mist-wan-exporter capture``) like Mist serves it.

Every call of the capture is answered from its pages, re-paged the way Mist pages (X-Page-*
headers, search ``next`` cursors, body pages) for whatever ``limit`` the caller asks; time
parameters (``start``, ``end``, ``duration``) are ignored, so a capture answers at any time.
A call the capture refused is refused the same way; anything it lacks answers 404.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from exporter.capture.manifest import Entry, read_manifest
from exporter.clock import Clock, SystemClock
from exporter.mist.endpoints import ALL, Paging
from exporter.simulator.budget import HourlyBudget
from exporter.simulator.paging import (
    body_page,
    decode_cursor,
    headers_page,
    next_url,
    search_limit,
)
from exporter.simulator.replies import NOT_FOUND, ApiError, Call
from exporter.simulator.server import Listening, announce, until_signalled
from exporter.simulator.stats import SimStats

UNAUTHORIZED = "Authentication credentials were not provided."
# Query parameters that page or place a call in time: not part of what identifies it.
VOLATILE = frozenset({"limit", "page", "search_after", "start", "end", "duration"})
_PAGING = {e.template: e.paging for e in ALL}

Key = tuple[str, tuple[tuple[str, str], ...]]


def key_of(path: str, query: Mapping[str, str]) -> Key:
    return path, tuple(sorted((k, v) for k, v in query.items() if k not in VOLATILE))


@dataclass
class Recording:
    """Every page of one call of the capture, joined: its envelope and all its rows."""

    template: str
    paging: Paging
    status: int
    envelope: Any = None
    rows: list[Any] = field(default_factory=list)

    def add(self, body: Any) -> None:
        if self.envelope is None:
            self.envelope = body
        if self.paging is Paging.HEADERS and isinstance(body, list):
            self.rows.extend(body)
        elif self.paging in (Paging.SEARCH, Paging.BODY) and isinstance(body, dict):
            results = body.get("results")
            self.rows.extend(results if isinstance(results, list) else [])

    def answer(self, call: Call) -> tuple[Any, Mapping[str, str]]:
        """The body (and headers) of ``call``, paged like Mist pages this endpoint."""
        if self.paging is Paging.HEADERS:
            reply = headers_page(self.rows, call, lambda row: row)
            return reply.body, reply.headers
        envelope = dict(self.envelope) if isinstance(self.envelope, dict) else {}
        if self.paging is Paging.BODY:
            page, limit, chunk = body_page(call, len(self.rows))
            body = {**envelope, "page": page, "limit": limit, "total": len(self.rows)}
            return body | {"results": self.rows[chunk]}, {}
        if self.paging is Paging.SEARCH:
            cursor = decode_cursor(call) or [0]
            offset = cursor[0] if isinstance(cursor[0], int) and cursor[0] >= 0 else 0
            limit = search_limit(call)
            envelope.pop("next", None)
            body = {**envelope, "limit": limit, "total": len(self.rows)}
            body["results"] = self.rows[offset : offset + limit]
            if offset + limit < len(self.rows):
                body["next"] = next_url(call, [offset + limit])
            return body, {}
        return self.envelope, {}


def load_recordings(directory: Path) -> tuple[str, dict[Key, Recording]]:
    """The org id and every call of the capture in ``directory`` (ValueError if unreadable)."""
    manifest = read_manifest(directory)
    recordings: dict[Key, Recording] = {}
    for entry in manifest.entries:
        recording = recordings.setdefault(key_of(entry.path, entry.query), _recording(entry))
        if entry.file is not None:
            recording.add(_body(directory, entry))
    return manifest.org_id, recordings


def _recording(entry: Entry) -> Recording:
    return Recording(entry.endpoint, _PAGING.get(entry.endpoint, Paging.NONE), entry.status)


def _body(directory: Path, entry: Entry) -> Any:
    path = directory / str(entry.file)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc.msg})") from None


class Replay:
    """The aiohttp app (``app``) serving a capture, with the simulator's token and budget."""

    def __init__(
        self,
        directory: Path,
        tokens: Sequence[str],
        clock: Clock,
        *,
        calls_per_hour: int = 5000,
    ) -> None:
        self.org_id, self.recordings = load_recordings(directory)
        self.clock = clock
        self.stats = SimStats()
        self.budget = HourlyBudget(calls_per_hour)
        self._tokens = {token: index for index, token in enumerate(tokens)}
        self.app = web.Application()
        self.app.router.add_get("/__sim/stats", self._get_stats)
        self.app.router.add_get("/{tail:.*}", self._serve, allow_head=False)

    async def _get_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.to_json())

    async def _serve(self, request: web.Request) -> web.Response:
        now = self.clock.time()
        recording = self.recordings.get(key_of(request.path, request.query))
        template = recording.template if recording is not None else "<unknown>"
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        index = self._tokens.get(token.strip()) if scheme.lower() == "token" else None
        self.stats.record(template, "invalid" if index is None else f"token-{index}")
        if index is None:
            return _error(401, UNAUTHORIZED)
        if not self.budget.spend(index, now):
            self.stats.rate_limited += 1
            return _error(429, self.budget.detail())
        if recording is None:
            return _error(404, NOT_FOUND)
        if recording.status != 200:
            return _error(recording.status, f"HTTP {recording.status} in the capture")
        call = Call(request.path, dict(request.match_info), dict(request.query), now)
        try:
            body, headers = recording.answer(call)
        except ApiError as error:
            return _error(error.status, error.detail)
        return web.json_response(body, headers=dict(headers), dumps=_compact)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _error(status: int, detail: str) -> web.Response:
    return web.json_response({"detail": detail}, status=status)


@dataclass(frozen=True, slots=True)
class RunningReplay(Listening):
    replay: Replay
    host: str
    port: int


@asynccontextmanager
async def serve_replay(
    directory: Path,
    tokens: Sequence[str],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    calls_per_hour: int = 5000,
    clock: Clock | None = None,
) -> AsyncIterator[RunningReplay]:
    """Serve the capture in ``directory`` on ``host:port`` (0 = a free port)."""
    replay = Replay(directory, tokens, clock or SystemClock(), calls_per_hour=calls_per_hour)
    runner = web.AppRunner(replay.app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        yield RunningReplay(replay, host, runner.addresses[0][1])
    finally:
        await runner.cleanup()


async def run(args: argparse.Namespace) -> int:
    """``simulate --replay DIR``: serve until SIGINT/SIGTERM or cancellation."""

    async def serve_until(stop: asyncio.Event) -> None:
        async with serve_replay(
            Path(args.replay),
            tuple(args.tokens),
            host=args.host,
            port=args.port,
            calls_per_hour=args.calls_per_hour,
        ) as running:
            announce(running.replay.org_id, running.base_url)
            await stop.wait()

    return await until_signalled(serve_until, args.host, args.port, "simulate: --replay")
