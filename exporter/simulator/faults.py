"""The faults in force: from flags at start and from ``POST /__sim/faults`` at run time."""

from __future__ import annotations

import random
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from exporter.simulator.config import Fault

_5XX_CYCLE = (500, 502, 503)


@dataclass(slots=True)
class _Active:
    fault_id: str
    fault: Fault
    remaining: int | None
    hits: int = 0


@dataclass(frozen=True, slots=True)
class Hit:
    """A fault chosen for one call; ``nth`` counts this fault's hits from 0."""

    fault: Fault
    nth: int

    @property
    def status(self) -> int:
        if self.fault.status is not None:
            return self.fault.status
        if self.fault.mode == "5xx":
            return _5XX_CYCLE[self.nth % len(_5XX_CYCLE)]
        return 502


class FaultBook:
    def __init__(self, faults: tuple[Fault, ...], rng: random.Random) -> None:
        self._rng = rng
        self._active: list[_Active] = []
        self._serial = 0
        for fault in faults:
            self.add(fault)

    def add(self, fault: Fault) -> str:
        self._serial += 1
        fault_id = f"fault-{self._serial}"
        self._active.append(_Active(fault_id, fault, fault.count))
        return fault_id

    def clear(self) -> int:
        count = len(self._active)
        self._active.clear()
        return count

    def listing(self) -> list[dict[str, Any]]:
        return [
            {"id": a.fault_id, **a.fault.to_json(), "hits": a.hits, "remaining": a.remaining}
            for a in self._active
        ]

    def draw(self, template: str, path: str) -> Hit | None:
        """The fault that hits this call, if any (the first matching fault that fires)."""
        for active in self._active:
            glob = active.fault.endpoint
            if not (fnmatchcase(template, glob) or fnmatchcase(path, glob)):
                continue
            if active.fault.rate < 1.0 and self._rng.random() >= active.fault.rate:
                continue
            hit = Hit(active.fault, active.hits)
            active.hits += 1
            if active.remaining is not None:
                active.remaining -= 1
                if active.remaining == 0:
                    self._active.remove(active)
            return hit
        return None
