"""Backfill windows, their cost in API calls, and the hourly allowance that paces them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from exporter.clock import Clock

DAY = 86400
HOUR = 3600
MIN_STEP = 600
MAX_DAYS = 31
_UNITS = {"s": 1, "m": 60, "h": HOUR, "d": DAY}


def parse_resolution(text: str) -> int:
    """``10m``, ``1h``, ... -> seconds; ValueError unless 10m..1d and a divisor of a day."""
    match = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if match is None:
        raise ValueError(f"--resolution: expected a duration such as 10m or 1h, got {text!r}")
    step = int(match[1]) * _UNITS[match[2]]
    if not MIN_STEP <= step <= DAY or DAY % step:
        raise ValueError(f"--resolution: {text} must be 10m..1d and divide a day evenly")
    return step


def label(step: int) -> str:
    """Seconds as the shortest resolution text (``3600`` -> ``1h``)."""
    for unit, size in (("d", DAY), ("h", HOUR), ("m", 60)):
        if step % size == 0:
            return f"{step // size}{unit}"
    return f"{step}s"


@dataclass(frozen=True, slots=True)
class Plan:
    """Windows ``[start + i*step, start + (i+1)*step)`` up to ``end``, aligned to ``step``."""

    start: int
    end: int
    step: int

    @classmethod
    def ending(cls, now: float, days: float, step: int) -> Plan:
        """The last ``days`` days of whole steps before ``now``."""
        if not 0 < days <= MAX_DAYS:
            raise ValueError(f"--days: must be more than 0 and at most {MAX_DAYS}")
        end = int(now // step) * step
        return cls(end - math.ceil(days * DAY / step) * step, end, step)

    @property
    def windows(self) -> int:
        return (self.end - self.start) // self.step

    def window(self, index: int) -> tuple[int, int]:
        start = self.start + index * self.step
        return start, start + self.step


@dataclass(frozen=True, slots=True)
class Cost:
    """Calls = windows x pages, against the allowance: ``budget_share`` of every token's hour."""

    windows: int
    pages: int
    allowance: int

    @property
    def calls(self) -> int:
        return self.windows * self.pages

    @property
    def fits(self) -> bool:
        return self.calls <= self.allowance

    @property
    def hours(self) -> int:
        """Clock hours a paced (``--spread``) run needs at most."""
        return max(1, math.ceil(self.calls / max(1, self.allowance)))


def allowance(budget_share: float, calls_per_hour: int, tokens: int) -> int:
    """Calls per clock hour the backfill may spend."""
    return max(1, int(budget_share * calls_per_hour * tokens))


class Pacer:
    """Spends at most ``allowance`` calls per clock hour, sleeping to the next hour when full."""

    def __init__(self, allowance: int, clock: Clock) -> None:
        self._allowance = allowance
        self._clock = clock
        self._hour = -1
        self._spent = 0

    async def take(self, calls: int) -> float:
        """Reserve ``calls`` in this hour or the next one; returns the seconds waited."""
        waited = 0.0
        while True:
            hour = int(self._clock.time() // HOUR)
            if hour != self._hour:
                self._hour, self._spent = hour, 0
            if self._spent == 0 or self._spent + calls <= self._allowance:
                self._spent += calls
                return waited
            wait = (hour + 1) * HOUR - self._clock.time()
            waited += wait
            await self._clock.sleep(wait)
