"""The alarm stream: alarms arrive over time, a pure function of the seed and 5-minute buckets.

An alarm recurs ``count - 1`` times, ``gap`` seconds apart, after its ``timestamp``; ``at``
gives it as it stands at a time (count and ``last_seen`` so far). ``raised`` turns an ``alarm``
event into one more alarm (``World.alarms_between`` merges them).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

from exporter.simulator.events import Placed
from exporter.simulator.fleet import Fleet
from exporter.simulator.rand import between, hash64, make_uuid, tag, unit, weighted

ALARM_BUCKET = 300
PER_SITE_HOUR = 0.02
# The longest an alarm keeps recurring (6 recurrences at most 40 minutes apart).
MAX_GROWTH = 6 * 2400.0
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
    gap: float = 0.0

    def at(self, now: float) -> SimAlarm:
        """The alarm as it stands at ``now``: the recurrences so far (at least the first)."""
        if self.gap <= 0 or self.count <= 1:
            return self
        so_far = 1 + max(0, min(self.count - 1, int((now - self.timestamp) // self.gap)))
        if so_far == self.count:
            return self
        return replace(
            self, count=so_far, last_seen=round(self.timestamp + (so_far - 1) * self.gap, 3)
        )


def in_bucket(fleet: Fleet, bucket: int, per_site_hour: float = PER_SITE_HOUR) -> list[SimAlarm]:
    """The seeded alarms whose ``timestamp`` falls in one 5-minute bucket."""
    return list(_in_bucket(fleet, bucket, per_site_hour))


def _in_bucket(fleet: Fleet, bucket: int, per_site_hour: float) -> Iterator[SimAlarm]:
    sites = len(fleet.sites)
    mean = sites * per_site_hour * ALARM_BUCKET / 3600
    count = int(mean + unit(fleet.seed, bucket, tag("alarms")))
    for i in range(count):
        key = hash64(fleet.seed, bucket, i, tag("alarm"))
        site_index = int(unit(key, 1) * sites)
        group, severity, alarm_type = weighted(_KINDS, key, 2)
        timestamp = round(bucket * ALARM_BUCKET + between(0, ALARM_BUCKET, key, 3), 3)
        incidents = 1 + int(unit(key, 4) ** 3 * 6)
        gap = round(between(300, 2400, key, 6), 3)
        yield SimAlarm(
            alarm_id=make_uuid(key),
            timestamp=timestamp,
            site_index=site_index,
            gateway_index=int(unit(key, 5) * len(fleet.sites[site_index].gateways)),
            group=group,
            severity=severity,
            alarm_type=alarm_type,
            count=incidents,
            last_seen=round(timestamp + (incidents - 1) * gap, 3),
            gap=gap,
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


def alarms_between(
    fleet: Fleet, start: float, end: float, per_site_hour: float = PER_SITE_HOUR
) -> list[SimAlarm]:
    """The seeded alarms with ``start <= timestamp < end``, sorted by (timestamp, id)."""
    if not fleet.sites or end <= start:
        return []
    found = [
        alarm
        for bucket in range(int(start // ALARM_BUCKET), math.ceil(end / ALARM_BUCKET))
        for alarm in _in_bucket(fleet, bucket, per_site_hour)
        if start <= alarm.timestamp < end
    ]
    found.sort(key=lambda alarm: (alarm.timestamp, alarm.alarm_id))
    return found
