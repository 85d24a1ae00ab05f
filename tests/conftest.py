"""Shared fixtures: a real redis-server on a free loopback port; the Hypothesis profiles.

Hypothesis runs the ``ci`` profile unless ``HYPOTHESIS_PROFILE`` names another: derandomized
(the same examples on every run and machine), no example database, no deadline. Explore with
``HYPOTHESIS_PROFILE=dev`` (random, more examples, a local database); keep what it finds as an
``@example`` next to the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.redis import RedisServer

settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("dev", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
