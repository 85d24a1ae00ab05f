"""The part of the ground truth the live habits shape: what the exporter should publish
although the answers repeat rows, leave fields out and report stale or offline things as up."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from exporter.simulator import live
from exporter.simulator.api import Api
from exporter.simulator.ghosts import ghosts

PathKey = tuple[str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class LiveTruth:
    """Paths as (site_id, gateway_mac, port_id, peer_mac, peer_port_id).

    ``peer_paths_up``: the paths up at ``now`` (gateway connected, port and path up) whose rows
    name them; ``unnamed_paths``: rows without ``peer_port_id`` (never publishable);
    ``offline_paths``: paths of disconnected gateways, which the peer search reports with their
    last status; ``ghost_paths``: paths of decommissioned gateways a search without a window
    still returns; ``ha_ports``: (gateway_mac, port_id, node) of HA clusters' WAN ports;
    ``alarm_incidents``: ((group, severity, type), incidents) of the alarms in the alarm window
    as they stand at ``now`` (growth included).
    """

    peer_paths_up: frozenset[PathKey]
    unnamed_paths: frozenset[PathKey]
    offline_paths: frozenset[PathKey]
    ghost_paths: frozenset[PathKey]
    ha_ports: frozenset[tuple[str, str, str]]
    alarm_incidents: tuple[tuple[tuple[str, str, str], int], ...]

    def incidents(self) -> dict[tuple[str, str, str], int]:
        return dict(self.alarm_incidents)


def live_truth(api: Api, now: float, alarms_since: float) -> LiveTruth:
    fleet, world = api.fleet, api.world
    missing = api.does(live.MISSING_FIELDS)
    up: set[PathKey] = set()
    unnamed: set[PathKey] = set()
    offline: set[PathKey] = set()
    current = -1
    for path in fleet.paths:  # grouped by gateway
        gateway = path.gateway
        if gateway.index != current:
            current = gateway.index
            states = world.path_states(gateway, now)
            gone = world.disconnected_since(gateway, now) is not None
        key = (gateway.site_id, gateway.mac, path.port.port_id, path.hub.mac, path.peer_port_id)
        if missing and live.missing(path.key, "peer_port_id", live.NO_PEER_PORT_SHARE):
            unnamed.add(key)
        elif gone:
            offline.add(key)
        elif states[(gateway.wan_ports.index(path.port), path.hub_index)].up:
            up.add(key)
    ghost = (
        frozenset((g.site_id, g.mac, g.port_id, g.hub.mac, g.peer_port_id) for g in ghosts(fleet))
        if api.does(live.STALE_PATHS)
        else frozenset()
    )
    incidents: Counter[tuple[str, str, str]] = Counter()
    for alarm in world.alarms_between(alarms_since, now, now):
        incidents[(alarm.group, alarm.severity, alarm.alarm_type)] += max(alarm.count, 1)
    return LiveTruth(
        peer_paths_up=frozenset(up),
        unnamed_paths=frozenset(unnamed),
        offline_paths=frozenset(offline),
        ghost_paths=ghost,
        ha_ports=frozenset(
            (gw.mac, port.port_id, f"node{port.node}")
            for gw in fleet.gateways
            if gw.ha
            for port in gw.wan_ports
        ),
        alarm_incidents=tuple(sorted(incidents.items())),
    )
