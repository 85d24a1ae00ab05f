"""Ground truth for tests: what the simulator's endpoints add up to at a given time."""

from __future__ import annotations

from dataclasses import dataclass

from exporter.simulator.api import Api
from exporter.simulator.insight_api import WAN_LINK_HEALTH_V2, site_scores
from exporter.simulator.live_truth import LiveTruth, live_truth
from exporter.simulator.routing import RoutingTruth, routing_truth

DEGRADED_BELOW = 0.9
SLE_WINDOW = 3600.0
# The SLEs that can be degraded (gateway-bandwidth is utilisation, not health).
HEALTH_SLES = frozenset(
    {"gateway-health", "wan-link-health", WAN_LINK_HEALTH_V2, "application-health"}
)


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """Counts and ids as the API reports them at ``now``.

    ``wan_ports`` are the ``port_usage == "wan"`` rows of the port search (LTE included);
    ``degraded`` holds (site_id, metric) pairs of health SLEs whose ``sites-sle`` score over
    the hour before ``now`` is below 0.9, metric names with ``-`` (``application-health``;
    ``wan-link-health-v2`` at 0 is no data, not degraded); ``alarm_ids`` are the alarms whose
    ``start`` field (``timestamp`` unless told ``last_seen``) lies in ``alarm_window``;
    ``wan_ports_down`` includes every WAN port of a disconnected gateway; ``live`` is what
    the live habits shape (paths up, stale and unnamed, HA nodes, alarm incidents).
    """

    now: float
    org_id: str
    sites: tuple[str, ...]
    sitegroups: tuple[str, ...]
    gateways: tuple[tuple[str, str], ...]
    ports: int
    wan_ports: tuple[tuple[str, str, str], ...]
    peer_paths: tuple[tuple[str, str, str, str, str], ...]
    sle_rows: int
    alarm_ids: tuple[str, ...]
    alarm_window: tuple[float, float]
    degraded: frozenset[tuple[str, str]]
    gateways_down: frozenset[str]
    wan_ports_down: frozenset[tuple[str, str]]
    live: LiveTruth
    routing: RoutingTruth


def ground_truth(api: Api, now: float, alarms_since: float | None = None) -> GroundTruth:
    fleet, world = api.fleet, api.world
    since = now - 86400.0 if alarms_since is None else alarms_since
    degraded = frozenset(
        (site.site_id, key.replace("_", "-"))
        for site in fleet.sites
        for key, score in site_scores(api, site, now - SLE_WINDOW, now).items()
        if key.replace("_", "-") in HEALTH_SLES
        and score < DEGRADED_BELOW
        and not (key == WAN_LINK_HEALTH_V2 and score == 0)
    )
    offline = frozenset(
        gw.mac for gw in fleet.gateways if not world.gateway_state(gw, now).connected
    )
    return GroundTruth(
        now=now,
        org_id=fleet.org_id,
        sites=tuple(site.site_id for site in fleet.sites),
        sitegroups=tuple(group.group_id for group in fleet.sitegroups),
        gateways=tuple((gw.site_id, gw.mac) for gw in fleet.gateways),
        ports=len(fleet.ports),
        wan_ports=tuple(
            (gw.site_id, gw.mac, port.port_id) for gw, port in fleet.ports if port.is_wan
        ),
        peer_paths=tuple(
            (p.gateway.site_id, p.gateway.mac, p.port.port_id, p.hub.mac, p.peer_port_id)
            for p in fleet.paths
        ),
        sle_rows=len(fleet.sites),
        alarm_ids=tuple(alarm.alarm_id for alarm in world.alarms_between(since, now, now)),
        alarm_window=(since, now),
        degraded=degraded,
        gateways_down=offline,
        wan_ports_down=frozenset(
            (gw.mac, port.port_id)
            for gw, port in fleet.ports
            if port.is_wan and (gw.mac in offline or not world.port_state(gw, port, now).up)
        ),
        live=live_truth(api, now, since),
        routing=routing_truth(world, now),
    )
