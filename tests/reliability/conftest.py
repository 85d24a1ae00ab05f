"""One run of the slow scenarios that mostly wait, all at once: the fault matrix and the
deep-dive starvation watch. Their tests assert on what the run observed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.test_fault_matrix import Outcome, run_matrix
from tests.reliability.test_starvation import Watched, watch_during_deep_dive


@dataclass(frozen=True, slots=True)
class Observed:
    faults: dict[str, Outcome]
    starvation: Watched


async def _observe(tmp_path: Path) -> Observed:
    faults, starvation = await asyncio.gather(
        run_matrix(tmp_path), watch_during_deep_dive(tmp_path)
    )
    return Observed(faults, starvation)


@pytest.fixture(scope="session")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Observed:
    return asyncio.run(_observe(tmp_path_factory.mktemp("reliability")))


@pytest.fixture
def outcomes(observed: Observed) -> dict[str, Outcome]:
    return observed.faults


@pytest.fixture
def starvation(observed: Observed) -> Watched:
    return observed.starvation
