"""Who is impacted when a site degrades: a degraded pair's impact calls and what they publish.

``impact-summary`` (its gateway and interface rows stand in for ``impacted-gateways`` and
``impacted-interfaces``), ``impacted-clients``, plus ``impacted-applications`` (application
health) or ``impacted-peer-paths`` (WAN link health; undocumented, never fails a dive), the
``collect.impact_top_n`` most degraded entities per field kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from exporter.collect.deepdive_api import Limited, kept_or
from exporter.collect.deepdive_pairs import EXTRA_CALL
from exporter.collect.jobs import Context
from exporter.mist import endpoints as ep
from exporter.mist import parse
from exporter.mist.errors import MistError
from exporter.mist.parse import ImpactSummary, Skips
from exporter.model import ImpactedApplication, ImpactedPeerPath, ImpactEntity, SleDeepDive

log = logging.getLogger(__name__)

T = TypeVar("T")

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


async def fetch_impacts(
    ctx: Context,
    api: Limited,
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
        summary = kept_or(self.summary, None, _NO_IMPACT)
        failed = any(isinstance(a, MistError) for a in self.answers(True))
        return replace(
            dive,
            impact_fetched_at=dive.impact_fetched_at if failed else now,
            impacted_gateways=dive.impacted_gateways if summary is None else summary.gateways,
            impacted_interfaces=dive.impacted_interfaces if summary is None else summary.interfaces,
            impact=dive.impact if summary is None else _top_per_field(summary.entities, top),
            impacted_applications=_top(
                kept_or(self.applications, dive.impacted_applications, ()), top, _degraded
            ),
            impacted_clients=kept_or(self.clients, dive.impacted_clients, None),
            impacted_peer_paths=_top(kept_or(self.paths, (), ()), top, _degraded),
        )


async def _nothing() -> None:
    """A part the metric does not have: an empty answer, no call."""


async def _peer_paths(
    api: Limited, window: dict[str, Any], skips: Skips, previous: SleDeepDive | None
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
