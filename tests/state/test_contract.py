"""The StateStore contract, run against the memory store and the Redis store alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from exporter.clock import ManualClock
from exporter.state import MemoryStore, RedisStore, StateStore

TTL = 1.0  # seconds: Redis expires values in real time; a busy machine must not beat it


@dataclass
class Harness:
    store: StateStore
    clock: ManualClock
    real_time: bool

    async def elapse(self, seconds: float) -> None:
        """Let ``seconds`` pass for the store: on the injected clock, and for Redis really."""
        self.clock.advance(seconds)
        if self.real_time:
            await asyncio.sleep(seconds)


@pytest.fixture(params=["memory", "redis"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    clock = ManualClock()
    store: StateStore
    if request.param == "memory":
        store = MemoryStore(clock)
    else:
        store = RedisStore(request.getfixturevalue("redis_url"), "test", "org-1", clock)
    await store.start()
    yield Harness(store, clock, real_time=request.param == "redis")
    await store.close()


async def test_started_store_is_up(harness: Harness) -> None:
    assert harness.store.up is True


async def test_put_get_roundtrip_and_overwrite(harness: Harness) -> None:
    store = harness.store
    value = {"a": [1, 2.5, "x", None, True], "b": {"c": -3}, "ü": "ß"}
    assert await store.get("job", "gateways") is None
    await store.put("job", "gateways", value)
    assert await store.get("job", "gateways") == value
    await store.put("job", "gateways", [1])
    assert await store.get("job", "gateways") == [1]
    await store.put("job", "empty", None)
    assert await store.get("job", "empty") is None


async def test_stored_values_are_copies(harness: Harness) -> None:
    value = {"list": [1]}
    await harness.store.put("k", "v", value)
    value["list"].append(2)
    got = await harness.store.get("k", "v")
    assert got is not None
    got["list"].append(3)
    assert await harness.store.get("k", "v") == {"list": [1]}


async def test_values_come_back_as_json_and_non_json_is_refused(harness: Harness) -> None:
    await harness.store.put("k", "tuple", {"t": (1, 2), "f": 0.5})
    assert await harness.store.get("k", "tuple") == {"t": [1, 2], "f": 0.5}
    with pytest.raises(TypeError):
        await harness.store.put("k", "bad", {"s": {1, 2}})
    assert await harness.store.get("k", "bad") is None


async def test_kinds_are_separate(harness: Harness) -> None:
    await harness.store.put("one", "key", 1)
    await harness.store.put("two", "key", 2)
    assert await harness.store.get("one", "key") == 1
    assert await harness.store.get("two", "key") == 2
    await harness.store.delete("one", "key")
    assert await harness.store.get_many("one", ["key"]) == [None]
    assert await harness.store.get("two", "key") == 2


async def test_get_many_keeps_order_and_fills_missing(harness: Harness) -> None:
    store = harness.store
    await store.put_many("page", {"a": 1, "b": {"x": 2}, "c": [3]})
    assert await store.get_many("page", ["c", "missing", "a", "b", "a"]) == [
        [3],
        None,
        1,
        {"x": 2},
        1,
    ]
    assert await store.get_many("page", []) == []


async def test_delete_removes_only_that_key(harness: Harness) -> None:
    store = harness.store
    await store.put_many("partial", {"a:1": 1, "a:2": 2, "b": 3})
    await store.put("other", "a:2", 0)
    await store.incr("partial", "count", 5)
    await store.delete("partial", "a:2")
    await store.delete("partial", "never-there")
    assert await store.get_many("partial", ["a:1", "a:2", "b", "count", "never-there"]) == [
        1,
        None,
        3,
        5,
        None,
    ]
    assert await store.get("other", "a:2") == 0
    await store.put("partial", "a:2", "again")  # a deleted key can be written again
    assert await store.get("partial", "a:2") == "again"


async def test_values_expire_after_ttl(harness: Harness) -> None:
    store = harness.store
    await store.put("cache", "short", "gone soon", ttl=TTL)
    await store.put_many("cache", {"m1": 1, "m2": 2}, ttl=TTL)
    await store.put("cache", "forever", "stays")
    await store.put("cache", "renewed", 1, ttl=TTL)
    await store.put("cache", "renewed", 2)  # a put without ttl never expires
    assert await store.get("cache", "short") == "gone soon"
    await harness.elapse(TTL * 1.5)
    assert await store.get("cache", "short") is None
    assert await store.get_many("cache", ["m1", "m2", "forever", "renewed"]) == [
        None,
        None,
        "stays",
        2,
    ]


async def test_put_with_non_positive_ttl_removes(harness: Harness) -> None:
    await harness.store.put("cache", "k", 1)
    await harness.store.put("cache", "k", 2, ttl=0)
    assert await harness.store.get("cache", "k") is None


async def test_incr_counts_and_get_reads_the_counter(harness: Harness) -> None:
    store = harness.store
    assert await store.incr("budget", "0:1800000000", 1) == 1
    assert await store.incr("budget", "0:1800000000", 4) == 5
    assert await store.incr("budget", "0:1800000000", -2) == 3
    assert await store.incr("budget", "1:1800000000", 7) == 7
    assert await store.get_many("budget", ["0:1800000000", "1:1800000000"]) == [3, 7]


async def test_incr_ttl_expires_and_restarts_at_amount(harness: Harness) -> None:
    store = harness.store
    assert await store.incr("budget", "k", 2, ttl=TTL) == 2
    assert await store.incr("budget", "k", 3) == 5  # without ttl the expiry stays
    await harness.elapse(TTL * 1.5)
    assert await store.get("budget", "k") is None
    assert await store.incr("budget", "k", 3, ttl=60) == 3


@pytest.mark.parametrize("kind", ["", "a:b"])
async def test_kinds_must_be_plain_names(harness: Harness, kind: str) -> None:
    store = harness.store
    for call in (
        lambda: store.put(kind, "k", 1),
        lambda: store.get(kind, "k"),
        lambda: store.delete(kind, "k"),
        lambda: store.incr(kind, "k", 1),
    ):
        with pytest.raises(ValueError, match="without ':'"):
            await call()
