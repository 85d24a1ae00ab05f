"""Deep-dive ordering and incremental trend merging (a partial hour is never counted twice)."""

from __future__ import annotations

import pytest

from exporter.collect.deepdive_pairs import degraded_pairs, healthy_pairs
from exporter.collect.trend import EMPTY, incremental_start, merge_trends
from exporter.mist.parse import parse_summary_trend
from exporter.model import SleScore, SummaryTrend, TrendBucket, WorstSite
from exporter.thresholds import Thresholds


def test_degraded_pairs_follow_mist_ranking_then_score() -> None:
    scores = [
        SleScore("a", "wan-link-health", 0.85),
        SleScore("b", "wan-link-health", 0.5),
        SleScore("c", "gateway-health", 0.7),
        SleScore("d", "gateway-health", 0.95),
    ]
    worst = [WorstSite("gateway-health", "c", 0.7)]
    assert degraded_pairs(scores, worst, Thresholds(sle_degraded=0.9)) == [
        ("c", "gateway-health"),
        ("b", "wan-link-health"),
        ("a", "wan-link-health"),
    ]
    assert healthy_pairs(
        scores, set(degraded_pairs(scores, worst, Thresholds(sle_degraded=0.9)))
    ) == [("d", "gateway-health")]


def test_merge_keeps_old_adds_new_and_drops_expired() -> None:
    old = SummaryTrend(
        buckets=(TrendBucket(0, 10, 1), TrendBucket(600, 10, 2)),
        classifiers=(("network-loss", (TrendBucket(600, 0, 2),)),),
    )
    new = SummaryTrend(
        buckets=(TrendBucket(600, 10, 3), TrendBucket(1200, 10, 0)),
        classifiers=(("network-jitter", (TrendBucket(1200, 0, 1),)),),
    )
    merged = merge_trends(old, new, since=300)
    assert merged.buckets == (TrendBucket(600, 10, 3), TrendBucket(1200, 10, 0))
    assert dict(merged.classifiers) == {
        "network-jitter": (TrendBucket(1200, 0, 1),),
        "network-loss": (TrendBucket(600, 0, 2),),
    }
    assert merge_trends(EMPTY, new, since=0) == SummaryTrend(
        buckets=new.buckets, classifiers=new.classifiers
    )


HOUR = 3600.0
T0 = 1_800_000_000.0 + 1234  # off the hour


def degraded_rate(t: float) -> float:
    """Degraded user-minutes per second at ``t``, changing every 10 minutes."""
    return ((t // 600) % 7) * 0.01


def integral(a: float, b: float) -> float:
    """Degraded user-minutes over [a, b], exactly (the rate is constant per 10 minutes)."""
    total, t = 0.0, a
    while t < b:
        edge = min(b, (t // 600 + 1) * 600)
        total += degraded_rate(t) * (edge - t)
        t = edge
    return total


def mist_summary_trend(start: float, end: float) -> dict[str, object]:
    """Mist's answer: buckets from ``start`` as asked (off the hour), the last cut at ``end``;
    one user per second in total, the degraded half network-loss, half network-jitter."""
    edges = [start + i * HOUR for i in range(int(-(-(end - start) // HOUR)))]
    degraded = [integral(a, min(a + HOUR, end)) for a in edges]
    total = [min(a + HOUR, end) - a for a in edges]
    half = [d / 2 for d in degraded]

    def series(name: str, samples: dict[str, list[float]]) -> dict[str, object]:
        return {"name": name, "interval": HOUR, "samples": samples}

    return {
        "start": start,
        "end": end,
        "sle": series("wan-link-health", {"total": total, "degraded": degraded}),
        "classifiers": [
            series("network-loss", {"degraded": half}),
            series("network-jitter", {"degraded": half}),
        ],
    }


def sums(trend: SummaryTrend) -> tuple[float, float, dict[str, float]]:
    """(total, degraded, per classifier degraded) in user-minutes."""
    return (
        sum(b.total for b in trend.buckets) / 60,
        sum(b.degraded for b in trend.buckets) / 60,
        {name: sum(b.degraded for b in buckets) / 60 for name, buckets in trend.classifiers},
    )


def test_incremental_merges_never_count_a_partial_hour_twice() -> None:
    """Three fetches 25 and 40 minutes apart, Mist's start off the hour: the merged trend sums
    to what one fetch over the whole range answers, bucket by bucket."""
    first = T0 - 6 * HOUR
    trend = merge_trends(EMPTY, parse_summary_trend(mist_summary_trend(first, T0)), since=0)
    for now in (T0 + 1500, T0 + 1500 + 2400):
        start = incremental_start(trend, now)
        assert start is not None
        assert start <= trend.buckets[-1].timestamp
        assert now - start >= HOUR
        assert (start - first) % HOUR == 0, "refetches whole buckets of the cached series"
        new = parse_summary_trend(mist_summary_trend(start, now))
        trend = merge_trends(trend, new, since=0)
        whole = parse_summary_trend(mist_summary_trend(first, now))
        assert trend.buckets == whole.buckets
        total, degraded, classifiers = sums(trend)
        assert total == pytest.approx(now - first)
        assert degraded == pytest.approx(integral(first, now))
        assert classifiers == pytest.approx(
            {"network-loss": degraded / 2, "network-jitter": degraded / 2}
        )


def test_the_window_degraded_sum_equals_mists() -> None:
    """After merges, the degraded seconds from any cached bucket on equal Mist's answer from
    there (the published 24 h window is such a sum)."""
    first = T0 - 30 * HOUR
    trend = merge_trends(EMPTY, parse_summary_trend(mist_summary_trend(first, T0)), since=0)
    now = T0
    for step in (600, 1300, 3700, 200):
        now += step
        start = incremental_start(trend, now)
        assert start is not None
        trend = merge_trends(trend, parse_summary_trend(mist_summary_trend(start, now)), 0)
    window = next(b.timestamp for b in trend.buckets if b.timestamp >= now - 86400)
    mist = parse_summary_trend(mist_summary_trend(window, now))
    shown = [b for b in trend.buckets if b.timestamp >= window]
    assert sum(b.degraded for b in shown) == pytest.approx(sum(b.degraded for b in mist.buckets))
    assert sum(b.degraded for b in shown) == pytest.approx(integral(window, now) * 60)


def test_incremental_start_is_the_last_bucket_and_at_least_an_hour_back() -> None:
    trend = SummaryTrend(
        buckets=(TrendBucket(T0, 60, 0), TrendBucket(T0 + HOUR, 60, 0)), classifiers=()
    )
    assert incremental_start(trend, T0 + 2 * HOUR) == T0 + HOUR
    assert incremental_start(trend, T0 + HOUR + 600) == T0
    assert incremental_start(trend, T0 + 5 * HOUR) == T0 + HOUR
    assert incremental_start(EMPTY, T0) is None


def test_merge_replaces_overlapping_buckets_never_adds() -> None:
    """An old bucket that the new series overlaps at all is dropped, on the grid or off it."""
    old = SummaryTrend(
        buckets=(TrendBucket(0, 60, 1), TrendBucket(HOUR, 60, 2), TrendBucket(2 * HOUR, 10, 3)),
        classifiers=(("network-loss", (TrendBucket(HOUR, 60, 2), TrendBucket(2 * HOUR, 10, 3))),),
    )
    on_grid = SummaryTrend(
        buckets=(TrendBucket(2 * HOUR, 60, 5),),
        classifiers=(("network-loss", (TrendBucket(2 * HOUR, 60, 5),)),),
    )
    merged = merge_trends(old, on_grid, since=0)
    assert merged.buckets == (*old.buckets[:2], TrendBucket(2 * HOUR, 60, 5))
    assert merged.classifiers == (
        ("network-loss", (TrendBucket(HOUR, 60, 2), TrendBucket(2 * HOUR, 60, 5))),
    )
    off_grid = SummaryTrend(buckets=(TrendBucket(1.5 * HOUR, 60, 7),), classifiers=())
    assert merge_trends(old, off_grid, since=0).buckets == (
        TrendBucket(0, 60, 1),
        TrendBucket(1.5 * HOUR, 60, 7),
    )
