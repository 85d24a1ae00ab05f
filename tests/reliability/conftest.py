"""One run of the slow scenarios that mostly wait, all at once: the fault matrix and the Redis
restarts. Their tests assert on what it observed. The deep-dive starvation watch runs alone:
it measures how often jobs run, which ten exporters busy on two cores would distort."""

from __future__ import annotations

import asyncio
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.test_fault_matrix import Outcome, run_matrix
from tests.reliability.test_process_faults import redis_killed_and_restarted
from tests.reliability.test_starvation import Watched, watch_during_deep_dive
from tests.support.redis import RedisServer


@dataclass(frozen=True, slots=True)
class Observed:
    faults: dict[str, Outcome]
    redis_restart: str | None


async def _redis_restart(tmp_path: Path) -> str | None:
    """The Redis restart scenario on a server of its own: its failure as text, or None."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        await redis_killed_and_restarted(tmp_path, server)
    except (AssertionError, TimeoutError) as exc:
        return "".join(traceback.format_exception(exc))
    finally:
        server.stop()
    return None


async def _observe(tmp_path: Path) -> Observed:
    faults, redis_restart = await asyncio.gather(run_matrix(tmp_path), _redis_restart(tmp_path))
    return Observed(faults, redis_restart)


@pytest.fixture(scope="session")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Observed:
    return asyncio.run(_observe(tmp_path_factory.mktemp("reliability")))


@pytest.fixture
def outcomes(observed: Observed) -> dict[str, Outcome]:
    return observed.faults


@pytest.fixture(scope="session")
def starvation(tmp_path_factory: pytest.TempPathFactory) -> Watched:
    return asyncio.run(watch_during_deep_dive(tmp_path_factory.mktemp("starvation")))
