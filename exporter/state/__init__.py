"""Where the exporter keeps fetch state, caches, the alarm ledger and budgets: Redis, or memory."""

from __future__ import annotations

from exporter.clock import Clock
from exporter.config import StateConfig
from exporter.state.memory import MemoryStore
from exporter.state.redis_store import RedisStore
from exporter.state.store import JSON, StateStore

__all__ = ["JSON", "MemoryStore", "RedisStore", "StateStore", "open_store"]


def open_store(config: StateConfig, org_id: str, clock: Clock) -> StateStore:
    """A Redis store when ``REDIS_URL`` is set, else a memory store (call ``start()`` next)."""
    if config.redis_url is None:
        return MemoryStore(clock)
    return RedisStore(config.redis_url, config.prefix, org_id, clock)
