"""A pair's 7-day SLE trend, kept up to date from incremental ``summary-trend`` fetches.

Mist stamps buckets ``start + i * interval`` from the ``start`` it answers (not necessarily on
the hour) and cuts the last bucket at ``end``, so that bucket is partial. An incremental fetch
therefore starts at the cached series' last bucket, and a merge replaces every cached bucket the
new series overlaps: a partial hour is never counted twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from exporter.model import SummaryTrend, TrendBucket

HOUR = 3600.0
EMPTY = SummaryTrend(buckets=(), classifiers=())


def interval(buckets: Sequence[TrendBucket]) -> float:
    """The series' bucket width (an hour when it has fewer than two buckets)."""
    return min((b.timestamp - a.timestamp for a, b in pairwise(buckets)), default=HOUR)


def incremental_start(trend: SummaryTrend, now: float) -> float | None:
    """Where the next fetch starts: the start of the last (partial) bucket, whole buckets further
    back while the window would be under an hour (Mist answers 400 or empty for those); None
    when there is nothing cached."""
    if not trend.buckets:
        return None
    last = trend.buckets[-1].timestamp
    step = interval(trend.buckets)
    return last - step * math.ceil(max(0.0, last - (now - HOUR)) / step)


def merge_buckets(
    old: Sequence[TrendBucket], new: Sequence[TrendBucket], width: float, since: float
) -> tuple[TrendBucket, ...]:
    """``old`` up to where ``new`` begins (an old bucket of ``width`` seconds that overlaps
    ``new`` is dropped, never added to), then ``new``; buckets before ``since`` left out."""
    first = new[0].timestamp if new else math.inf
    kept = [b for b in old if b.timestamp + width <= first]
    return tuple(b for b in (*kept, *new) if b.timestamp >= since)


def merge_trends(old: SummaryTrend, new: SummaryTrend, since: float) -> SummaryTrend:
    """The metric's and each classifier's series merged by :func:`merge_buckets`."""
    width = interval(old.buckets)
    old_classifiers = dict(old.classifiers)
    new_classifiers = dict(new.classifiers)
    return SummaryTrend(
        buckets=merge_buckets(old.buckets, new.buckets, width, since),
        classifiers=tuple(
            (
                name,
                merge_buckets(
                    old_classifiers.get(name, ()), new_classifiers.get(name, ()), width, since
                ),
            )
            for name in sorted(old_classifiers.keys() | new_classifiers.keys())
        ),
    )


def pack_trend(trend: SummaryTrend) -> dict[str, Any]:
    """A compact JSON form of a 7-day trend: rows of numbers, classifier buckets only when > 0."""
    return {
        "buckets": [[b.timestamp, b.total, b.degraded] for b in trend.buckets],
        "classifiers": {
            name: [[b.timestamp, b.total, b.degraded] for b in buckets if b.degraded]
            for name, buckets in trend.classifiers
        },
    }


def unpack_trend(data: Any) -> SummaryTrend:
    """The inverse of :func:`pack_trend`; ValueError when ``data`` is not in that form."""
    try:
        return SummaryTrend(
            buckets=tuple(TrendBucket(*map(float, row)) for row in data["buckets"]),
            classifiers=tuple(
                (str(name), tuple(TrendBucket(*map(float, row)) for row in rows))
                for name, rows in data["classifiers"].items()
            ),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a packed trend: {exc}") from exc
