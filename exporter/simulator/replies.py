"""A simulated API call, its reply, and the query-parameter parsing Mist endpoints share."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NOT_FOUND = "Not found."
FORBIDDEN = "You do not have permission to perform this action."
_DURATION = re.compile(r"^(\d+)([smhdw]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler sees: the request path, its path and query parameters, the time, and
    the (org_id, org name) of each org the caller's token may read."""

    path: str
    params: Mapping[str, str]
    query: Mapping[str, str]
    now: float
    privileges: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    status: int = 200


class ApiError(Exception):
    """An error reply with Mist's ``{"detail": ...}`` body."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def integer(query: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    """An integer query parameter; values above ``high`` are capped like Mist caps ``limit``."""
    text = query.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, f"{name}: a valid integer is required") from None
    if value < low:
        raise ApiError(400, f"{name}: ensure this value is greater than or equal to {low}")
    return min(value, high)


def duration(text: str, name: str = "duration") -> float:
    """``1h``, ``1d``, ``7d``, ``2w``, ``30m`` or plain seconds."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ApiError(400, f"{name}: invalid duration {text!r}")
    return float(int(match.group(1)) * _UNITS[match.group(2)])


def epoch(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ApiError(400, f"{name}: epoch seconds expected, got {text!r}") from None


def window(call: Call, default_duration: str = "1d") -> tuple[float, float]:
    """(start, end) from ``start``/``end``/``duration`` the way Mist combines them."""
    query = call.query
    length = duration(query.get("duration") or default_duration)
    start = epoch(query["start"], "start") if query.get("start") else None
    end = epoch(query["end"], "end") if query.get("end") else None
    if start is not None and end is None:
        end = start + length if query.get("duration") else call.now
    elif end is None:
        end = call.now
    if start is None:
        start = end - length
    if end < start:
        raise ApiError(400, "end must not be before start")
    return start, end
