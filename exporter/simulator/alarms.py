"""The alarm stream: alarms arrive over time, a pure function of the seed and 5-minute buckets.

``raised`` turns an ``alarm`` event into one more alarm (``World.alarms_between`` merges them).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from exporter.simulator.events import Placed
from exporter.simulator.fleet import Fleet
from exporter.simulator.rand import between, hash64, make_uuid, tag, unit, weighted

ALARM_BUCKET = 300
_PER_SITE_HOUR = 0.02
_KINDS: tuple[tuple[tuple[str, str, str], float], ...] = (
    (("infrastructure", "critical", "device_down"), 3),
    (("infrastructure", "info", "device_reconnected"), 3),
    (("infrastructure", "warn", "vpn_peer_down"), 4),
    (("infrastructure", "warn", "wan_port_down"), 4),
    (("infrastructure", "critical", "ha_control_link_down"), 0.5),
    (("marvis", "critical", "bad_wan_uplink"), 2),
    (("marvis", "warn", "bad_cable"), 1),
    (("marvis", "warn", "isp_reachability"), 1.5),
    (("security", "warn", "idp_attack"), 1),
    (("security", "critical", "malware_detected"), 0.5),
    (("security", "info", "url_filter_block"), 1),
)


@dataclass(frozen=True, slots=True)
class SimAlarm:
    alarm_id: str
    timestamp: float
    site_index: int
    gateway_index: int
    group: str
    severity: str
    alarm_type: str
    count: int
    last_seen: float


def _in_bucket(fleet: Fleet, bucket: int) -> Iterator[SimAlarm]:
    sites = len(fleet.sites)
    mean = sites * _PER_SITE_HOUR * ALARM_BUCKET / 3600
    count = int(mean + unit(fleet.seed, bucket, tag("alarms")))
    for i in range(count):
        key = hash64(fleet.seed, bucket, i, tag("alarm"))
        site_index = int(unit(key, 1) * sites)
        group, severity, alarm_type = weighted(_KINDS, key, 2)
        timestamp = round(bucket * ALARM_BUCKET + between(0, ALARM_BUCKET, key, 3), 3)
        incidents = 1 + int(unit(key, 4) ** 3 * 6)
        yield SimAlarm(
            alarm_id=make_uuid(key),
            timestamp=timestamp,
            site_index=site_index,
            gateway_index=int(unit(key, 5) * len(fleet.sites[site_index].gateways)),
            group=group,
            severity=severity,
            alarm_type=alarm_type,
            count=incidents,
            last_seen=round(timestamp + (incidents - 1) * between(30, 240, key, 6), 3),
        )


def raised(fleet: Fleet, placed: Placed) -> SimAlarm:
    """The alarm an ``alarm`` event raised: at its ``since``, id derived from the event id."""
    event = placed.event
    timestamp = round(placed.since, 3)
    return SimAlarm(
        alarm_id=make_uuid(fleet.seed, tag(placed.event_id)),
        timestamp=timestamp,
        site_index=placed.site,
        gateway_index=placed.gateway,
        group=event.group,
        severity=event.alarm_severity,
        alarm_type=event.alarm_type,
        count=event.count,
        last_seen=timestamp,
    )


def alarms_between(fleet: Fleet, start: float, end: float) -> list[SimAlarm]:
    """The seeded alarms with ``start <= timestamp < end``, sorted by (timestamp, id)."""
    if not fleet.sites or end <= start:
        return []
    found = [
        alarm
        for bucket in range(int(start // ALARM_BUCKET), math.ceil(end / ALARM_BUCKET))
        for alarm in _in_bucket(fleet, bucket)
        if start <= alarm.timestamp < end
    ]
    found.sort(key=lambda alarm: (alarm.timestamp, alarm.alarm_id))
    return found
