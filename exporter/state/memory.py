"""The in-memory state store: the default without Redis, and Redis' stand-in while it is down.

Values are kept as JSON text, as Redis keeps them, so both stores give back the same thing
(tuples come back as lists) and reject the same non-JSON values (TypeError). Expiry follows
the injected clock. Expired entries are dropped when read, and swept whenever the store has
taken as many writes as it held live entries after the last sweep.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence

from exporter.clock import Clock
from exporter.state.store import JSON


def check_kind(kind: str) -> str:
    """``kind`` if it can be a key segment: non-empty and without ``:`` (ValueError otherwise)."""
    if not kind or ":" in kind:
        raise ValueError(f"state kind {kind!r} must be non-empty and without ':'")
    return kind


def dumps(value: JSON) -> str:
    """The JSON text both stores keep for a value."""
    return json.dumps(value, separators=(",", ":"))


class MemoryStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._values: dict[str, dict[str, tuple[str, float | None]]] = {}
        self._writes = 0
        self._sweep_after = 1024

    @property
    def up(self) -> bool:
        return True

    async def start(self) -> None:
        """Nothing to connect."""

    async def close(self) -> None:
        """Nothing to release."""

    def _expires_at(self, ttl: float | None) -> float | None:
        return None if ttl is None else self._clock.time() + ttl

    def entry(self, kind: str, key: str) -> tuple[str, float | None] | None:
        """``(JSON text, expiry time or None)`` of a live key."""
        found = self._values.get(check_kind(kind), {}).get(key)
        if found is None:
            return None
        if found[1] is not None and found[1] <= self._clock.time():
            del self._values[kind][key]
            return None
        return found

    def _set_entry(self, kind: str, key: str, text: str, expires_at: float | None) -> None:
        if expires_at is not None and expires_at <= self._clock.time():
            self._values.get(kind, {}).pop(key, None)
            return
        self._values.setdefault(check_kind(kind), {})[key] = (text, expires_at)
        self._wrote()

    def live_values(self) -> Iterator[tuple[str, str, str, float | None]]:
        """``(kind, key, JSON text, expiry time or None)`` of every live key."""
        for kind, values in self._values.items():
            for key in list(values):
                found = self.entry(kind, key)
                if found is not None:
                    yield kind, key, found[0], found[1]

    async def get(self, kind: str, key: str) -> JSON | None:
        found = self.entry(kind, key)
        return None if found is None else json.loads(found[0])

    async def get_many(self, kind: str, keys: Sequence[str]) -> list[JSON | None]:
        return [await self.get(kind, key) for key in keys]

    async def put(self, kind: str, key: str, value: JSON, ttl: float | None = None) -> None:
        self.put_texts(kind, {key: dumps(value)}, ttl)

    async def put_many(
        self, kind: str, items: Mapping[str, JSON], ttl: float | None = None
    ) -> None:
        self.put_texts(kind, {key: dumps(value) for key, value in items.items()}, ttl)

    def put_texts(self, kind: str, texts: Mapping[str, str], ttl: float | None) -> None:
        """Save JSON texts (of :func:`dumps`); a ``ttl`` of 0 or less removes the keys."""
        expires_at = self._expires_at(ttl)
        for key, text in texts.items():
            self._set_entry(kind, key, text, expires_at)

    async def delete(self, kind: str, key: str) -> None:
        self._values.get(check_kind(kind), {}).pop(key, None)

    async def incr(self, kind: str, key: str, amount: int, ttl: float | None = None) -> int:
        """Like Redis ``INCRBY`` then ``EXPIRE``: without ``ttl`` the counter keeps its expiry."""
        found = self.entry(kind, key)
        current = 0 if found is None else json.loads(found[0])
        if isinstance(current, bool) or not isinstance(current, int):
            raise ValueError(f"state {kind}/{key} is not an integer counter")
        self.set_counter(kind, key, current + amount, ttl)
        return int(current + amount)

    def set_counter(self, kind: str, key: str, value: int, ttl: float | None) -> None:
        """Save a counter's new value; without ``ttl`` it keeps its expiry (as after ``INCRBY``)."""
        found = self.entry(kind, key)
        expires_at = found[1] if ttl is None and found is not None else self._expires_at(ttl)
        self._set_entry(kind, key, str(value), expires_at)

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes >= self._sweep_after:
            self._sweep()

    def _sweep(self) -> None:
        now = self._clock.time()
        live = 0
        for values in self._values.values():
            for key in [k for k, (_, exp) in values.items() if exp is not None and exp <= now]:
                del values[key]
            live += len(values)
        self._writes = 0
        self._sweep_after = max(1024, live)
