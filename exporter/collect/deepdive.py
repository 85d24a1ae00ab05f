"""Site SLE deep-dives: degraded (site, metric) pairs first, worst first, then healthy sites.

Per pair each refresh: ``summary-trend`` (incremental, see :mod:`exporter.collect.trend`; the
first time ``deep_dive_days`` back) and ``histogram`` over the published window; for degraded
pairs, at most hourly, the impact calls (:mod:`exporter.collect.deepdive_impact`); pair order
and costs in :mod:`exporter.collect.deepdive_pairs`. ``threshold`` and the site's enabled
metrics (``/metrics``) are cached 24 h, the merged trend 7 days.

Each part stands alone: what answered is published, what failed is kept from the pair's previous
deep-dive and retried next round, and a 4xx (Mist has no such data for the metric or window) is
an empty answer, counted as skipped.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from functools import partial

from exporter.collect.deepdive_api import Limited, kept_or, sle_scope
from exporter.collect.deepdive_impact import Impacts, fetch_impacts, without_impact
from exporter.collect.deepdive_pairs import (
    EXTRA_CALL,
    Pair,
    affordable,
    degraded_pairs,
    healthy_pairs,
    impact_due,
    pair_calls,
    refreshes_before,
)
from exporter.collect.jobs import Collected, Context, Job, registered
from exporter.collect.plan import (
    DEEP_DIVE_WAKE_SECONDS,
    HEALTHY_REFRESH_SECONDS,
    HEALTHY_SHARE_OF_LEFTOVER,
    Plan,
)
from exporter.collect.trend import (
    EMPTY as EMPTY_TREND,
)
from exporter.collect.trend import (
    incremental_start,
    merge_trends,
    pack_trend,
    unpack_trend,
)
from exporter.mist import endpoints as ep
from exporter.mist import parse
from exporter.mist.errors import MistError
from exporter.model import ClassifierDegraded, SleDeepDive, Snapshot, SummaryTrend, TrendBucket

log = logging.getLogger(__name__)

WINDOW_SECONDS = 86400.0
HOUR = 3600.0
DAY = 86400.0
CACHE_TTL = 7 * DAY
KIND_TREND = "sle_trend"  # in user-seconds (0.1's "deepdive_trend" held user-minutes)
KIND_THRESHOLD = "sle_threshold"
KIND_METRICS = "sle_metrics"


@registered
class DeepDiveJob(Job):
    name = "deep_dive"

    def __init__(self) -> None:
        self.plan: Plan | None = None

    def configure(self, plan: Plan) -> None:
        self.plan = plan

    @property
    def _planned(self) -> Plan:
        if self.plan is None:
            raise RuntimeError("the deep-dive job runs only once the scheduler has planned")
        return self.plan

    def allowance(self, ctx: Context, now: float) -> float:
        """Calls deep-dives may spend now and keep this clock hour under the target share.

        What the hour has left under the target, less what the periodic jobs are planned to
        spend before the hour ends (Mist's budget resets on the clock hour; the 30 % above
        the default target is the room for retries and other users of the token).
        """
        plan = self._planned
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
        refresh = self._planned.degraded_refresh_seconds
        degraded = degraded_pairs(snapshot.sle_scores, snapshot.worst_sites, ctx.config.thresholds)
        hurting = set(degraded)
        # Impact is published only while a pair is degraded.
        dives = {
            (d.site_id, d.sle): d if (d.site_id, d.sle) in hurting else without_impact(d)
            for d in snapshot.deep_dives
        }
        due = [p for p in degraded if p not in dives or now - dives[p].fetched_at >= refresh]
        chosen, calls = affordable(due, dives, calls, now)
        # Healthy sites get what the degraded pairs will not need before the hour ends.
        fetched = dict.fromkeys(chosen, now) | {
            p: dives[p].fetched_at for p in degraded if p in dives
        }
        calls -= sum(
            pair_calls(p[1]) * refreshes_before(fetched[p], refresh, now - now % HOUR + HOUR)
            for p in fetched
        )
        healthy_due = [
            p
            for p in healthy_pairs(snapshot.sle_scores, hurting)
            if p not in dives or now - dives[p].fetched_at >= HEALTHY_REFRESH_SECONDS
        ]
        # ... spread over the rest of the hour, so that estimates that were off cannot starve it.
        hour_left = HOUR - now % HOUR
        pace = min(1.0, DEEP_DIVE_WAKE_SECONDS / hour_left)
        share = calls * pace * HEALTHY_SHARE_OF_LEFTOVER
        healthy = affordable(healthy_due, dives, share, now, impact=False)[0]
        pairs = chosen + healthy
        log.debug(
            "deep-dive: %d degraded (%d due, %d affordable), %d healthy; %.0f calls left",
            len(degraded),
            len(due),
            len(chosen),
            len(healthy),
            calls,
        )
        api = Limited(ctx, max(1, ctx.config.mist.max_concurrency // 4))
        results = await asyncio.gather(
            *(self._dive(ctx, api, p, now, dives.get(p), p in hurting) for p in pairs),
            return_exceptions=True,
        )
        failures: list[MistError] = []
        for result in results:
            if isinstance(result, MistError):
                failures.append(result)
            elif isinstance(result, BaseException):
                raise result
            else:
                dive, failed = result
                if dive is not None:
                    dives[(dive.site_id, dive.sle)] = dive
                failures.extend(failed)
        # Pairs no longer scored (site removed) age out with the cache window.
        kept = tuple(
            dives[p]
            for p in sorted(dives)
            if now - dives[p].window_end < ctx.config.collect.deep_dive_days * DAY
        )
        return Collected(Snapshot(deep_dives=kept), tuple(failures))

    async def _enabled(self, ctx: Context, api: Limited, site: str) -> dict[str, str]:
        """The site's enabled metrics: our (hyphenated) name -> the name Mist's URLs take."""
        cached = await ctx.store.get(KIND_METRICS, site)
        if isinstance(cached, list):
            enabled = tuple(str(m) for m in cached)
        else:
            data = await api.get(ep.SLE_METRICS, site_id=site)
            enabled = parse.parse_sle_metrics(data)
            await ctx.store.put(KIND_METRICS, site, list(enabled), ttl=DAY)
        return {parse.sle_name(m): m for m in enabled}

    async def _threshold(self, ctx: Context, api: Limited, site: str, metric: str) -> float | None:
        key = f"{site}:{metric}"
        cached = await ctx.store.get(KIND_THRESHOLD, key)
        if isinstance(cached, dict):
            value = cached.get("threshold")
            return float(value) if isinstance(value, int | float) else None
        threshold = await api.parsed(
            ep.SLE_THRESHOLD, sle_scope(site, metric), parse.parse_threshold
        )
        await ctx.store.put(KIND_THRESHOLD, key, {"threshold": threshold}, ttl=DAY)
        return threshold

    async def _dive(
        self,
        ctx: Context,
        api: Limited,
        pair: Pair,
        now: float,
        previous: SleDeepDive | None,
        degraded: bool,
    ) -> tuple[SleDeepDive | None, tuple[MistError, ...]]:
        """The pair's deep-dive and the parts that failed, those kept from ``previous``; the
        impact calls only when ``degraded``.

        The dive is None when the site does not have the metric enabled, or when nothing
        answered and there is no previous dive. ``fetched_at`` moves only when every part
        answered, so a pair with a failed part stays due.
        """
        site, sle = pair
        metric = (await self._enabled(ctx, api, site)).get(sle)
        if metric is None:
            return None, ()
        scope = sle_scope(site, metric)
        since = now - WINDOW_SECONDS
        window = {"start": int(since), "end": int(now), **scope}
        skips = ctx.skips
        extra = EXTRA_CALL.get(sle)
        measures = asyncio.gather(
            self._trend(ctx, api, pair, scope, now),
            api.parsed(ep.SLE_HISTOGRAM, window, partial(parse.parse_histogram, skips=skips)),
            self._threshold(ctx, api, site, metric),
            return_exceptions=True,
        )
        impacts: Impacts | None = None
        if degraded and impact_due(previous, now):
            got = await asyncio.gather(measures, fetch_impacts(ctx, api, sle, window, previous))
            (trend, histogram, threshold), impacts = got
        else:
            trend, histogram, threshold = await measures
        answers: tuple[object, ...] = (trend, histogram, threshold)
        if impacts is not None:
            answers += impacts.answers(extra is ep.SLE_IMPACTED_APPLICATIONS)
        failures = tuple(a for a in answers if isinstance(a, MistError))
        if len(failures) == len(answers):
            return previous, failures
        kept = previous or SleDeepDive(
            site_id=site,
            sle=sle,
            window_start=since,
            window_end=now,
            # Never complete: due again at once, whichever refresh applies to the pair.
            fetched_at=now - max(self._planned.degraded_refresh_seconds, HEALTHY_REFRESH_SECONDS),
            trend=(),
            classifiers=(),
            histogram=(),
            threshold=None,
            impacted_gateways=(),
            impacted_interfaces=(),
        )
        buckets, classifiers = kept_or(trend, (kept.trend, kept.classifiers), ((), ()))
        top = ctx.config.collect.impact_top_n
        dive = replace(
            kept,
            window_start=since,
            window_end=now,
            fetched_at=kept.fetched_at if failures else now,
            trend=buckets,
            classifiers=classifiers,
            histogram=kept_or(histogram, kept.histogram, ()),
            threshold=kept_or(threshold, kept.threshold, None),
        )
        return dive if impacts is None else impacts.applied(dive, top, now), failures

    async def _trend(
        self, ctx: Context, api: Limited, pair: Pair, scope: dict[str, str], now: float
    ) -> tuple[tuple[TrendBucket, ...], tuple[ClassifierDegraded, ...]]:
        """Fetch from where the cached trend's last bucket starts (or the whole cache window),
        merge, cache; the published window's buckets and classifier sums."""
        key = f"{pair[0]}:{pair[1]}"
        old = await self._cached_trend(ctx, key)
        since = now - ctx.config.collect.deep_dive_days * DAY
        start = incremental_start(old, now)
        if start is None:
            start = since
        new = await self._summary_trend(ctx, api, scope, start, now)
        if not new.buckets:  # Mist answers 400 or empty for some windows: once further back
            new = await self._summary_trend(ctx, api, scope, start - DAY, now)
        trend = merge_trends(old, new, since)
        await ctx.store.put(KIND_TREND, key, {"trend": pack_trend(trend)}, ttl=CACHE_TTL)
        shown = now - WINDOW_SECONDS
        return tuple(b for b in trend.buckets if b.timestamp >= shown), tuple(
            ClassifierDegraded(name, sum(b.degraded for b in buckets if b.timestamp >= shown))
            for name, buckets in trend.classifiers
        )

    async def _summary_trend(
        self, ctx: Context, api: Limited, scope: dict[str, str], start: float, now: float
    ) -> SummaryTrend:
        params = {"start": int(start), "end": int(now), **scope}
        parser = partial(parse.parse_summary_trend, skips=ctx.skips)
        return await api.parsed(ep.SLE_SUMMARY_TREND, params, parser) or EMPTY_TREND

    async def _cached_trend(self, ctx: Context, key: str) -> SummaryTrend:
        """The pair's cached trend; empty when absent or unreadable."""
        cached = await ctx.store.get(KIND_TREND, key)
        if not isinstance(cached, dict):
            return EMPTY_TREND
        try:
            return unpack_trend(cached["trend"])
        except (KeyError, ValueError) as exc:
            log.warning("ignoring the cached trend of %s: %s", key, exc)
            return EMPTY_TREND
