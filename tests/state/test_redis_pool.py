"""A burst of concurrent store calls waits for pooled connections; Redis is not reported down."""

from __future__ import annotations

import asyncio

from exporter.clock import ManualClock
from exporter.state.redis_store import MAX_CONNECTIONS, RedisStore


async def test_a_burst_beyond_the_pool_keeps_redis_up(redis_url: str) -> None:
    store = RedisStore(redis_url, "burst", "org", ManualClock())
    await store.start()
    burst = 10 * MAX_CONNECTIONS
    try:
        await asyncio.gather(*(store.put("job", f"k{i}", {"n": i}) for i in range(burst)))
        assert store.up
        values = await asyncio.gather(*(store.get("job", f"k{i}") for i in range(burst)))
        assert store.up
    finally:
        await store.close()
    assert values == [{"n": i} for i in range(burst)]
