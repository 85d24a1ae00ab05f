"""The periodic jobs: each fetches, parses into the model, and returns the snapshot parts it owns.

Persistence, publishing, timing and error accounting are the scheduler's; a job only knows which
endpoints to call and which parse functions to apply.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar

from exporter.clock import Clock
from exporter.collect.publisher import Publisher
from exporter.config import Config
from exporter.mist import endpoints as ep
from exporter.mist import parse
from exporter.mist.client import MistClient, Page
from exporter.mist.endpoints import Endpoint, Paging
from exporter.model import Inventory, WorstSite
from exporter.state.store import StateStore

PARTIAL_TTL = 3600.0


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


class Job(ABC):
    """One concern of the collection; ``outputs`` are the Snapshot fields it replaces."""

    name: ClassVar[str]
    outputs: ClassVar[tuple[str, ...]]
    after: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    async def collect(self, ctx: Context) -> dict[str, Any]:
        """Fetch and parse; return the new value of every field in ``outputs``."""


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


class InventoryJob(Job):
    name = "inventory"
    outputs = ("inventory",)

    async def collect(self, ctx: Context) -> dict[str, Any]:
        org = parse.parse_org(await ctx.client.get(ep.ORG, org_id=ctx.org_id))
        groups = parse.parse_sitegroups(
            await fetch_rows(ctx, self.name, ep.SITEGROUPS, org_id=ctx.org_id, limit=1000)
        )
        sites = parse.parse_sites(
            await fetch_rows(ctx, self.name, ep.SITES, org_id=ctx.org_id, limit=1000),
            groups,
            ctx.config.collect.region,
        )
        return {"inventory": Inventory(org=org, sites=sites)}


class GatewaysJob(Job):
    name = "gateways"
    outputs = ("gateways",)

    async def collect(self, ctx: Context) -> dict[str, Any]:
        rows = await fetch_rows(
            ctx, self.name, ep.DEVICE_STATS, org_id=ctx.org_id, type="gateway", limit=1000
        )
        return {"gateways": parse.parse_gateways(rows)}


class WanPortsJob(Job):
    name = "wan_ports"
    outputs = ("wan_ports",)
    after = ("gateways",)

    async def collect(self, ctx: Context) -> dict[str, Any]:
        rows = await fetch_rows(
            ctx, self.name, ep.PORT_SEARCH, org_id=ctx.org_id, device_type="gateway", limit=1000
        )
        return {"wan_ports": parse.parse_wan_ports(rows, ctx.publisher.snapshot.gateways)}


class PeerPathsJob(Job):
    name = "peer_paths"
    outputs = ("peer_paths",)

    async def collect(self, ctx: Context) -> dict[str, Any]:
        rows = await fetch_rows(ctx, self.name, ep.PEER_SEARCH, org_id=ctx.org_id, limit=1000)
        return {"peer_paths": parse.parse_peer_paths(rows)}


class OrgSleJob(Job):
    """Every site's WAN SLE scores, and Mist's worst-site ranking for each degraded metric."""

    name = "org_sle"
    outputs = ("sle_scores", "worst_sites")

    async def collect(self, ctx: Context) -> dict[str, Any]:
        rows = await fetch_rows(
            ctx, self.name, ep.SITES_SLE, org_id=ctx.org_id, sle="wan", duration="1h", limit=1000
        )
        scores = parse.parse_sites_sle(rows)
        threshold = ctx.config.collect.degraded_threshold
        degraded_metrics = sorted({s.sle for s in scores if s.ratio < threshold})
        worst: list[WorstSite] = []
        for sle in degraded_metrics:
            data = await ctx.client.get(
                ep.ORG_INSIGHT, org_id=ctx.org_id, metric="worst-sites-by-sle", sle=sle
            )
            worst.extend(parse.parse_worst_sites(data, sle))
        return {"sle_scores": scores, "worst_sites": tuple(worst)}


def periodic_jobs() -> tuple[Job, ...]:
    return (InventoryJob(), GatewaysJob(), WanPortsJob(), PeerPathsJob(), OrgSleJob())
