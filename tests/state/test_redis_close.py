"""A write redis-py gives up on leaves no socket open past the store's close.

redis-py closes a timed-out connection without waiting; the unsent part of a large pipeline
used to keep its socket open until Redis read it, so a test's event loop could close with it
and the garbage collector reported it in a later test (the autouse guard in conftest.py fails
the test whose loop closes with a connection open).
"""

from __future__ import annotations

import os
import signal

from exporter.clock import ManualClock
from exporter.state import RedisStore
from tests.support.redis import RedisServer


async def test_a_write_that_times_out_on_a_stalled_redis_leaves_no_socket_open(
    own_redis_server: RedisServer,
) -> None:
    own_redis_server.start()
    assert own_redis_server.process is not None
    pid = own_redis_server.process.pid
    store = RedisStore(own_redis_server.url, "mistwan", "org-1", ManualClock(), socket_timeout=0.2)
    await store.start()
    assert store.up
    os.kill(pid, signal.SIGSTOP)  # Redis reads nothing: the pipeline cannot all be sent
    try:
        await store.put_many("job", {f"k{n}": "x" * 1_000_000 for n in range(32)})
        assert not store.up, "the write timed out"
        await store.close()
    finally:
        os.kill(pid, signal.SIGCONT)
