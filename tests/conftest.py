"""Shared fixtures: a real redis-server on a free loopback port; the Hypothesis profiles.

Every test's event loop is checked after the test: a connection it left open (a session,
stream or Redis client not closed) fails that test, instead of a ResourceWarning raised in
whichever later test the garbage collector happens to run in.

Hypothesis runs the ``ci`` profile unless ``HYPOTHESIS_PROFILE`` names another: derandomized
(the same examples on every run and machine), no example database, no deadline. Explore with
``HYPOTHESIS_PROFILE=dev`` (random, more examples, a local database); keep what it finds as an
``@example`` next to the test.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.redis import RedisServer

settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("dev", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

_LOOPS: list[asyncio.AbstractEventLoop] = []


def _tracked_loop() -> asyncio.AbstractEventLoop:
    loop = asyncio.new_event_loop()
    _LOOPS.append(loop)
    return loop


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> Mapping[str, object]:
    """Every async test runs on a loop of its own that ``_no_connection_left_open`` checks."""
    return {"tracked": _tracked_loop}


def _open_connections(loop: asyncio.AbstractEventLoop) -> list[asyncio.BaseTransport]:
    """Connections of ``loop`` whose socket is still open (the selector loop's own weak map of
    fd -> transport: a transport no longer referenced stays in it until collected)."""
    transports: Mapping[int, asyncio.BaseTransport] = getattr(loop, "_transports", {})
    return [
        t
        for t in list(transports.values())
        if (sock := t.get_extra_info("socket")) is not None and sock.fileno() != -1
    ]


@pytest.fixture(autouse=True)
def _no_connection_left_open() -> Iterator[None]:
    """After the test's loop is closed (this fixture is set up first, so torn down last)."""
    yield
    closed = [loop for loop in _LOOPS if loop.is_closed()]
    _LOOPS[:] = [loop for loop in _LOOPS if not loop.is_closed()]
    left = [repr(t) for loop in closed for t in _open_connections(loop)]
    assert not left, f"connections left open when the test's event loop closed: {left}"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the session; tests that stop it use ``own_redis_server``."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session server's URL, emptied (FLUSHALL) for this test."""
    if not redis_server.running:
        redis_server.start()
    with redis_server.client() as client:
        client.flushall()
    return redis_server.url


@pytest.fixture
def own_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A server of this test's own, not started: for tests that stop, kill and restart it."""
    server = RedisServer(tmp_path)
    yield server
    server.stop()
