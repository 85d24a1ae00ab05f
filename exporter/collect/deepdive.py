"""Site SLE deep-dives: degraded (site, metric) pairs first, worst first, then healthy sites.

Per pair: ``summary-trend`` (incremental: from the end of the cached series, the first time
``deep_dive_days`` back), ``histogram``, ``impacted-gateways`` and ``impacted-interfaces`` over the
published window, and ``threshold`` (cached 24 h). A site's enabled metrics (``/metrics``) are
cached 24 h. The merged trend is cached in the state store for 7 days.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Container, Iterable, Sequence
from typing import Any

from exporter.collect.jobs import Collected, Context, Job, registered
from exporter.collect.plan import (
    DEEP_DIVE_DAILY_CALLS_PER_PAIR,
    DEEP_DIVE_WAKE_SECONDS,
    HEALTHY_REFRESH_SECONDS,
    HEALTHY_SHARE_OF_LEFTOVER,
    Plan,
)
from exporter.collect.table import DEEP_DIVE_CALLS_PER_PAIR as REFRESH_CALLS
from exporter.mist import endpoints as ep
from exporter.mist import parse
from exporter.mist.endpoints import Endpoint
from exporter.mist.errors import MistError
from exporter.mist.parse import WAN_LINK_HEALTH_V2
from exporter.model import (
    ClassifierDegraded,
    SleDeepDive,
    SleScore,
    Snapshot,
    SummaryTrend,
    TrendBucket,
    WorstSite,
)
from exporter.thresholds import Thresholds

log = logging.getLogger(__name__)

WINDOW_SECONDS = 86400.0
WAN_LINK_HEALTH = "wan-link-health"
HOUR = 3600.0
# The first deep-dive of a pair also fetches the site's enabled metrics and the threshold.
FIRST_CALLS = REFRESH_CALLS + DEEP_DIVE_DAILY_CALLS_PER_PAIR
DAY = 86400.0
CACHE_TTL = 7 * DAY
KIND_TREND = "sle_trend"  # in user-seconds (0.1's "deepdive_trend" held user-minutes)
KIND_THRESHOLD = "sle_threshold"
KIND_METRICS = "sle_metrics"

Pair = tuple[str, str]


def degraded_pairs(
    scores: Iterable[SleScore], worst: Iterable[WorstSite], thresholds: Thresholds
) -> list[Pair]:
    """Degraded pairs: Mist's worst-site ranking first, then by score.

    Where a site has ``wan-link-health-v2`` it replaces ``wan-link-health`` (the live API's
    newer measure of the same links).
    """
    scores = list(scores)
    rank = {(w.site_id, w.sle): i for i, w in enumerate(sorted(worst, key=lambda w: w.ratio))}
    v2 = {s.site_id for s in scores if s.sle == WAN_LINK_HEALTH_V2}
    below = [
        s
        for s in scores
        if thresholds.degraded(s.sle, s.ratio)
        and not (s.sle == WAN_LINK_HEALTH and s.site_id in v2)
    ]
    below.sort(key=lambda s: (rank.get((s.site_id, s.sle), len(rank)), s.ratio, s.site_id))
    return [(s.site_id, s.sle) for s in below]


def healthy_pairs(scores: Iterable[SleScore], degraded: set[Pair]) -> list[Pair]:
    """The rest of the fleet, closest to degraded first."""
    rest = [s for s in scores if (s.site_id, s.sle) not in degraded]
    rest.sort(key=lambda s: (s.ratio, s.site_id, s.sle))
    return [(s.site_id, s.sle) for s in rest]


def merge_buckets(
    old: Sequence[TrendBucket], new: Sequence[TrendBucket], since: float
) -> tuple[TrendBucket, ...]:
    """Union by timestamp (newer data wins), dropping buckets before ``since``."""
    merged = {b.timestamp: b for b in old}
    merged.update((b.timestamp, b) for b in new)
    return tuple(merged[t] for t in sorted(merged) if t >= since)


def merge_trends(old: SummaryTrend | None, new: SummaryTrend, since: float) -> SummaryTrend:
    if old is None:
        old = SummaryTrend(buckets=(), classifiers=())
    old_classifiers = dict(old.classifiers)
    names = sorted(set(old_classifiers) | {name for name, _ in new.classifiers})
    new_classifiers = dict(new.classifiers)
    return SummaryTrend(
        buckets=merge_buckets(old.buckets, new.buckets, since),
        classifiers=tuple(
            (
                name,
                merge_buckets(old_classifiers.get(name, ()), new_classifiers.get(name, ()), since),
            )
            for name in names
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


def refreshes_before(fetched_at: float, refresh: float, end: float) -> int:
    """How many more times a pair fetched at ``fetched_at`` comes due before ``end``."""
    return max(0, math.ceil((end - fetched_at) / refresh) - 1)


def affordable(
    pairs: Sequence[Pair], known: Container[Pair], calls: float
) -> tuple[list[Pair], float]:
    """The leading ``pairs`` that ``calls`` pays for, and the calls left after them."""
    chosen = []
    for pair in pairs:
        cost = REFRESH_CALLS if pair in known else FIRST_CALLS
        if cost > calls:
            break
        chosen.append(pair)
        calls -= cost
    return chosen, calls


class _Limited:
    """The client with at most ``slots`` deep-dive calls in flight.

    A round can issue hundreds of calls; capped at a quarter of the client's concurrency, they
    never queue ahead of every call of the essential jobs (WAN ports, gateways, alarms).
    """

    def __init__(self, ctx: Context, slots: int) -> None:
        self._client = ctx.client
        self._slots = asyncio.Semaphore(slots)

    async def get(self, endpoint: Endpoint, **params: Any) -> Any:
        async with self._slots:
            return await self._client.get(endpoint, **params)


@registered
class DeepDiveJob(Job):
    name = "deep_dive"

    def __init__(self) -> None:
        self.plan: Plan | None = None

    def configure(self, plan: Plan) -> None:
        self.plan = plan

    def allowance(self, ctx: Context, now: float) -> float:
        """Calls deep-dives may spend now and keep this clock hour under the target share.

        What the hour has left under the target, less what the periodic jobs are planned to
        spend before the hour ends (Mist's budget resets on the clock hour; the 30 % above
        the default target is the room for retries and other users of the token).
        """
        if self.plan is None:
            raise RuntimeError("the deep-dive job runs only once the scheduler has planned")
        plan = self.plan
        hour_left = (HOUR - now % HOUR) / HOUR
        return (
            ctx.client.calls_left()
            - (plan.capacity_calls_per_hour - plan.target_calls_per_hour)
            - plan.periodic_calls_per_hour * hour_left
        )

    async def collect(self, ctx: Context) -> Collected:
        now = ctx.clock.time()
        calls = self.allowance(ctx, now)
        snapshot = ctx.publisher.snapshot
        assert self.plan is not None
        refresh = self.plan.degraded_refresh_seconds
        dives = {(d.site_id, d.sle): d for d in snapshot.deep_dives}
        degraded = degraded_pairs(snapshot.sle_scores, snapshot.worst_sites, ctx.config.thresholds)
        due = [p for p in degraded if p not in dives or now - dives[p].fetched_at >= refresh]
        chosen, calls = affordable(due, dives, calls)
        # Healthy sites get what the degraded pairs will not need before the hour ends.
        fetched = dict.fromkeys(chosen, now) | {
            p: dives[p].fetched_at for p in degraded if p in dives
        }
        calls -= REFRESH_CALLS * sum(
            refreshes_before(fetched[p], refresh, now - now % HOUR + HOUR) for p in fetched
        )
        healthy_due = [
            p
            for p in healthy_pairs(snapshot.sle_scores, set(degraded))
            if p not in dives or now - dives[p].fetched_at >= HEALTHY_REFRESH_SECONDS
        ]
        # ... spread over the rest of the hour, so that estimates that were off cannot starve it.
        hour_left = HOUR - now % HOUR
        pace = min(1.0, DEEP_DIVE_WAKE_SECONDS / hour_left)
        healthy = affordable(healthy_due, dives, calls * pace * HEALTHY_SHARE_OF_LEFTOVER)[0]
        pairs = chosen + healthy
        log.debug(
            "deep-dive: %d degraded (%d due, %d affordable), %d healthy; %.0f calls left",
            len(degraded),
            len(due),
            len(chosen),
            len(healthy),
            calls,
        )
        api = _Limited(ctx, max(1, ctx.config.mist.max_concurrency // 4))
        results = await asyncio.gather(
            *(self._dive(ctx, api, site, sle, now) for site, sle in pairs),
            return_exceptions=True,
        )
        failures: list[MistError] = []
        for result in results:
            if isinstance(result, SleDeepDive):
                dives[(result.site_id, result.sle)] = result
            elif isinstance(result, MistError):
                failures.append(result)
            elif isinstance(result, BaseException):
                raise result
        # Pairs no longer scored (site removed) age out with the cache window.
        kept = tuple(
            dives[p]
            for p in sorted(dives)
            if now - dives[p].fetched_at < ctx.config.collect.deep_dive_days * DAY
        )
        return Collected(Snapshot(deep_dives=kept), tuple(failures))

    async def _enabled(self, ctx: Context, api: _Limited, site: str) -> dict[str, str]:
        """The site's enabled metrics: our (hyphenated) name -> the name Mist's URLs take."""
        cached = await ctx.store.get(KIND_METRICS, site)
        if isinstance(cached, list):
            enabled = tuple(str(m) for m in cached)
        else:
            data = await api.get(ep.SLE_METRICS, site_id=site)
            enabled = parse.parse_sle_metrics(data)
            await ctx.store.put(KIND_METRICS, site, list(enabled), ttl=DAY)
        return {parse.sle_name(m): m for m in enabled}

    async def _threshold(self, ctx: Context, api: _Limited, site: str, metric: str) -> float | None:
        key = f"{site}:{metric}"
        cached = await ctx.store.get(KIND_THRESHOLD, key)
        if isinstance(cached, dict):
            value = cached.get("threshold")
            return float(value) if isinstance(value, int | float) else None
        data = await api.get(ep.SLE_THRESHOLD, **_scope(site, metric))
        threshold = parse.parse_threshold(data)
        await ctx.store.put(KIND_THRESHOLD, key, {"threshold": threshold}, ttl=DAY)
        return threshold

    async def _cached_trend(
        self, ctx: Context, key: str
    ) -> tuple[SummaryTrend | None, float | None]:
        """The pair's cached trend and where it ends; (None, None) when absent or unreadable."""
        cached = await ctx.store.get(KIND_TREND, key)
        if not isinstance(cached, dict):
            return None, None
        try:
            return unpack_trend(cached["trend"]), float(cached["end"])
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("ignoring the cached trend of %s: %s", key, exc)
            return None, None

    async def _dive(
        self, ctx: Context, api: _Limited, site: str, sle: str, now: float
    ) -> SleDeepDive | None:
        metric = (await self._enabled(ctx, api, site)).get(sle)
        if metric is None:
            return None
        key = f"{site}:{sle}"
        old, start = await self._cached_trend(ctx, key)
        if start is None:
            start = now - ctx.config.collect.deep_dive_days * DAY
        scope = _scope(site, metric)
        window = {"start": int(now - WINDOW_SECONDS), "end": int(now)}
        trend_data, histogram, gateways, interfaces, threshold = await asyncio.gather(
            api.get(ep.SLE_SUMMARY_TREND, start=int(start), end=int(now), **scope),
            api.get(ep.SLE_HISTOGRAM, **window, **scope),
            api.get(ep.SLE_IMPACTED_GATEWAYS, **window, **scope),
            api.get(ep.SLE_IMPACTED_INTERFACES, **window, **scope),
            self._threshold(ctx, api, site, metric),
        )
        trend = merge_trends(
            old,
            parse.parse_summary_trend(trend_data),
            now - ctx.config.collect.deep_dive_days * DAY,
        )
        await ctx.store.put(
            KIND_TREND, key, {"end": now, "trend": pack_trend(trend)}, ttl=CACHE_TTL
        )
        since = now - WINDOW_SECONDS
        return SleDeepDive(
            site_id=site,
            sle=sle,
            window_start=since,
            window_end=now,
            fetched_at=now,
            trend=tuple(b for b in trend.buckets if b.timestamp >= since),
            classifiers=tuple(
                ClassifierDegraded(name, sum(b.degraded for b in buckets if b.timestamp >= since))
                for name, buckets in trend.classifiers
            ),
            histogram=parse.parse_histogram(histogram),
            threshold=threshold,
            impacted_gateways=parse.parse_impacted_gateways(gateways),
            impacted_interfaces=parse.parse_impacted_interfaces(interfaces),
        )


def _scope(site: str, metric: str) -> dict[str, str]:
    """Path parameters of a site-scoped SLE endpoint; ``metric`` as Mist spells it."""
    return {"site_id": site, "metric": metric}
