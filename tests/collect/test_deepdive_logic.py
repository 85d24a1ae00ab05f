"""Deep-dive ordering and incremental trend merging."""

from __future__ import annotations

from exporter.collect.deepdive import degraded_pairs, healthy_pairs, merge_trends
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
    assert merge_trends(None, new, since=0) == SummaryTrend(
        buckets=new.buckets, classifiers=new.classifiers
    )
