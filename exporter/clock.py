"""Time as a seam: the real clock, or one a test or simulation moves by hand."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Wall-clock seconds since the epoch."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""


class SystemClock:
    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ManualClock:
    """A clock that only moves when told to.

    With ``autojump`` (the default) ``sleep`` advances it instead of waiting; without, ``sleep``
    waits until :meth:`advance` has moved the clock past its deadline, so a test can run the
    real loops and step time itself.
    """

    def __init__(self, start: float = 1_800_000_000.0, *, autojump: bool = True) -> None:
        self.now = start
        self._start = start
        self._autojump = autojump
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now - self._start

    def advance(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        waiting = []
        for deadline, future in self._sleepers:
            if future.done():
                continue
            if deadline <= self.now:
                future.set_result(None)
            else:
                waiting.append((deadline, future))
        self._sleepers = waiting

    async def sleep(self, seconds: float) -> None:
        if self._autojump or seconds <= 0:
            self.advance(seconds)
            await asyncio.sleep(0)
            return
        future = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future
