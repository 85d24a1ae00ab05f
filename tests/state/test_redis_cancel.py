"""A task cancelled while the Redis store talks to Redis stops, as it would without Redis."""

from __future__ import annotations

import asyncio

import pytest

from exporter.clock import ManualClock
from exporter.state import RedisStore


@pytest.mark.parametrize("write", ["put", "get", "incr"])
async def test_a_cancel_during_a_redis_call_is_never_swallowed(redis_url: str, write: str) -> None:
    """redis-py 8.1 completes a command on an open connection and forgets the cancel; a job
    cancelled at shutdown (or a walk killed mid-page) must stop at that call all the same."""
    store = RedisStore(redis_url, "mistwan", "org-1", ManualClock())
    await store.start()
    done: list[int] = []

    async def writes() -> None:
        for n in range(5):
            if write == "put":
                await store.put("job", "k", n)
            elif write == "get":
                await store.get("job", "k")
            else:
                await store.incr("budget", "k", 1)
            done.append(n)

    task = asyncio.create_task(writes())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert done == []
    assert store.up
    await store.close()
