"""One pass over every endpoint the exporter calls, each page's JSON kept as Mist sent it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from exporter.capture.manifest import PAGE_HEADERS
from exporter.collect.alarms import search_filters
from exporter.collect.deepdive import DAY, WINDOW_SECONDS
from exporter.collect.jobs import STALE_INTERVALS
from exporter.config import Config
from exporter.mist import endpoints as ep
from exporter.mist import parse
from exporter.mist.client import DEFAULT_LIMIT, MistClient
from exporter.mist.endpoints import Endpoint, Paging
from exporter.mist.errors import MistHTTPError

log = logging.getLogger(__name__)
MAX_PAGES = 1000


@dataclass(frozen=True, slots=True)
class Recorded:
    """One call as made: what was asked and what came back (``body`` None when refused)."""

    endpoint: Endpoint
    path: str
    query: Mapping[str, str]
    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


class Walk:
    """Calls Mist like the collectors do and keeps every answer in call order."""

    def __init__(self, client: MistClient, config: Config, org_id: str, now: float) -> None:
        self.client = client
        self.config = config
        self.org_id = org_id
        self.now = now
        self.recorded: list[Recorded] = []

    async def call(
        self, endpoint: Endpoint, *, follow: str | None = None, **params: Any
    ) -> Any | None:
        """One call, recorded; the body, or None when Mist refused it with an HTTP error."""
        if follow is not None:
            parts = urlsplit(follow)
            path, query = parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))
        else:
            if "org_id" in endpoint.path:
                params.setdefault("org_id", self.org_id)
            path, query = endpoint.build(**params)
        try:
            body, headers = await self.client.answer(endpoint, follow=follow, **params)
        except MistHTTPError as exc:
            log.info("%s: HTTP %d (recorded)", endpoint.template, exc.status)
            self.recorded.append(Recorded(endpoint, path, query, exc.status))
            return None
        kept = {h: headers[h] for h in PAGE_HEADERS if h in headers}
        self.recorded.append(Recorded(endpoint, path, query, 200, body, kept))
        return body

    async def rows(self, endpoint: Endpoint, **params: Any) -> list[Any]:
        """Every page of a paged endpoint, one after the other; the rows of all pages."""
        params.setdefault("limit", DEFAULT_LIMIT)
        limit = int(params["limit"])
        rows: list[Any] = []
        if endpoint.paging is Paging.SEARCH:
            body = await self.call(endpoint, **params)
            for _ in range(MAX_PAGES):
                results = body.get("results") if isinstance(body, dict) else None
                if not isinstance(results, list):
                    break
                rows.extend(results)
                following = body.get("next") if isinstance(body, dict) else None
                if not (isinstance(following, str) and following and results):
                    break
                body = await self.call(endpoint, follow=following)
            return rows
        for page in range(1, MAX_PAGES + 1):
            body = await self.call(endpoint, page=page, **params)
            if endpoint.paging is Paging.HEADERS:
                results = body if isinstance(body, list) else None
                total = _integer(self.recorded[-1].headers.get("X-Page-Total"))
            else:
                results = body.get("results") if isinstance(body, dict) else None
                total = _integer(body.get("total")) if isinstance(body, dict) else None
            if not isinstance(results, list):
                break
            rows.extend(results)
            done = page * limit >= total if total is not None else len(results) < limit
            if done or not results:
                break
        return rows

    async def run(self, deep_dive_sites: int) -> None:
        """The pass: inventory, gateways, ports, peer paths, BGP, tunnels, SLEs, alarms, then
        deep dives."""
        collect = self.config.collect
        now = int(self.now)
        await self.call(ep.SELF)
        await self.call(ep.ORG)
        await self.rows(ep.SITEGROUPS)
        await self.rows(ep.SITES)
        await self.rows(ep.DEVICE_STATS, type="gateway")
        await self.rows(ep.PORT_SEARCH, device_type="gateway")
        for job, endpoint, extra in (
            ("peer_paths", ep.PEER_SEARCH, {}),
            ("bgp_peers", ep.BGP_SEARCH, {}),
            ("tunnels", ep.TUNNEL_SEARCH, {"type": "wan"}),
        ):
            horizon = STALE_INTERVALS * collect.intervals[job]
            await self.rows(endpoint, start=int(now - horizon), end=now, **extra)
        sle_rows = await self.rows(ep.SITES_SLE, sle="wan", duration="1h")
        scores = parse.parse_sites_sle(sle_rows)
        for sle in sorted({s.sle for s in scores}):
            await self.call(ep.ORG_INSIGHT, sle=sle)
        for filters in search_filters(collect):
            start = int(now - collect.alarm_window_seconds)
            await self.rows(ep.ALARM_SEARCH, start=start, end=now, **filters)
        await self.call(ep.ALARM_DEFS)
        await self.call(ep.DEVICE_EVENT_DEFS)
        worst: dict[str, float] = {}
        for score in scores:
            worst[score.site_id] = min(score.ratio, worst.get(score.site_id, 1.0))
        for site in sorted(worst, key=lambda s: (worst[s], s))[:deep_dive_sites]:
            await self.deep_dive(site)

    async def deep_dive(self, site: str) -> None:
        """A site's enabled metrics and, for each, what the deep-dive job asks."""
        data = await self.call(ep.SLE_METRICS, site_id=site)
        if data is None:
            return
        now = int(self.now)
        window: dict[str, Any] = {"start": int(now - WINDOW_SECONDS), "end": now}
        trend_start = int(now - self.config.collect.deep_dive_days * DAY)
        for metric in parse.parse_sle_metrics(data):
            scope = {"site_id": site, "metric": metric}
            await self.call(ep.SLE_SUMMARY_TREND, start=trend_start, end=now, **scope)
            await self.call(ep.SLE_HISTOGRAM, **window, **scope)
            await self.call(ep.SLE_THRESHOLD, **scope)
            await self.call(ep.SLE_IMPACTED_GATEWAYS, **window, **scope)
            await self.call(ep.SLE_IMPACTED_INTERFACES, **window, **scope)
            # What the live cloud answers for each, even where the exporter does not ask.
            for endpoint in (
                ep.SLE_IMPACT_SUMMARY,
                ep.SLE_IMPACTED_CLIENTS,
                ep.SLE_IMPACTED_APPLICATIONS,
                ep.SLE_IMPACTED_PEER_PATHS,
            ):
                await self.call(endpoint, **window, **scope)


def _integer(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
