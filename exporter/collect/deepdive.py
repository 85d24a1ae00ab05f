"""Site SLE deep-dives: degraded (site, metric) pairs first, worst first, then healthy sites.

Per pair: ``summary-trend`` (incremental, see :mod:`exporter.collect.trend`; the first time
``deep_dive_days`` back) and ``histogram`` over the published window each refresh; at most
hourly (a 24-hour window's impact changes slowly) the impact calls: ``impact-summary`` (its
gateway and interface rows stand in for ``impacted-gateways`` and ``impacted-interfaces``),
``impacted-clients``, plus ``impacted-applications`` for application health and
``impacted-peer-paths`` for WAN link health (see :func:`pair_calls`), the ``collect.impact_top_n``
most degraded entities per field kept. The impact calls are for degraded pairs only (who is
impacted when a site degrades): a healthy pair's dive skips them, and a pair that is no longer
degraded loses its impact fields at the next round. ``threshold`` and the site's enabled metrics
(``/metrics``) are cached 24 h, the merged trend 7 days.

Each part stands alone: what answered is published, what failed is kept from the pair's previous
deep-dive and retried next round, and a 4xx (Mist has no such data for the metric or window) is
an empty answer, counted as skipped. ``impacted-peer-paths`` (undocumented) never fails a
dive: whatever goes wrong keeps the previous paths, counted as skipped.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from exporter.collect.jobs import Collected, Context, Job, refused, registered
from exporter.collect.plan import (
    DEEP_DIVE_DAILY_CALLS_PER_PAIR,
    DEEP_DIVE_WAKE_SECONDS,
    HEALTHY_REFRESH_SECONDS,
    HEALTHY_SHARE_OF_LEFTOVER,
    Plan,
)
from exporter.collect.table import DEEP_DIVE_IMPACT_SECONDS
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
from exporter.mist.endpoints import Endpoint
from exporter.mist.errors import MistError
from exporter.mist.parse import WAN_LINK_HEALTH_V2, ImpactSummary, Skips
from exporter.model import (
    ClassifierDegraded,
    ImpactedApplication,
    ImpactedPeerPath,
    ImpactEntity,
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
APPLICATION_HEALTH = "application-health"
HOUR = 3600.0
# Every refresh: summary-trend, histogram; at most hourly: impact-summary, impacted-clients and
# one more for these metrics.
MEASURE_CALLS = 2
IMPACT_CALLS = 2
EXTRA_CALL = {
    APPLICATION_HEALTH: ep.SLE_IMPACTED_APPLICATIONS,
    WAN_LINK_HEALTH: ep.SLE_IMPACTED_PEER_PATHS,
    WAN_LINK_HEALTH_V2: ep.SLE_IMPACTED_PEER_PATHS,
}
DAY = 86400.0
CACHE_TTL = 7 * DAY
KIND_TREND = "sle_trend"  # in user-seconds (0.1's "deepdive_trend" held user-minutes)
KIND_THRESHOLD = "sle_threshold"
KIND_METRICS = "sle_metrics"

Pair = tuple[str, str]
T = TypeVar("T")


def pair_calls(sle: str, *, first: bool = False, impact: bool = True) -> int:
    """Calls of one refresh of a pair (at most the planner's ``DEEP_DIVE_CALLS_PER_PAIR``),
    ``impact`` when the impact calls are due; the first deep-dive of a pair also fetches the
    site's enabled metrics and the threshold."""
    calls = MEASURE_CALLS + (IMPACT_CALLS + (sle in EXTRA_CALL) if impact else 0)
    return calls + DEEP_DIVE_DAILY_CALLS_PER_PAIR if first else calls


def impact_due(dive: SleDeepDive | None, now: float) -> bool:
    """Whether a refresh of the pair makes its impact calls (at most hourly)."""
    return dive is None or now - dive.impact_fetched_at >= DEEP_DIVE_IMPACT_SECONDS


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


def refreshes_before(fetched_at: float, refresh: float, end: float) -> int:
    """How many more times a pair fetched at ``fetched_at`` comes due before ``end``."""
    return max(0, math.ceil((end - fetched_at) / refresh) - 1)


def affordable(
    pairs: Sequence[Pair],
    known: Mapping[Pair, SleDeepDive],
    calls: float,
    now: float,
    *,
    impact: bool = True,
) -> tuple[list[Pair], float]:
    """The leading ``pairs`` that ``calls`` pays for, and the calls left after them; without
    the impact calls unless ``impact`` (degraded pairs)."""
    chosen = []
    for pair in pairs:
        dive = known.get(pair)
        due = impact and impact_due(dive, now)
        cost = pair_calls(pair[1], first=dive is None, impact=due)
        if cost > calls:
            break
        chosen.append(pair)
        calls -= cost
    return chosen, calls


_NO_IMPACT_FIELDS: dict[str, Any] = {
    "impact_fetched_at": 0.0,
    "impacted_gateways": (),
    "impacted_interfaces": (),
    "impact": (),
    "impacted_applications": (),
    "impacted_clients": None,
    "impacted_peer_paths": (),
}


def without_impact(dive: SleDeepDive) -> SleDeepDive:
    """``dive`` without its impact fields (due again should the pair degrade)."""
    if all(getattr(dive, k) == v for k, v in _NO_IMPACT_FIELDS.items()):
        return dive
    return replace(dive, **_NO_IMPACT_FIELDS)


class _Limited:
    """The client with at most ``slots`` deep-dive calls in flight.

    A round can issue hundreds of calls; capped at a quarter of the client's concurrency, they
    never queue ahead of every call of the essential jobs (WAN ports, gateways, alarms).
    """

    def __init__(self, ctx: Context, slots: int) -> None:
        self._client = ctx.client
        self._skips = ctx.skips
        self._slots = asyncio.Semaphore(slots)

    async def get(self, endpoint: Endpoint, **params: Any) -> Any:
        async with self._slots:
            return await self._client.get(endpoint, **params)

    async def parsed(
        self, endpoint: Endpoint, params: dict[str, Any], parser: Callable[[Any], T]
    ) -> T | None:
        """``endpoint``'s answer, parsed; None when Mist refuses (a 4xx: it has no such data
        for the metric or window), counted as skipped."""
        try:
            data = await self.get(endpoint, **params)
        except MistError as exc:
            if not refused(exc):
                raise
            self._skips.skip(endpoint.template, f"refused {params['metric']}")
            return None
        return parser(data)


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
        api = _Limited(ctx, max(1, ctx.config.mist.max_concurrency // 4))
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
        threshold = await api.parsed(ep.SLE_THRESHOLD, _scope(site, metric), parse.parse_threshold)
        await ctx.store.put(KIND_THRESHOLD, key, {"threshold": threshold}, ttl=DAY)
        return threshold

    async def _dive(
        self,
        ctx: Context,
        api: _Limited,
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
        scope = _scope(site, metric)
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
            got = await asyncio.gather(measures, self._impacts(ctx, api, sle, window, previous))
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
        buckets, classifiers = _or(trend, (kept.trend, kept.classifiers), ((), ()))
        top = ctx.config.collect.impact_top_n
        dive = replace(
            kept,
            window_start=since,
            window_end=now,
            fetched_at=kept.fetched_at if failures else now,
            trend=buckets,
            classifiers=classifiers,
            histogram=_or(histogram, kept.histogram, ()),
            threshold=_or(threshold, kept.threshold, None),
        )
        return dive if impacts is None else impacts.applied(dive, top, now), failures

    async def _impacts(
        self,
        ctx: Context,
        api: _Limited,
        sle: str,
        window: dict[str, Any],
        previous: SleDeepDive | None,
    ) -> Impacts:
        """Who suffered: impact-summary, impacted-clients and the metric's extra call."""
        skips = ctx.skips
        hostnames = {g.name: g.mac for g in ctx.publisher.snapshot.gateways}
        extra = EXTRA_CALL.get(sle)
        summary, clients, applications, paths = await asyncio.gather(
            api.parsed(
                ep.SLE_IMPACT_SUMMARY,
                window,
                partial(parse.parse_impact_summary, hostnames=hostnames, skips=skips),
            ),
            api.parsed(ep.SLE_IMPACTED_CLIENTS, window, parse.parse_impacted_clients),
            api.parsed(
                ep.SLE_IMPACTED_APPLICATIONS,
                window,
                partial(parse.parse_impacted_applications, skips=skips),
            )
            if extra is ep.SLE_IMPACTED_APPLICATIONS
            else _nothing(),
            _peer_paths(api, window, skips, previous)
            if extra is ep.SLE_IMPACTED_PEER_PATHS
            else _nothing(),
            return_exceptions=True,
        )
        return Impacts(summary, clients, applications, paths)

    async def _trend(
        self, ctx: Context, api: _Limited, pair: Pair, scope: dict[str, str], now: float
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
        self, ctx: Context, api: _Limited, scope: dict[str, str], start: float, now: float
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


_NO_IMPACT = ImpactSummary((), (), ())


@dataclass(frozen=True, slots=True)
class Impacts:
    """The answers of a dive's impact calls (an exception where one failed)."""

    summary: ImpactSummary | BaseException | None
    clients: float | BaseException | None
    applications: tuple[ImpactedApplication, ...] | BaseException | None
    paths: tuple[ImpactedPeerPath, ...] | BaseException | None

    def answers(self, applications: bool) -> tuple[object, ...]:
        """The answers that can fail: peer paths never do; applications when asked."""
        return (self.summary, self.clients, *((self.applications,) if applications else ()))

    def applied(self, dive: SleDeepDive, top: int, now: float) -> SleDeepDive:
        """``dive`` with what answered (the top ``top`` per field), the rest kept; stamped
        ``now`` only when every impact call answered."""
        summary = _or(self.summary, None, _NO_IMPACT)
        failed = any(isinstance(a, MistError) for a in self.answers(True))
        return replace(
            dive,
            impact_fetched_at=dive.impact_fetched_at if failed else now,
            impacted_gateways=dive.impacted_gateways if summary is None else summary.gateways,
            impacted_interfaces=dive.impacted_interfaces if summary is None else summary.interfaces,
            impact=dive.impact if summary is None else _top_per_field(summary.entities, top),
            impacted_applications=_top(
                _or(self.applications, dive.impacted_applications, ()), top, _degraded
            ),
            impacted_clients=_or(self.clients, dive.impacted_clients, None),
            impacted_peer_paths=_top(_or(self.paths, (), ()), top, _degraded),
        )


async def _nothing() -> None:
    """A part the metric does not have: an empty answer, no call."""


async def _peer_paths(
    api: _Limited, window: dict[str, Any], skips: Skips, previous: SleDeepDive | None
) -> tuple[ImpactedPeerPath, ...]:
    """``impacted-peer-paths``, never a failure: an error keeps ``previous``'s paths."""
    parser = partial(parse.parse_impacted_peer_paths, skips=skips)
    try:
        return await api.parsed(ep.SLE_IMPACTED_PEER_PATHS, window, parser) or ()
    except MistError as exc:
        log.debug("impacted-peer-paths left out: %s", exc)
        skips.skip(ep.SLE_IMPACTED_PEER_PATHS.template, f"failed {window['metric']}")
        return previous.impacted_peer_paths if previous else ()


def _degraded(item: ImpactEntity | ImpactedApplication | ImpactedPeerPath) -> float:
    return item.degraded_seconds


def _top(items: Iterable[T], n: int, key: Callable[[T], float]) -> tuple[T, ...]:
    """The ``n`` items with the highest ``key`` above 0, highest first."""
    return tuple(sorted((i for i in items if key(i) > 0), key=key, reverse=True)[:n])


def _top_per_field(entities: Iterable[ImpactEntity], n: int) -> tuple[ImpactEntity, ...]:
    fields: dict[str, list[ImpactEntity]] = {}
    for e in entities:
        fields.setdefault(e.field, []).append(e)
    return tuple(e for field in sorted(fields) for e in _top(fields[field], n, _degraded))


def _or(answer: T | BaseException | None, kept: T, empty: T) -> T:
    """A part's answer: ``kept`` when it failed with a :class:`MistError`, ``empty`` when Mist
    refused it (None)."""
    if isinstance(answer, MistError):
        return kept
    if isinstance(answer, BaseException):
        raise answer
    return empty if answer is None else answer


def _scope(site: str, metric: str) -> dict[str, str]:
    """Path parameters of a site-scoped SLE endpoint; ``metric`` as Mist spells it."""
    return {"site_id": site, "metric": metric}
