"""The in-memory state store: the default without Redis, and Redis' stand-in while it is down.

Values are kept as JSON text, as Redis keeps them, so both stores give back the same thing
(tuples come back as lists) and reject the same non-JSON values (TypeError). Expiry follows
the injected clock. Expired entries are dropped when read, and swept whenever the store has
taken as many writes as it held live entries after the last sweep.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence

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
        self._sets: dict[str, dict[str, float]] = {}
        self._writes = 0
        self._sweep_after = 1024

    @property
    def up(self) -> bool:
        return True

    async def start(self) -> None:
        """Nothing to connect."""

    async def close(self) -> None:
        """Nothing to release."""

    def expires_at(self, ttl: float | None) -> float | None:
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

    def set_entry(self, kind: str, key: str, text: str, expires_at: float | None) -> None:
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

    def live_members(self) -> Iterator[tuple[str, str, float]]:
        """``(kind, member, expiry time)`` of every live set member."""
        now = self._clock.time()
        for kind, members in self._sets.items():
            for member, expiry in members.items():
                if expiry > now:
                    yield kind, member, expiry

    async def get(self, kind: str, key: str) -> JSON | None:
        found = self.entry(kind, key)
        return None if found is None else json.loads(found[0])

    async def get_many(self, kind: str, keys: Sequence[str]) -> list[JSON | None]:
        return [await self.get(kind, key) for key in keys]

    async def put(self, kind: str, key: str, value: JSON, ttl: float | None = None) -> None:
        self.set_entry(kind, key, dumps(value), self.expires_at(ttl))

    async def put_many(
        self, kind: str, items: Mapping[str, JSON], ttl: float | None = None
    ) -> None:
        texts = {key: dumps(value) for key, value in items.items()}
        expires_at = self.expires_at(ttl)
        for key, text in texts.items():
            self.set_entry(kind, key, text, expires_at)

    async def delete(self, kind: str, key: str) -> None:
        self._values.get(check_kind(kind), {}).pop(key, None)

    async def keys(self, kind: str) -> list[str]:
        return [
            key for key in list(self._values.get(check_kind(kind), {})) if self.entry(kind, key)
        ]

    async def add_new(self, kind: str, members: Iterable[str], ttl: float) -> list[str]:
        now = self._clock.time()
        current = self._sets.setdefault(check_kind(kind), {})
        for member in [m for m, expiry in current.items() if expiry <= now]:
            del current[member]
        new = []
        for member in members:
            if member not in current:
                current[member] = now + ttl
                new.append(member)
        self._wrote()
        return new

    async def incr(self, kind: str, key: str, amount: int, ttl: float | None = None) -> int:
        """Like Redis ``INCRBY`` then ``EXPIRE``: without ``ttl`` the counter keeps its expiry."""
        found = self.entry(kind, key)
        current = 0 if found is None else json.loads(found[0])
        if isinstance(current, bool) or not isinstance(current, int):
            raise ValueError(f"state {kind}/{key} is not an integer counter")
        expires_at = self.expires_at(ttl) if ttl is not None or found is None else found[1]
        self.set_entry(kind, key, str(current + amount), expires_at)
        return int(current + amount)

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
        for members in self._sets.values():
            for member in [m for m, expiry in members.items() if expiry <= now]:
                del members[member]
            live += len(members)
        self._writes = 0
        self._sweep_after = max(1024, live)
