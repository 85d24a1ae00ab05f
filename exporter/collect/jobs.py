"""The periodic jobs: each fetches, parses into the model, and returns the snapshot parts it owns.

Persistence, publishing, timing and error accounting are the scheduler's; a job only knows which
endpoints to call and which parse functions to apply. What a job is called, how often it runs,
what it costs and which snapshot fields it fills is its row in :mod:`exporter.collect.table`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any, ClassVar, TypeVar

from exporter.clock import Clock
from exporter.collect.publisher import Publisher
from exporter.collect.wan_view import down
from exporter.config import Config
from exporter.mist import endpoints as ep
from exporter.mist import parse
from exporter.mist.client import MistClient, Page
from exporter.mist.endpoints import Endpoint, Paging
from exporter.mist.errors import MistError, MistHTTPError
from exporter.mist.parse.routing import parse_bgp_peers, parse_wan_tunnels
from exporter.model import BgpPeer, Inventory, Snapshot, WanTunnel, WorstSite
from exporter.state.store import StateStore

PARTIAL_TTL = 3600.0
# A peer path not seen for this many of its job's intervals is down.
STALE_INTERVALS = 3.0


class CountingClient:
    """The client as one job sees it: counts the calls the job makes."""

    def __init__(self, client: MistClient) -> None:
        self._client = client
        self.calls = 0

    def calls_left(self) -> int:
        """Calls left this clock hour, all tokens together."""
        return self._client.calls_left()

    async def get(self, endpoint: Endpoint, **params: Any) -> Any:
        self.calls += 1
        return await self._client.get(endpoint, **params)

    async def pages(
        self, endpoint: Endpoint, *, resume: str | None = None, **params: Any
    ) -> AsyncIterator[Page]:
        async for page in self._client.pages(endpoint, resume=resume, **params):
            self.calls += 1
            yield page


@dataclass(frozen=True, slots=True)
class Context:
    """What a job may use during one run."""

    client: CountingClient
    store: StateStore
    clock: Clock
    config: Config
    org_id: str
    publisher: Publisher
    skips: parse.Skips


@dataclass(frozen=True, slots=True)
class Collected:
    """What one run produced: ``parts`` holds the snapshot fields its job fills (the table's
    ``fills``; the others are left at their defaults and not published). ``failures`` are the
    parts of a run that failed while the rest was fetched: the rest is published, and the run
    counts as failed."""

    parts: Snapshot
    failures: tuple[MistError, ...] = ()


class Job(ABC):
    """The code of one row of the jobs table (``@registered`` under its ``name``)."""

    name: ClassVar[str]
    registry: ClassVar[dict[str, type[Job]]] = {}

    @abstractmethod
    async def collect(self, ctx: Context) -> Collected:
        """Fetch and parse one run's worth of the org."""


_J = TypeVar("_J", bound=type[Job])


def registered(cls: _J) -> _J:
    """Register ``cls`` as the code of the table row of the same name."""
    Job.registry[cls.name] = cls
    return cls


async def fetch_rows(
    ctx: Context, job: str, endpoint: Endpoint, **params: Any
) -> list[dict[str, Any]]:
    """Every record of a paged endpoint.

    Cursor-paged (search) walks save each page as it arrives, so a walk interrupted by a crash
    or restart resumes from its last cursor instead of starting over.
    """
    resumable = endpoint.paging is Paging.SEARCH
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    saved = 0
    if resumable:
        partial = await ctx.store.get("partial", job)
        if isinstance(partial, dict) and partial.get("cursor"):
            keys = [f"{job}:{i}" for i in range(int(partial["pages"]))]
            stored = await ctx.store.get_many("partial_page", keys)
            pages = [p for p in stored if isinstance(p, list)]
            if len(pages) == len(stored):
                rows = [row for page in pages for row in page]
                cursor = str(partial["cursor"])
                saved = len(keys)
    async for page in ctx.client.pages(endpoint, resume=cursor, **params):
        rows.extend(page.records)
        if resumable and page.cursor is not None:
            await ctx.store.put("partial_page", f"{job}:{saved}", page.records, ttl=PARTIAL_TTL)
            saved += 1
            await ctx.store.put(
                "partial", job, {"cursor": page.cursor, "pages": saved}, ttl=PARTIAL_TTL
            )
    if resumable:
        await ctx.store.delete("partial", job)
    return rows


@registered
class InventoryJob(Job):
    name = "inventory"

    async def collect(self, ctx: Context) -> Collected:
        org = parse.parse_org(await ctx.client.get(ep.ORG, org_id=ctx.org_id))
        groups = parse.parse_sitegroups(
            await fetch_rows(ctx, self.name, ep.SITEGROUPS, org_id=ctx.org_id, limit=1000)
        )
        sites = parse.parse_sites(
            await fetch_rows(ctx, self.name, ep.SITES, org_id=ctx.org_id, limit=1000),
            groups,
            ctx.config.collect.region,
        )
        return Collected(Snapshot(inventory=Inventory(org=org, sites=sites)))


@registered
class GatewaysJob(Job):
    name = "gateways"

    async def collect(self, ctx: Context) -> Collected:
        """Gateways, with each WAN port's status and byte counters from ``if_stat``."""
        now = ctx.clock.time()
        rows = await fetch_rows(
            ctx, self.name, ep.DEVICE_STATS, org_id=ctx.org_id, type="gateway", limit=1000
        )
        return Collected(Snapshot(gateways=parse.parse_gateways(rows, ctx.skips, as_of=now)))


@registered
class WanPortsJob(Job):
    name = "wan_ports"

    async def collect(self, ctx: Context) -> Collected:
        """Speed, rates, quality and last flap of every WAN port (joined at render time with
        the status and counters the gateways job reads more often, :mod:`wan_view`)."""
        now = ctx.clock.time()
        rows = await fetch_rows(
            ctx, self.name, ep.PORT_SEARCH, org_id=ctx.org_id, device_type="gateway", limit=1000
        )
        gateways = ctx.publisher.snapshot.gateways
        ports = parse.parse_wan_ports(rows, gateways, ctx.skips, as_of=now)
        # Mist reports "the last status within the hour": a disconnected gateway's ports
        # keep saying up, with old rates. They are down, and their rates and quality unknown.
        offline = {g.mac for g in gateways if not g.up}
        return Collected(
            Snapshot(wan_ports=tuple(down(p) if p.gateway_mac in offline else p for p in ports))
        )


@registered
class PeerPathsJob(Job):
    name = "peer_paths"

    async def collect(self, ctx: Context) -> Collected:
        """Paths seen in a recent window (without one Mist answers paths last seen up to a
        day ago); a path not seen for :data:`STALE_INTERVALS` intervals, or of a gateway that
        is offline, is published as down and inactive."""
        rows, window = await fetch_recent(ctx, self.name, ep.PEER_SEARCH)
        paths = tuple(
            replace(p, up=False, active=False)
            if p.gateway_mac in window.offline or window.stale(p.last_seen)
            else p
            for p in parse.parse_peer_paths(rows, ctx.skips)
        )
        return Collected(Snapshot(peer_paths=paths))


@registered
class BgpPeersJob(Job):
    name = "bgp_peers"

    async def collect(self, ctx: Context) -> Collected:
        """Sessions sampled in a recent window, like peer paths: a session Mist calls up but
        whose gateway is offline, or not sampled for half the window, is down (``unknown``)."""
        rows, window = await fetch_recent(ctx, self.name, ep.BGP_SEARCH)
        peers = tuple(
            _lost(p)
            if p.up and (p.gateway_mac in window.offline or window.stale(p.timestamp))
            else p
            for p in parse_bgp_peers(rows, ctx.skips)
        )
        return Collected(Snapshot(bgp_peers=peers))


@registered
class TunnelsJob(Job):
    name = "tunnels"

    async def collect(self, ctx: Context) -> Collected:
        """WAN tunnels; those of an offline gateway are down. The last flap is when an up
        tunnel's security association was established, or the first run that saw it down."""
        rows, window = await fetch_recent(ctx, self.name, ep.TUNNEL_SEARCH, type="wan")
        before = {tunnel_key(t): t for t in ctx.publisher.snapshot.wan_tunnels}
        tunnels = []
        for t in parse_wan_tunnels(rows, ctx.skips):
            if t.up and t.gateway_mac in window.offline:
                t = replace(t, up=False, uptime_seconds=0.0)
            flap = _last_flap(t, before.get(tunnel_key(t)), window.now)
            tunnels.append(replace(t, last_flap_timestamp=flap))
        return Collected(Snapshot(wan_tunnels=tuple(tunnels)))


@dataclass(frozen=True, slots=True)
class Window:
    """A search over the last ``horizon`` seconds (:data:`STALE_INTERVALS` of the job's
    interval) up to ``now``, and the MACs of the gateways the last gateways run saw offline."""

    now: float
    horizon: float
    offline: frozenset[str]

    def stale(self, seen: float | None) -> bool:
        """Whether a row last seen at ``seen`` is older than half the window."""
        return seen is not None and seen < self.now - self.horizon / 2


async def fetch_recent(
    ctx: Context, job: str, endpoint: Endpoint, **params: Any
) -> tuple[list[dict[str, Any]], Window]:
    """Every row of an org search over the job's recent window, and that window."""
    now = ctx.clock.time()
    horizon = STALE_INTERVALS * ctx.config.collect.intervals[job]
    rows = await fetch_rows(
        ctx,
        job,
        endpoint,
        org_id=ctx.org_id,
        **params,
        start=int(now - horizon),
        end=int(now),
        limit=1000,
    )
    offline = frozenset(g.mac for g in ctx.publisher.snapshot.gateways if not g.up)
    return rows, Window(now, horizon, offline)


def tunnel_key(t: WanTunnel) -> tuple[str, str, str, str]:
    return (t.gateway_mac, t.tunnel_name, t.peer_host, t.node)


def _lost(peer: BgpPeer) -> BgpPeer:
    return replace(peer, up=False, state="unknown", uptime_seconds=0.0)


def _last_flap(t: WanTunnel, before: WanTunnel | None, now: float) -> float | None:
    if t.up and t.uptime_seconds is not None:
        return round(now - t.uptime_seconds, 3)
    if before is None:
        return None
    return before.last_flap_timestamp if before.up == t.up else round(now, 3)


@registered
class OrgSleJob(Job):
    """Every site's WAN SLE scores, and Mist's worst-site ranking for each degraded metric."""

    name = "org_sle"

    async def collect(self, ctx: Context) -> Collected:
        rows = await fetch_rows(
            ctx, self.name, ep.SITES_SLE, org_id=ctx.org_id, sle="wan", duration="1h", limit=1000
        )
        scores = parse.parse_sites_sle(rows, ctx.skips)
        thresholds = ctx.config.thresholds
        degraded_metrics = sorted({s.sle for s in scores if thresholds.degraded(s.sle, s.ratio)})
        worst: list[WorstSite] = []
        failures: list[MistError] = []
        # Secondary calls: the scores are published whatever the ranking calls answer.
        for sle in degraded_metrics:
            try:
                data = await ctx.client.get(
                    ep.ORG_INSIGHT, org_id=ctx.org_id, metric="worst-sites-by-sle", sle=sle
                )
                worst.extend(parse.parse_worst_sites(data, sle, ctx.skips))
            except MistError as exc:
                if not refused(exc):
                    failures.append(exc)
                else:  # Mist ranks only some SLE names: a refusal is an answer, not a failure.
                    ctx.skips.skip(exc.endpoint, f"refused sle {sle}")
        return Collected(Snapshot(sle_scores=scores, worst_sites=tuple(worst)), tuple(failures))


def refused(exc: MistError) -> bool:
    """A 4xx other than auth or rate limits: Mist has no data for what was asked."""
    return isinstance(exc, MistHTTPError) and 400 <= exc.status < 500
