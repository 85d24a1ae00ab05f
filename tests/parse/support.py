"""Running a parser with a :class:`Skips` and the parse logger captured at debug."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import TypeVar, cast

import pytest

from exporter.mist.parse import Skips

T = TypeVar("T")
LOGGER = "exporter.mist.parse"


def approx(expected: float) -> float:
    """``pytest.approx(expected)`` typed as the float it stands for in a model's field."""
    return cast(float, pytest.approx(expected))


def with_skips(
    caplog: pytest.LogCaptureFixture, parse: Callable[[Skips], T]
) -> tuple[T, Mapping[tuple[str, str], int]]:
    """What ``parse(skips)`` returns and the rows it left out, by (endpoint, reason)."""
    skips = Skips()
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        result = parse(skips)
    return result, skips.counts()


def deduplicated(caplog: pytest.LogCaptureFixture, parse: Callable[[Skips], T], endpoint: str) -> T:
    """What ``parse(skips)`` keeps, having counted exactly one duplicate row of ``endpoint``."""
    kept, skipped = with_skips(caplog, parse)
    assert skipped == {(endpoint, "duplicate row"): 1}
    return kept


def logged(caplog: pytest.LogCaptureFixture, pattern: str) -> bool:
    """Whether a debug record of the parse logger matches the regex ``pattern``."""
    return any(
        record.name == LOGGER
        and record.levelno == logging.DEBUG
        and re.search(pattern, record.getMessage())
        for record in caplog.records
    )
