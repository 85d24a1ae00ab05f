"""A simulator on a fixed clock and the config that points the backfill at it."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from exporter.backfill.command import Result, backfill
from exporter.clock import ManualClock
from exporter.config import DEMO_TOKEN, Config, MistConfig
from exporter.simulator import RunningSimulator, SimConfig, serve
from exporter.state import MemoryStore, StateStore

T0 = 1_700_001_234.0  # fixed, in the past, not on a step boundary


@dataclass
class Setup:
    running: RunningSimulator
    clock: ManualClock
    config: Config
    lines: list[str]

    async def backfill(
        self,
        out: Path,
        *,
        days: float = 1,
        step: int = 3600,
        store: StateStore | None = None,
        spread: bool = False,
    ) -> Result:
        return await backfill(
            self.config,
            out,
            days=days,
            step=step,
            spread=spread,
            clock=self.clock,
            store=store if store is not None else MemoryStore(self.clock),
            echo=self.lines.append,
            progress=io.StringIO(),
        )


@asynccontextmanager
async def simulated(sites: int = 12, calls_per_hour: int = 5000) -> AsyncIterator[Setup]:
    clock = ManualClock(T0)
    async with serve(SimConfig(sites=sites, seed=3), clock=clock) as running:
        mist = MistConfig(
            base_url=running.base_url,
            org_id=None,
            tokens=(DEMO_TOKEN,),
            calls_per_hour=calls_per_hour,
        )
        yield Setup(running, clock, Config(mist=mist), [])
