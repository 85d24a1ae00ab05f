"""Mist's three kinds of paging: X-Page-* headers, search objects with ``next``, body pages."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from exporter.simulator.replies import ApiError, Call, Reply, integer

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
_T = TypeVar("_T")


def headers_page(rows: Sequence[_T], call: Call, render: Callable[[_T], Any]) -> Reply:
    """A plain array page; totals in ``X-Page-Total``/``X-Page-Limit``/``X-Page-Page``."""
    limit = integer(call.query, "limit", DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
    page = integer(call.query, "page", 1, low=1, high=1 << 31)
    chunk = rows[(page - 1) * limit : page * limit]
    headers = {"X-Page-Total": str(len(rows)), "X-Page-Limit": str(limit), "X-Page-Page": str(page)}
    return Reply([render(row) for row in chunk], headers)


def body_page(call: Call, total: int) -> tuple[int, int, slice]:
    """(page, limit, slice of the rows) for endpoints that page in the body."""
    limit = integer(call.query, "limit", DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
    page = integer(call.query, "page", 1, low=1, high=1 << 31)
    return page, limit, slice(min(total, (page - 1) * limit), min(total, page * limit))


def encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(call: Call) -> list[Any] | None:
    text = call.query.get("search_after")
    if not text:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        raise ApiError(400, "search_after: invalid cursor") from None
    if not isinstance(value, list):
        raise ApiError(400, "search_after: invalid cursor")
    return value


def search_limit(call: Call) -> int:
    return integer(call.query, "limit", DEFAULT_LIMIT, low=1, high=MAX_LIMIT)


def next_url(call: Call, cursor: Sequence[Any], fixed: dict[str, str] | None = None) -> str:
    """The relative ``next`` link: the same query with ``search_after`` set (and fixed times)."""
    query = {k: v for k, v in call.query.items() if k != "search_after"}
    query.update(fixed or {})
    query["search_after"] = encode_cursor(cursor)
    return f"{call.path}?{urlencode(query)}"
