"""The faults in force (from flags at start and from ``POST /__sim/faults`` at run time),
and the pages and stripped bodies some of them answer with."""

from __future__ import annotations

import random
from dataclasses import dataclass
from fnmatch import fnmatchcase
from http import HTTPStatus
from typing import Any

from exporter.simulator.config import Fault

_5XX_CYCLE = (500, 502, 503)
_ROW_LISTS = (
    "results", "gateways", "interfaces", "classifiers", "data", "privileges", "apps", "peer_paths",
)  # fmt: skip
_REQUIRED_KEYS = frozenset(
    {
        "id", "mac", "site_id", "port_id", "timestamp", "type", "group", "severity", "up",
        "gateway-health", "peer_mac", "total", "degraded", "samples", "value", "role", "name",
        "gateway_mac", "interface_name", "if_stat",
    }
)  # fmt: skip
_HTML = (
    "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
    "<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
)


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


def html_page(status: int) -> str:
    """An ``html`` fault's page: a load balancer's error page, or maintenance served with 200."""
    title = "Scheduled maintenance" if status == 200 else f"{status} {HTTPStatus(status).phrase}"
    return _HTML.format(title=title)


def strip_fields(body: Any) -> Any:
    """``missing_fields``: drop the keys parsers rely on from every row (not the envelope)."""
    rows: list[Any] = []
    if isinstance(body, list):
        rows = body
    elif isinstance(body, dict):
        for key in (*_ROW_LISTS, "sle"):
            value = body.get(key)
            if isinstance(value, list):
                rows.extend(value)
            elif isinstance(value, dict):
                rows.append(value)
        if not rows:
            rows = [body]
    for row in rows:
        if isinstance(row, dict):
            for key in _REQUIRED_KEYS & row.keys():
                del row[key]
    return body
