"""The state store interface: what the exporter keeps between cycles and across restarts.

Two implementations satisfy it: :mod:`exporter.state.memory` and :mod:`exporter.state.redis_store`.
Values are JSON-compatible data (dicts, lists, str, numbers, bools, None); the store never sees
model classes. Every method of the Redis store degrades to the memory store while Redis is down
(``up`` is False) and writes through again once it is back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

JSON = Any


class StateStore(Protocol):
    @property
    def up(self) -> bool:
        """True while the backing store accepts reads and writes (always True for memory)."""

    async def start(self) -> None:
        """Connect (never raises: a store that cannot connect starts down and retries)."""

    async def close(self) -> None: ...

    async def get(self, kind: str, key: str) -> JSON | None:
        """The value saved under (``kind``, ``key``), or None."""

    async def get_many(self, kind: str, keys: Sequence[str]) -> list[JSON | None]:
        """Values for many keys of one kind in one round trip, in order."""

    async def put(self, kind: str, key: str, value: JSON, ttl: float | None = None) -> None:
        """Save ``value``; ``ttl`` seconds until it expires (None: never)."""

    async def put_many(
        self, kind: str, items: Mapping[str, JSON], ttl: float | None = None
    ) -> None: ...

    async def delete(self, kind: str, key: str) -> None: ...

    async def incr(self, kind: str, key: str, amount: int, ttl: float | None = None) -> int:
        """Add ``amount`` to a counter and return the new value (used for hourly budgets)."""
