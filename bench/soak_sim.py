"""The simulator in a process of its own, on a clock the soak moves: one time for both processes.

The time is 8 bytes in a file that both map: the soak's :class:`SharedClock` (a ManualClock)
writes it, the simulator's :class:`MappedClock` reads it, so a jump is seen by both at once and
each process's memory is its own. ``python -m bench.soak_sim --clock-file F --sites N`` prints
``org_id`` and ``base_url`` lines, as ``simulate`` does, and serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import mmap
import struct
import sys
from collections.abc import Sequence
from pathlib import Path

from exporter.clock import ManualClock
from exporter.simulator import SimConfig, serve
from exporter.simulator.server import announce, until_signalled

_DOUBLE = struct.Struct("d")


def _mapped(path: Path) -> mmap.mmap:
    with path.open("r+b") as file:
        return mmap.mmap(file.fileno(), _DOUBLE.size)


class SharedClock(ManualClock):
    """A ManualClock whose ``now`` lives in ``path``, for a :class:`MappedClock` to read."""

    def __init__(self, path: Path, start: float) -> None:
        path.write_bytes(_DOUBLE.pack(start))
        self._map = _mapped(path)
        super().__init__(start)

    @property
    def now(self) -> float:
        return float(_DOUBLE.unpack_from(self._map)[0])

    @now.setter
    def now(self, value: float) -> None:
        _DOUBLE.pack_into(self._map, 0, value)


class MappedClock:
    """The time a :class:`SharedClock` in another process has written; it never sleeps."""

    def __init__(self, path: Path) -> None:
        self._map = _mapped(path)
        self._start = self.time()

    def time(self) -> float:
        return float(_DOUBLE.unpack_from(self._map)[0])

    def monotonic(self) -> float:
        return self.time() - self._start

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


async def _serve(clock_file: Path, sites: int, seed: int) -> int:
    async def serving(stop: asyncio.Event) -> None:
        config = SimConfig(sites=sites, seed=seed)
        async with serve(config, clock=MappedClock(clock_file)) as running:
            announce(running.simulator.org_id, running.base_url)
            await stop.wait()

    return await until_signalled(serving, "127.0.0.1", 0, "soak_sim")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak_sim")
    parser.add_argument("--clock-file", type=Path, required=True)
    parser.add_argument("--sites", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    return asyncio.run(_serve(args.clock_file, args.sites, args.seed))


if __name__ == "__main__":
    sys.exit(main())
