"""The exporter's collection pieces wired in-process on any clock, and the simulator's tallies."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import aiohttp

from exporter.clock import Clock, SystemClock
from exporter.collect.jobs import Job
from exporter.collect.scheduler import all_jobs
from exporter.collect.table import NAMES
from exporter.config import DEMO_TOKEN, Config, load_config
from exporter.mist.client import MistClient
from exporter.service import Stack, collection_stack
from exporter.state.store import StateStore

SITES = 3208
LATENCY_MS = 100.0
BUDGET_PER_HOUR = 5000
# Every job of the table but the deep-dives, which start once the others have published.
FIRST_PUBLISH_JOBS = tuple(name for name in NAMES if name != "deep_dive")
_ORG = "/api/v1/orgs/{org_id}"
JOB_OF_ENDPOINT = {
    "/api/v1/self": "discovery",
    _ORG: "inventory",
    f"{_ORG}/sites": "inventory",
    f"{_ORG}/sitegroups": "inventory",
    f"{_ORG}/stats/devices": "gateways",
    f"{_ORG}/stats/ports/search": "wan_ports",
    f"{_ORG}/stats/vpn_peers/search": "peer_paths",
    f"{_ORG}/stats/bgp_peers/search": "bgp_peers",
    f"{_ORG}/stats/tunnels/search": "tunnels",
    f"{_ORG}/insights/sites-sle": "org_sle",
    f"{_ORG}/insights/worst-sites-by-sle": "org_sle",
    f"{_ORG}/alarms/search": "alarms",
    "/api/v1/const/alarm_defs": "alarm_defs",
    "/api/v1/const/device_events": "alarm_defs",
}


def job_of(endpoint: str) -> str:
    """The job that calls ``endpoint`` (a simulator endpoint template)."""
    if endpoint.startswith("/api/v1/sites/"):
        return "deep_dive"
    return JOB_OF_ENDPOINT.get(endpoint, "other")


def calls_by_job(calls: Mapping[str, int]) -> dict[str, int]:
    """The simulator's calls per endpoint template, summed per job."""
    jobs: Counter[str] = Counter()
    for endpoint, count in calls.items():
        jobs[job_of(endpoint)] += count
    return dict(sorted(jobs.items()))


async def sim_stats(base_url: str) -> dict[str, Any]:
    """``GET /__sim/stats``: calls per endpoint and token, 429s."""
    async with aiohttp.ClientSession() as session, session.get(f"{base_url}/__sim/stats") as r:
        r.raise_for_status()
        data: dict[str, Any] = await r.json()
        return data


async def reset_sim_stats(base_url: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base_url}/__sim/stats/reset") as r,
    ):
        r.raise_for_status()


def first_publish_jobs() -> tuple[Job, ...]:
    """Every job but the deep-dives."""
    return tuple(job for job in all_jobs() if job.name in FIRST_PUBLISH_JOBS)


def config_for(base_url: str, org_id: str) -> Config:
    """The default configuration pointed at a simulator with its demo token."""
    config = load_config(None, {"MIST_HOST": base_url, "MIST_APITOKEN": DEMO_TOKEN})
    return replace(config, mist=replace(config.mist, org_id=org_id))


async def discover_org(base_url: str) -> str:
    """The org the demo token sees (one call to ``/api/v1/self``)."""
    async with MistClient(config_for(base_url, "").mist, clock=SystemClock()) as client:
        return await client.discover_org()


@asynccontextmanager
async def collection(
    base_url: str,
    org_id: str,
    store: StateStore,
    clock: Clock,
    *,
    jobs: Sequence[Job] | None = None,
) -> AsyncIterator[Stack]:
    """Client, scheduler and publisher as ``exporter run`` wires them (without the web)."""
    async with collection_stack(
        config_for(base_url, org_id), org_id, store, clock, jobs=jobs
    ) as stack:
        yield stack
