"""The Redis state store, which keeps working in memory while Redis is away.

Every write also goes to an internal :class:`MemoryStore`, the mirror. While Redis is
unreachable (at start or later) every operation is served by the mirror, ``up`` is False, one
warning is logged, and a background task reconnects with capped backoff; once Redis answers,
the mirror is written back (so writes made meanwhile land, even in a Redis that restarted
empty) and the store is up again (one info line). Sockets time out after ``socket_timeout``
seconds and redis-py's own retries are off, so no call hangs.

Keys: ``{prefix}:v1:{org_id}:{kind}:{key}`` (:meth:`RedisStore.key`), values JSON text. TTLs
follow Redis' own clock (the mirror's follow the injected clock); the reconnect backoff is real
time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from exporter.clock import Clock
from exporter.config import redact_url
from exporter.state.memory import MemoryStore, check_kind, dumps
from exporter.state.store import JSON

log = logging.getLogger(__name__)

T = TypeVar("T")
DOWN_ERRORS = (RedisError, OSError)
MAX_CONNECTIONS = 32
POOL_WAIT_SECONDS = 10.0


def _loads(raw: str | bytes | None) -> JSON | None:
    return None if raw is None else json.loads(raw)


def _millis(ttl: float) -> int:
    return max(1, math.ceil(ttl * 1000))


class _Down(Exception):
    """Redis cannot serve this call: the memory store serves it instead."""


class _Connection(redis.Connection):
    """A connection redis-py gives up on (a timeout, a cancel mid-command) closes at once.

    redis-py closes it without waiting (``nowait``): unsent bytes of a large pipeline keep the
    socket open until Redis reads them, past :meth:`RedisStore.close` and the event loop. The
    connection is discarded, so they are dropped. (``rediss://`` and ``unix://`` URLs keep
    redis-py's own classes.)
    """

    async def disconnect(
        self,
        nowait: bool = False,
        error: Exception | None = None,
        failure_count: int | None = None,
        health_check_failed: bool = False,
    ) -> None:
        if nowait and self._writer is not None:
            self._writer.transport.abort()
        await super().disconnect(nowait, error, failure_count, health_check_failed)


class RedisStore:
    def __init__(
        self,
        url: str,
        prefix: str,
        org_id: str,
        clock: Clock,
        *,
        socket_timeout: float = 1.0,
        retry_initial: float = 0.5,
        retry_max: float = 30.0,
    ) -> None:
        self._url = redact_url(url)
        self._namespace = f"{prefix}:v1:{org_id}:"
        self._clock = clock
        # Bursts (a deep-dive of hundreds of pairs) wait for a free connection instead of
        # failing with "Too many connections", which would look like Redis going down.
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=POOL_WAIT_SECONDS,
            decode_responses=True,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            retry=Retry(NoBackoff(), 0),
            connection_class=_Connection,
        )
        self._redis = redis.Redis.from_pool(pool)
        self._memory = MemoryStore(clock)
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._up = False
        self._reconnecting: asyncio.Task[None] | None = None
        # Set by any write while down; keys deleted while down (the write-back deletes them).
        self._dirty = False
        self._deleted: set[tuple[str, str]] = set()

    def key(self, kind: str, key: str) -> str:
        """The one key scheme: ``{prefix}:v1:{org_id}:{kind}:{key}``."""
        return f"{self._namespace}{check_kind(kind)}:{key}"

    @property
    def up(self) -> bool:
        return self._up

    async def start(self) -> None:
        try:
            await self._redis.ping()
        except DOWN_ERRORS as exc:
            self._went_down(exc)
        else:
            self._up = True
            log.info("state store: Redis at %s", self._url)

    async def close(self) -> None:
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            await asyncio.gather(self._reconnecting, return_exceptions=True)
            self._reconnecting = None
        await self._redis.aclose()

    async def get(self, kind: str, key: str) -> JSON | None:
        name = self.key(kind, key)
        try:
            raw = await self._call(lambda r: r.get(name))
        except _Down:
            return await self._memory.get(kind, key)
        return _loads(raw)

    async def get_many(self, kind: str, keys: Sequence[str]) -> list[JSON | None]:
        if not keys:
            return []
        names = [self.key(kind, key) for key in keys]
        try:
            raws = await self._call(lambda r: r.mget(names))
        except _Down:
            return await self._memory.get_many(kind, keys)
        return [_loads(raw) for raw in raws]

    async def put(self, kind: str, key: str, value: JSON, ttl: float | None = None) -> None:
        await self.put_many(kind, {key: value}, ttl)

    async def put_many(
        self, kind: str, items: Mapping[str, JSON], ttl: float | None = None
    ) -> None:
        texts = {key: dumps(value) for key, value in items.items()}
        self._memory.put_texts(kind, texts, ttl)

        async def write(r: redis.Redis) -> list[Any]:
            pipe = r.pipeline(transaction=False)
            for key, text in texts.items():
                if ttl is not None and ttl <= 0:
                    pipe.delete(self.key(kind, key))
                else:
                    pipe.set(self.key(kind, key), text, px=None if ttl is None else _millis(ttl))
            return await pipe.execute()

        try:
            await self._call(write)
        except _Down:
            self._dirty = True

    async def delete(self, kind: str, key: str) -> None:
        name = self.key(kind, key)
        await self._memory.delete(kind, key)
        try:
            await self._call(lambda r: r.delete(name))
        except _Down:
            self._dirty = True
            self._deleted.add((kind, key))

    async def incr(self, kind: str, key: str, amount: int, ttl: float | None = None) -> int:
        name = self.key(kind, key)

        async def incr(r: redis.Redis) -> list[Any]:
            pipe = r.pipeline(transaction=False)
            pipe.incrby(name, amount)
            if ttl is not None:
                pipe.pexpire(name, _millis(ttl))
            return await pipe.execute()

        try:
            result = await self._call(incr)
        except _Down:
            self._dirty = True
            return await self._memory.incr(kind, key, amount, ttl)
        value = int(result[0])
        self._memory.set_counter(kind, key, value, ttl)
        return value

    async def _call(self, call: Callable[[redis.Redis], Awaitable[T]]) -> T:
        """``call``'s result from Redis; :class:`_Down` when Redis is (or just went) down."""
        if not self._up:
            raise _Down
        try:
            result = await call(self._redis)
        except DOWN_ERRORS as exc:
            self._went_down(exc)
            raise _Down from exc
        _reraise_swallowed_cancel()
        return result

    def _went_down(self, exc: BaseException) -> None:
        self._up = False
        if self._reconnecting is not None:
            return
        log.warning(
            "state store: Redis at %s is unreachable (%s); keeping state in memory and "
            "reconnecting in the background",
            self._url,
            exc,
        )
        self._reconnecting = asyncio.create_task(self._reconnect(), name="redis-reconnect")

    async def _reconnect(self) -> None:
        delay = self._retry_initial
        while True:
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._retry_max)
            try:
                await self._redis.connection_pool.disconnect()
                await self._redis.ping()
                self._dirty = True
                while self._dirty:
                    self._dirty = False
                    await self._write_back()
            except DOWN_ERRORS:
                continue
            self._reconnecting = None
            self._up = True
            log.info("state store: Redis at %s is back; state written back to it", self._url)
            return

    async def _write_back(self) -> None:
        """Write every live value of the memory mirror to Redis (and the deletes made meanwhile).

        The mirror holds everything this process wrote, so this restores a Redis that came
        back empty as well as one that only missed the writes made while it was away.
        """
        now = self._clock.time()
        pipe = self._redis.pipeline(transaction=False)
        for kind, key in self._deleted:
            if self._memory.entry(kind, key) is None:
                pipe.delete(self.key(kind, key))
        for kind, key, text, expires_at in self._memory.live_values():
            px = None if expires_at is None else _millis(expires_at - now)
            pipe.set(self.key(kind, key), text, px=px)
        try:
            await pipe.execute()
        except DOWN_ERRORS:
            self._dirty = True
            raise
        self._deleted.clear()


def _reraise_swallowed_cancel() -> None:
    """redis-py 8.1's asyncio client can swallow a cancellation that lands while a command is
    in flight on an open connection: the command completes and the task runs on as if never
    cancelled. A job cancelled at shutdown, or a walk killed mid-page, must stop here.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
