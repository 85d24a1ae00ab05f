"""Reading Mist's JSON field by field, and the rule that one bad row never sinks a payload.

:class:`Fields` wraps one JSON object; every error it raises is a :class:`MistPayloadError`
naming the endpoint template, the field's path and a short ``reason`` (``missing port_id``,
``invalid speed``). :func:`each_row` parses the rows of an array one by one: a row that cannot
be read is left out and counted in :class:`Skips`; only an envelope of the wrong shape (not an
array, not an object) fails the whole payload.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from exporter.mist.errors import MistPayloadError

T = TypeVar("T")
log = logging.getLogger("exporter.mist.parse")
MBPS = 1e6 / 8
MS = 1e-3
PERCENT = 1e-2
MINUTE = 60.0  # Mist's user-minutes -> user-seconds
# Counts (user-minutes, samples) above this are not Mist's: a bound that keeps every sum finite.
MAX_COUNT = 1e15
# Array indices and map keys in a path (``rows[3]``, ``if_stat[ge-0/0/0.0]``): never a field.
_INDEX = re.compile(r"\[[^\]]*\]")


def sle_name(name: str) -> str:
    """The canonical spelling of an SLE metric or classifier name (hyphens, not underscores)."""
    return name.replace("_", "-")


def normalise_mac(mac: str) -> str:
    """``AA:BB:cc-dd.eeff`` -> ``aabbccddeeff``."""
    return mac.lower().replace(":", "").replace("-", "").replace(".", "")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _error(endpoint: str, path: str, message: str, value: Any) -> MistPayloadError:
    """An error whose reason names the field (the last step of ``path``, without indices)."""
    field = _INDEX.sub("", path).rsplit(".", 1)[-1]
    reason = f"{'missing' if value is None else 'invalid'} {field}"
    return MistPayloadError(endpoint, f"{path}: {message}", reason=reason)


class Skips:
    """Rows the parsers left out, by endpoint template and reason.

    Published as ``mist_parse_skipped_rows_total``.
    """

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()

    def skip(self, endpoint: str, reason: str, rows: int = 1) -> None:
        self._counts[(endpoint, reason)] += rows

    def counts(self) -> Mapping[tuple[str, str], int]:
        """A copy of the counts so far, keyed by (endpoint template, reason)."""
        return dict(self._counts)


class Fields:
    """One JSON object, read field by field; errors name the endpoint and the field's path."""

    __slots__ = ("data", "endpoint", "path")

    def __init__(self, endpoint: str, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise _error(endpoint, path, f"expected an object, got {_kind(data)}", data)
        self.endpoint = endpoint
        self.data: dict[str, Any] = data
        self.path = path

    def error(self, key: str, message: str) -> MistPayloadError:
        return _error(self.endpoint, f"{self.path}.{key}", message, self.data.get(key))

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, got {_kind(value)}")
        return value

    def opt_text(self, key: str, default: str = "") -> str:
        return default if self.data.get(key) is None else self.text(key)

    def number(self, key: str) -> float:
        return finite(self.endpoint, f"{self.path}.{key}", self.data.get(key))

    def opt_number(self, key: str, scale: float = 1.0) -> float | None:
        """The value times ``scale`` (a unit conversion), or None when Mist left it out.

        Numbers sent as numeric strings (``"150"``, as some settings come) are read too.
        """
        value = self.data.get(key)
        if value is None:
            return None
        path = f"{self.path}.{key}"
        if isinstance(value, str):
            value = _numeric_text(self.endpoint, path, value)
        return finite(self.endpoint, path, finite(self.endpoint, path, value) * scale)

    def count(self, key: str) -> float:
        """A non-negative count of user-minutes or samples, at most :data:`MAX_COUNT`."""
        return count(self.endpoint, f"{self.path}.{key}", self.data.get(key))

    def integer(self, key: str) -> int:
        value = self.number(key)
        if not value.is_integer():
            raise self.error(key, "expected an integer")
        return int(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, f"expected a boolean, got {_kind(value)}")
        return value

    def child(self, key: str) -> Fields:
        return Fields(self.endpoint, self.data.get(key), f"{self.path}.{key}")

    def opt_child(self, key: str) -> Fields | None:
        return None if self.data.get(key) is None else self.child(key)

    def items(self, key: str) -> list[Any]:
        return array(self.endpoint, self.data.get(key), f"{self.path}.{key}")

    def strings(self, key: str) -> list[str]:
        values = self.items(key)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                path = f"{self.path}.{key}[{index}]"
                raise _error(self.endpoint, path, f"expected a string, got {_kind(value)}", value)
        return values

    def first_text(self, *keys: str) -> str:
        """The first of ``keys`` present (spelling variants), required."""
        for key in keys:
            if self.has(key):
                return self.text(key)
        raise self.error(keys[0], "missing")


def _numeric_text(endpoint: str, path: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise _error(endpoint, path, "expected a number or a numeric string", value) from None


def finite(endpoint: str, path: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _error(endpoint, path, f"expected a number, got {_kind(value)}", value)
    try:
        result = float(value)
    except OverflowError:
        raise _error(endpoint, path, "number out of range", value) from None
    if not math.isfinite(result):
        raise _error(endpoint, path, f"expected a finite number, got {result}", value)
    return result


def count(endpoint: str, path: str, value: Any) -> float:
    result = finite(endpoint, path, value)
    if not 0.0 <= result <= MAX_COUNT:
        raise _error(endpoint, path, f"expected a count in 0..{MAX_COUNT:g}, got {result}", value)
    return result


def array(endpoint: str, data: Any, path: str) -> list[Any]:
    if not isinstance(data, list):
        raise _error(endpoint, path, f"expected an array, got {_kind(data)}", data)
    return data


def each_row(
    endpoint: str,
    rows: Any,
    read: Callable[[Fields], T | None],
    skips: Skips | None,
    path: str = "rows",
    *,
    walk: bool = False,
) -> list[T]:
    """``read`` applied to every row of the array ``rows``; None results are left out.

    A row ``read`` cannot parse (its MistPayloadError) is left out and counted. ``rows`` that
    is not an array fails the whole payload, and so does a ``walk`` (the rows of an org-level
    listing: sites, devices, ports, paths...) none of whose rows is readable: that is not an
    answer of the shape the parser knows, and the last good data stays published instead.
    """
    items = array(endpoint, rows, path)
    parsed = []
    errors: list[MistPayloadError] = []
    for index, row in enumerate(items):
        try:
            item = read(Fields(endpoint, row, f"{path}[{index}]"))
        except MistPayloadError as exc:
            errors.append(exc)
            continue
        if item is not None:
            parsed.append(item)
    if walk and errors and len(errors) == len(items):
        first = errors[0]
        message = str(first).removeprefix(f"{endpoint}: ")
        raise MistPayloadError(
            endpoint, f"none of the {len(items)} rows is readable; first: {message}"
        ) from first
    for error in errors:
        log.debug("row left out: %s", error)
        if skips is not None:
            skips.skip(endpoint, error.reason)
    return parsed


def newest(
    endpoint: str,
    rows: Iterable[tuple[Hashable, float, T]],
    skips: Skips | None,
) -> tuple[T, ...]:
    """One item per identity: the one with the highest freshness (later rows win ties).

    A search walk sorted by time returns a row that changed mid-walk twice, and Mist's own
    example repeats a path; every repeat left out is counted as a ``duplicate row``.
    """
    kept: dict[Hashable, tuple[float, T]] = {}
    duplicates = 0
    for key, freshness, item in rows:
        if key in kept:
            duplicates += 1
            if freshness < kept[key][0]:
                continue
        kept[key] = (freshness, item)
    if duplicates and skips is not None:
        skips.skip(endpoint, "duplicate row", duplicates)
    return tuple(item for _, item in kept.values())
