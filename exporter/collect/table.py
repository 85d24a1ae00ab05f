"""The one table of jobs: what each is called, how often it runs, what it costs, how far the
planner may stretch it, whether the exporter is up without it, and the snapshot fields it fills.

Config defaults, the planner, the scheduler, readiness, the status page, the metric catalogue's
HELP text and the docs all read :data:`JOBS`. The code of each job is a :class:`Job` subclass
registered under the same name (``exporter.collect.jobs``, ``alarms``, ``deepdive``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

PAGE = 1000
WAN_SLE_METRICS = ("gateway-health", "wan-link-health", "application-health")
# Estimates used before the first fetch has measured the org (`plan --sites N`, cold start).
GATEWAYS_PER_SITE = 1.25
PORT_ROWS_PER_GATEWAY = 4.0
PEER_ROWS_PER_GATEWAY = 3.5
# BGP: overlay sessions to two hubs, plus an MPLS provider edge on most; two secure-edge tunnels.
BGP_ROWS_PER_GATEWAY = 2.6
TUNNEL_ROWS_PER_GATEWAY = 2.0
ALARMS_PER_SITE = 0.5  # in the 24 h window
# The alarms job reads the whole window every this many runs (15 min at 1 min), else 1 page.
ALARM_RESCAN_RUNS = 15
# Per (site, metric) deep-dive, at most: summary-trend, histogram, impact-summary (its gateway
# and interface rows replace impacted-gateways/-interfaces), impacted-clients, and
# impacted-applications (application health) or impacted-peer-paths (WAN link health); 4 for
# gateway health (exporter.collect.deepdive_pairs.pair_calls). The impact calls (the last three) of
# a 24-hour window change slowly: they are made at most once per DEEP_DIVE_IMPACT_SECONDS,
# and only for degraded pairs (healthy-pair dives skip them).
DEEP_DIVE_CALLS_PER_PAIR = 5
DEEP_DIVE_IMPACT_CALLS_PER_PAIR = 3
DEEP_DIVE_IMPACT_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class OrgShape:
    """What drives the cost of one run of each job."""

    sites: int
    gateways: int
    port_rows: int
    peer_rows: int
    sle_metrics: int
    degraded_pairs: int
    sitegroups: int = 1
    alarm_rows: int = 0
    bgp_rows: int = 0
    tunnel_rows: int = 0

    @classmethod
    def estimate(cls, sites: int, degraded_share: float = 0.05) -> OrgShape:
        gateways = math.ceil(sites * GATEWAYS_PER_SITE)
        return cls(
            sites=sites,
            gateways=gateways,
            port_rows=math.ceil(gateways * PORT_ROWS_PER_GATEWAY),
            peer_rows=math.ceil(gateways * PEER_ROWS_PER_GATEWAY),
            sle_metrics=len(WAN_SLE_METRICS),
            degraded_pairs=math.ceil(sites * degraded_share),
            alarm_rows=math.ceil(sites * ALARMS_PER_SITE),
            bgp_rows=math.ceil(gateways * BGP_ROWS_PER_GATEWAY),
            tunnel_rows=math.ceil(gateways * TUNNEL_ROWS_PER_GATEWAY),
        )


def pages(rows: int) -> int:
    """Calls to walk ``rows`` records 1000 at a time (an empty list still costs one call)."""
    return max(1, math.ceil(rows / PAGE))


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One row of the table.

    ``interval`` is the default seconds between runs (config ``collect.intervals.<name>``);
    ``cost`` the calls one run makes for an org of that shape (the deep-dive: per pair);
    ``stretch_to`` how far the planner may stretch the interval, None when never, and the
    planner stretches the rows with the lowest ``priority`` first; ``essential`` jobs decide
    ``mist_up`` and readiness; ``fills`` are the :class:`~exporter.model.Snapshot` fields a run
    replaces; ``after`` the jobs whose first run this one waits for; ``pushed_by`` the webhook
    topic that pushes the same data (the planner stretches the job while it flows).
    """

    name: str
    summary: str
    interval: float
    cost: Callable[[OrgShape], float]
    fills: tuple[str, ...]
    stretch_to: float | None = None
    priority: int = 0
    essential: bool = False
    after: tuple[str, ...] = ()
    pushed_by: str | None = None


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "inventory",
        "the org, its sites and site groups (regions)",
        1800.0,
        lambda s: 1 + pages(s.sites) + pages(s.sitegroups),
        ("inventory",),
        stretch_to=14400.0,
        priority=3,
    ),
    # WAN port status and byte counters come from the gateways' if_stat every minute (about a
    # quarter of the port search's pages); the port search adds what only it has, less often.
    JobSpec(
        "gateways",
        "gateway status, CPU, memory; WAN port names, status and byte counters",
        60.0,
        lambda s: pages(s.gateways),
        ("gateways",),
        essential=True,
    ),
    JobSpec(
        "wan_ports",
        "WAN port speed, rates, latency, jitter, loss and last flap",
        300.0,
        lambda s: pages(s.port_rows),
        ("wan_ports",),
        stretch_to=1800.0,
        priority=3,
        essential=True,
        after=("gateways",),
    ),
    JobSpec(
        "peer_paths",
        "VPN peer path status and quality",
        300.0,
        lambda s: pages(s.peer_rows),
        ("peer_paths",),
        stretch_to=1800.0,
        priority=1,
    ),
    JobSpec(
        "bgp_peers",
        "BGP session state, uptime, routes and flaps",
        600.0,
        lambda s: pages(s.bgp_rows),
        ("bgp_peers",),
        stretch_to=7200.0,
        priority=1,
        after=("gateways",),
    ),
    JobSpec(
        "tunnels",
        "secure-edge (IPsec/GRE) tunnel status and counters",
        600.0,
        lambda s: pages(s.tunnel_rows),
        ("wan_tunnels",),
        stretch_to=7200.0,
        priority=1,
        after=("gateways",),
    ),
    JobSpec(
        "org_sle",
        "every site's SLE scores and Mist's worst-site ranking",
        600.0,
        lambda s: pages(s.sites) + s.sle_metrics,
        ("sle_scores", "worst_sites"),
        stretch_to=3600.0,
        priority=2,
    ),
    JobSpec(
        "alarms",
        "alarms in the window and their incidents",
        60.0,
        lambda s: 1 + pages(s.alarm_rows) / ALARM_RESCAN_RUNS,
        ("alarm_counts", "alarm_incidents"),
        essential=True,
        pushed_by="alarms",
    ),
    JobSpec(
        "alarm_defs",
        "Mist's alarm and device event definitions (for webhooks)",
        86400.0,
        lambda s: 2,
        ("alarm_defs", "device_event_types"),
    ),
    JobSpec(
        "deep_dive",
        "site SLE deep-dives, degraded sites first",
        1800.0,
        lambda s: DEEP_DIVE_CALLS_PER_PAIR,
        ("deep_dives",),
        stretch_to=7200.0,
        priority=0,
        after=("org_sle", "wan_ports", "peer_paths"),
    ),
)

BY_NAME: Mapping[str, JobSpec] = {spec.name: spec for spec in JOBS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
DEFAULT_INTERVALS: Mapping[str, float] = {spec.name: spec.interval for spec in JOBS}
ESSENTIAL: tuple[str, ...] = tuple(spec.name for spec in JOBS if spec.essential)
