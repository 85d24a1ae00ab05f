"""What only the Redis store does: its key scheme, persistence, and outages of Redis."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import pytest

from exporter.clock import ManualClock
from exporter.config import StateConfig
from exporter.state import MemoryStore, RedisStore, open_store
from tests.support.ports import free_port
from tests.support.redis import RedisServer
from tests.support.wait import until

LOGGER = "exporter.state.redis_store"


def _store(url: str, org_id: str = "org-1", prefix: str = "mistwan") -> RedisStore:
    return RedisStore(url, prefix, org_id, ManualClock(), retry_initial=0.05, retry_max=0.2)


async def _until_up(store: RedisStore) -> None:
    """Wait for the background reconnect to bring the store up."""
    await until(lambda: store.up, within=30, what="the store comes back up", every=0.02)


def _records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == level]


async def test_key_scheme_has_prefix_org_kind_and_key(
    redis_server: RedisServer, redis_url: str
) -> None:
    store = _store(redis_url, org_id="org-9")
    await store.start()
    await store.put("job", "gateways", {"last_success": 1.5}, ttl=60)
    await store.incr("budget", "0:42", 5)
    with redis_server.client() as raw:
        assert sorted(raw.keys("*")) == [
            "mistwan:v1:org-9:budget:0:42",
            "mistwan:v1:org-9:job:gateways",
        ]
        assert raw.get("mistwan:v1:org-9:job:gateways") == '{"last_success":1.5}'
        assert 0 < raw.pttl("mistwan:v1:org-9:job:gateways") <= 60_000
        assert raw.get("mistwan:v1:org-9:budget:0:42") == "5"
    other_org = _store(redis_url, org_id="org-2")
    await other_org.start()
    assert await other_org.get("job", "gateways") is None
    assert await other_org.incr("budget", "0:42", 1) == 1
    await store.close()
    await other_org.close()


async def test_a_new_store_on_the_same_redis_sees_the_old_state(redis_url: str) -> None:
    first = _store(redis_url)
    await first.start()
    await first.put("result", "gateways", {"parts": [1, 2]})
    await first.incr("budget", "0:1", 10)
    await first.close()

    second = _store(redis_url)
    await second.start()
    assert await second.get("result", "gateways") == {"parts": [1, 2]}
    assert await second.incr("budget", "0:1", 1) == 11
    await second.close()


async def test_start_with_redis_down_serves_memory_then_writes_back(
    own_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    store = _store(own_redis_server.url)
    await store.start()
    assert store.up is False
    await store.put("job", "alarms", {"cursor": 17})
    await store.put_many("page", {"1": [1], "2": [2]}, ttl=3600)
    await store.delete("page", "2")
    for _ in range(3):
        await store.incr("budget", "0:1", 2)
    assert await store.get("job", "alarms") == {"cursor": 17}
    assert await store.get_many("page", ["1", "2"]) == [[1], None]
    assert len(_records(caplog, logging.WARNING)) == 1
    assert "127.0.0.1" in _records(caplog, logging.WARNING)[0]

    own_redis_server.start()
    await _until_up(store)
    with own_redis_server.client() as raw:
        assert raw.get("mistwan:v1:org-1:job:alarms") == '{"cursor":17}'
        assert raw.get("mistwan:v1:org-1:page:1") == "[1]"
        assert 0 < raw.pttl("mistwan:v1:org-1:page:1") <= 3_600_000  # the TTL goes back too
        assert raw.get("mistwan:v1:org-1:page:2") is None
        assert raw.get("mistwan:v1:org-1:budget:0:1") == "6"
        raw.set("mistwan:v1:org-1:job:written-by-redis", "42")
    assert await store.get("job", "written-by-redis") == 42  # reads go to Redis again
    assert len(_records(caplog, logging.WARNING)) == 1
    assert len(_records(caplog, logging.INFO)) == 1
    await store.close()


async def test_the_outage_warning_hides_the_redis_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    store = _store(f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0")
    await store.start()
    (warning,) = _records(caplog, logging.WARNING)
    assert "s3cret-pw" not in warning
    assert "127.0.0.1" in warning
    await store.close()


async def test_redis_killed_mid_run_and_restarted_empty(
    own_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    own_redis_server.start()
    store = _store(own_redis_server.url)
    await store.start()
    assert store.up is True
    await store.put("job", "before", "written while up")
    assert await store.incr("budget", "0:1", 3) == 3

    own_redis_server.kill()
    await store.put("job", "during", "written while down")
    assert store.up is False
    for _ in range(20):
        await store.incr("budget", "0:1", 1)
        await store.get("job", "before")
    assert await store.get("job", "before") == "written while up"
    assert len(_records(caplog, logging.WARNING)) == 1

    own_redis_server.start()  # same port, and empty: nothing was persisted
    await _until_up(store)
    with own_redis_server.client() as raw:
        assert raw.get("mistwan:v1:org-1:job:before") == '"written while up"'
        assert raw.get("mistwan:v1:org-1:job:during") == '"written while down"'
        assert raw.get("mistwan:v1:org-1:budget:0:1") == "23"
    assert await store.incr("budget", "0:1", 1) == 24
    assert len(_records(caplog, logging.WARNING)) == 1
    assert len(_records(caplog, logging.INFO)) == 2  # connected at start, back after the outage
    await store.close()


async def test_stalled_redis_times_out_and_deletes_made_meanwhile_land(
    own_redis_server: RedisServer,
) -> None:
    own_redis_server.start()
    store = _store(own_redis_server.url)
    await store.start()
    await store.put("job", "gone", 1)
    await store.put("job", "kept", 2)
    assert own_redis_server.process is not None
    pid = own_redis_server.process.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        async with asyncio.timeout(10):  # a hang would fail here; the socket timeout is 1 s
            await store.delete("job", "gone")
            assert store.up is False
            assert await store.get("job", "kept") == 2
    finally:
        os.kill(pid, signal.SIGCONT)
    await _until_up(store)
    with own_redis_server.client() as raw:
        assert raw.get("mistwan:v1:org-1:job:gone") is None
        assert raw.get("mistwan:v1:org-1:job:kept") == "2"
    await store.close()


async def test_open_store_picks_the_backend(redis_url: str) -> None:
    clock = ManualClock()
    assert isinstance(open_store(StateConfig(), "org-1", clock), MemoryStore)
    store = open_store(StateConfig(redis_url=redis_url, prefix="p"), "org-1", clock)
    assert isinstance(store, RedisStore)
    await store.start()
    assert store.up is True
    assert store.key("job", "k") == "p:v1:org-1:job:k"
    await store.close()
