"""What the fleet looks like at a given time: a pure function of the seed and the clock.

Degradation episodes last a few hours (each site's blocks start at its own hour); ports flap
in 10-minute buckets; traffic follows a daily curve whose integral gives the byte counters
since the last reboot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

from exporter.simulator.alarms import (
    ALARM_BUCKET,
    MAX_GROWTH,
    PER_SITE_HOUR,
    SimAlarm,
    in_bucket,
    raised,
)
from exporter.simulator.events import Event, Placed
from exporter.simulator.fleet import Fleet, GatewaySpec, PortSpec, SiteSpec
from exporter.simulator.rand import between, hash64, split, tag, unit, weighted

HOUR = 3600
FLAP_BUCKET = 600
QUALITY_BUCKET = 300
_OMEGA = 2 * math.pi / 86400.0
_FLAP_LOOKBACK = 144
DOWN_BLOCK_HOURS = 192
_DOWN_CHANCE = 0.12
_DOWN_LOOKBACK_BLOCKS = 16  # 128 days: longer than the longest time between reboots
_DOWN = tag("down")
_WHAT = tag("what")
_EPISODE = tag("episode")
# An episode (other than a port down) lasts this many clock hours; a few percent of sites are
# degraded at any time, a chronic site most of the time.
EPISODE_HOURS = 4
EPISODE_CHANCE = 0.04
CHRONIC_EPISODE_CHANCE = 0.6
_UNIT16 = 1.0 / (1 << 16)
_UNIT24 = 1.0 / (1 << 24)

GATEWAY_HEALTH = "gateway-health"
WAN_LINK_HEALTH = "wan-link-health"
APPLICATION_HEALTH = "application-health"
WAN_METRICS = (GATEWAY_HEALTH, WAN_LINK_HEALTH, APPLICATION_HEALTH)
CLASSIFIERS: dict[str, tuple[str, ...]] = {
    GATEWAY_HEALTH: (
        "gateway-disconnected",
        "system-cpu-control-plane",
        "system-cpu-data-plane",
        "system-memory",
        "system-temp-cpu",
        "system-temp-chassis",
        "system-power",
        "table-capacity-fib",
        "table-capacity-flow",
        "dhcp-pool-dhcp-denied",
        "dhcp-pool-dhcp-headroom",
    ),
    WAN_LINK_HEALTH: (
        "interface-congestion",
        "interface-port-down",
        "interface-cable-issues",
        "interface-negotiation-failed",
        "interface-lte-signal",
        "interface-vpn",
        "network-latency",
        "network-jitter",
        "network-loss",
        "network-vpn-path-down",
        "isp-reachability-arp",
        "isp-reachability-dhcp",
    ),
    APPLICATION_HEALTH: ("latency", "jitter", "loss", "slow-application"),
}
_EPISODE_CLASSIFIERS: dict[str, tuple[tuple[str, float], ...]] = {
    GATEWAY_HEALTH: (
        ("gateway-disconnected", 3),
        ("system-cpu-data-plane", 2),
        ("system-cpu-control-plane", 1),
        ("system-memory", 1),
        ("table-capacity-flow", 0.5),
        ("dhcp-pool-dhcp-headroom", 0.5),
    ),
    WAN_LINK_HEALTH: (
        ("interface-congestion", 3),
        ("network-latency", 2),
        ("network-loss", 2),
        ("network-jitter", 1),
        ("network-vpn-path-down", 1.5),
        ("interface-lte-signal", 0.5),
        ("isp-reachability-dhcp", 0.5),
    ),
    APPLICATION_HEALTH: (("latency", 2), ("loss", 2), ("jitter", 1), ("slow-application", 2)),
}


@dataclass(frozen=True, slots=True)
class Episode:
    """A site degraded for one clock hour on one metric, caused by one classifier."""

    metric: str
    classifier: str
    severity: float
    gateway: int
    port: int


@dataclass(frozen=True, slots=True)
class SiteHour:
    """One site in one clock hour: user-minutes, baseline degradation per metric, episode."""

    total: float
    baseline: tuple[float, ...]
    minors: tuple[tuple[str, str], ...]
    episode: Episode | None


@dataclass(frozen=True, slots=True)
class GatewayState:
    connected: bool
    boot_time: float
    cpu: float
    memory: float


@dataclass(frozen=True, slots=True)
class PortState:
    up: bool
    last_flapped: float
    rx_bytes: int
    tx_bytes: int
    rx_bps: int
    tx_bps: int
    latency: float
    jitter: float
    loss: float


@dataclass(frozen=True, slots=True)
class PathState:
    up: bool
    active: bool
    uptime: int
    quality: bool
    latency: float
    jitter: float
    loss: float
    mos: float


@dataclass(frozen=True, slots=True)
class SleBucket:
    """One hour of one site metric: user-minutes in total and degraded, per classifier."""

    total: float
    degraded: float
    classifiers: tuple[tuple[str, float], ...]


class World:
    """Time-dependent state of a fleet; per site and hour it is computed once and cached.

    Port-down episodes come from the ports: each WAN port goes down for one hour with some
    chance per 8-day block, so the last flap of a port is found by scanning a few blocks.
    Other episodes are drawn per site and hour. Placed events (``events``) override them: a
    degradation replaces the site's episode at every hour while it is in force, a gateway or
    port is down from the event's ``since``, a raised alarm joins the stream at ``since``.

    Alarms: ``alarms_per_site_hour`` sets their volume; with ``alarm_growth`` an alarm shows
    the recurrences so far (else its final count at once); ``alarm_start`` is the field a
    window filters on (``timestamp`` or ``last_seen``).
    """

    def __init__(
        self,
        fleet: Fleet,
        *,
        alarms_per_site_hour: float = PER_SITE_HOUR,
        alarm_growth: bool = False,
        alarm_start: str = "timestamp",
    ) -> None:
        self.fleet = fleet
        self.alarm_growth = alarm_growth
        self.alarm_start = alarm_start
        self._alarm_bucket = lru_cache(maxsize=1 << 12)(
            lambda bucket: in_bucket(fleet, bucket, alarms_per_site_hour)
        )
        self._alarm_memo: tuple[tuple[float, float, float], list[SimAlarm]] | None = None
        self._offline_at: float | None = None
        self._offline: dict[int, float | None] = {}
        self.events: tuple[Placed, ...] = ()
        self._degraded_sites: dict[int, Episode] = {}
        self._down_keys: dict[int, float] = {}
        self._seeded_hour = lru_cache(maxsize=1 << 17)(self._site_hour)
        self.downs = lru_cache(maxsize=1 << 14)(self._downs)
        self.down_hour = lru_cache(maxsize=1 << 18)(self._down_hour)
        self.down_before = lru_cache(maxsize=1 << 16)(self._down_before)

    def place(self, event: Event, event_id: str, since: float) -> Placed:
        """``event`` resolved against the fleet (ValueError when it does not fit it)."""
        site = _site_index(self.fleet, event.site)
        spec = self.fleet.sites[site]
        if event.gateway >= len(spec.gateways):
            raise ValueError(f"site {spec.site_id} has {len(spec.gateways)} gateway(s)")
        gateway = spec.gateways[event.gateway]
        names = [("site_id", spec.site_id)]
        if event.kind != "degraded":
            names.append(("gateway_mac", gateway.mac))
        port = 0
        if event.kind in ("degraded", "port_down"):
            port = _port_index(gateway, event.port)
            names.append(("port_id", gateway.wan_ports[port].port_id))
        if event.kind == "degraded":
            metric = event.metric.replace("_", "-")
            if metric not in WAN_METRICS:
                raise ValueError(f"metric must be one of {', '.join(WAN_METRICS)}")
            classifier = event.classifier or _EPISODE_CLASSIFIERS[metric][0][0]
            if classifier not in CLASSIFIERS[metric]:
                raise ValueError(f"{classifier!r} is not a classifier of {metric}")
            event = replace(event, metric=metric, classifier=classifier)
            names.append(("gateway_mac", gateway.mac))
        return Placed(event_id, event, since, site, event.gateway, port, tuple(names))

    def apply(self, events: tuple[Placed, ...]) -> None:
        """Put ``events`` in force (replacing those before); the latest wins where two clash."""
        self.events = events
        self._alarm_memo = None
        self._offline_at = None
        self._degraded_sites = {
            p.site: Episode(p.event.metric, p.event.classifier, p.event.severity, p.gateway, p.port)
            for p in events
            if p.event.kind == "degraded"
        }
        downs: dict[int, float] = {}
        for p in events:
            gateway = self.fleet.sites[p.site].gateways[p.gateway]
            if p.event.kind == "gateway_down":
                downs[gateway.key] = p.since
            elif p.event.kind == "port_down":
                downs[gateway.wan_ports[p.port].key] = p.since
        self._down_keys = downs

    def alarms_between(self, start: float, end: float, now: float | None = None) -> list[SimAlarm]:
        """The alarms (seeded and raised) as they stand at ``now`` (default ``end``) whose
        ``alarm_start`` field lies in [start, end), raised before ``now``; by (timestamp, id)."""
        now = end if now is None else now
        memo_key = (start, end, now)
        if self._alarm_memo is not None and self._alarm_memo[0] == memo_key:
            return self._alarm_memo[1]
        by_last_seen = self.alarm_start == "last_seen"
        lookback = MAX_GROWTH if by_last_seen else 0.0
        found: list[SimAlarm] = []
        if self.fleet.sites and end > start:
            first = int((start - lookback) // ALARM_BUCKET)
            for bucket in range(first, math.ceil(end / ALARM_BUCKET)):
                found.extend(self._alarm_bucket(bucket))
        found.extend(raised(self.fleet, p) for p in self.events if p.event.kind == "alarm")
        if self.alarm_growth:
            found = [alarm.at(now) for alarm in found if alarm.timestamp <= now]
        if by_last_seen:
            found = [a for a in found if start <= a.last_seen < end and a.timestamp < end]
        else:
            found = [a for a in found if start <= a.timestamp < end]
        found.sort(key=lambda alarm: (alarm.timestamp, alarm.alarm_id))
        self._alarm_memo = (memo_key, found)
        return found

    def _down_since(self, key: int, now: float) -> float | None:
        """When an event took the gateway or port with ``key`` down, if it is down at ``now``."""
        since = self._down_keys.get(key)
        return since if since is not None and since <= now else None

    def site_hour(self, site_index: int, hour: int) -> SiteHour:
        """The seeded site hour, with the episode of a degradation event in force."""
        seeded = self._seeded_hour(site_index, hour)
        episode = self._degraded_sites.get(site_index)
        return seeded if episode is None else replace(seeded, episode=episode)

    def _down_hour(self, port_key: int, block: int) -> int | None:
        """The hour a WAN port is down in an 8-day block, if it goes down in that block."""
        draw = hash64(port_key, block, _DOWN)
        if (draw >> 40) * _UNIT24 >= _DOWN_CHANCE:
            return None
        return block * DOWN_BLOCK_HOURS + (draw & 0xFFFFFF) % DOWN_BLOCK_HOURS

    def _down_before(self, port_key: int, block: int) -> int | None:
        """The last port-down hour before ``block`` (looking back further than any uptime)."""
        for earlier in range(block - 1, block - 1 - _DOWN_LOOKBACK_BLOCKS, -1):
            hour = self.down_hour(port_key, earlier)
            if hour is not None:
                return hour
        return None

    def _downs(self, site_index: int, block: int) -> dict[int, tuple[int, int, int]]:
        """Port-down hours of a site in an 8-day block -> (gateway, port, port key)."""
        downs: dict[int, tuple[int, int, int]] = {}
        for g, gw in enumerate(self.fleet.sites[site_index].gateways):
            for p, wan in enumerate(gw.wan_ports):
                hour = self.down_hour(wan.key, block)
                if hour is not None and hour not in downs:
                    downs[hour] = (g, p, wan.key)
        return downs

    def _episode(self, site: SiteSpec, hour: int) -> Episode | None:
        down = self.downs(site.index, hour // DOWN_BLOCK_HOURS).get(hour)
        if down is not None:
            g, p, key = down
            return Episode(
                WAN_LINK_HEALTH, "interface-port-down", between(0.2, 0.6, key, hour), g, p
            )
        block = (hour + site.key % EPISODE_HOURS) // EPISODE_HOURS
        chance = CHRONIC_EPISODE_CHANCE if site.chronic else EPISODE_CHANCE
        if (hash64(site.key, block, _EPISODE) >> 48) * _UNIT16 >= chance:
            return None
        key = hash64(site.key, block, _WHAT)
        metric = weighted(
            ((WAN_LINK_HEALTH, 4), (GATEWAY_HEALTH, 2.5), (APPLICATION_HEALTH, 2.5)), key
        )
        classifier = weighted(_EPISODE_CLASSIFIERS[metric], key, 1)
        gateway = int(unit(key, 2) * len(site.gateways))
        port = int(unit(key, 3) * len(site.gateways[gateway].wan_ports))
        return Episode(metric, classifier, between(0.15, 0.6, key, 4), gateway, port)

    def _site_hour(self, site_index: int, hour: int) -> SiteHour:
        site = self.fleet.sites[site_index]
        local = (hour + site.utc_offset_hours) % 24
        daylight = math.sin(math.pi * (local - 6) / 16) if 6 <= local <= 22 else 0.0
        first = hash64(site.key, hour)
        second = split(first)
        noise = 0.9 + 0.2 * (first >> 48) * _UNIT16
        total = site.clients * 60 * (0.1 + 0.9 * daylight) * noise
        baseline = tuple(
            total * 0.015 * ((first >> (16 * i)) & 0xFFFF) * _UNIT16
            for i in range(len(WAN_METRICS))
        )
        minors = []
        for i, metric in enumerate(WAN_METRICS):
            names = CLASSIFIERS[metric]
            major = names[((second >> (16 * i)) & 0xFF) % len(names)]
            minor = names[((second >> (16 * i + 8)) & 0xFF) % len(names)]
            minors.append((major, minor))
        return SiteHour(total, baseline, tuple(minors), self._episode(site, hour))

    def episode(self, site_index: int, hour: int) -> Episode | None:
        return self.site_hour(site_index, hour).episode

    def _target(self, gateway: GatewaySpec, port: PortSpec | None, hour: int) -> str | None:
        """The classifier of the episode hitting this gateway (and port) this hour, if any."""
        episode = self.site_hour(gateway.site_index, hour).episode
        if episode is None:
            return None
        target = self.fleet.sites[gateway.site_index].gateways[episode.gateway]
        if target is not gateway or (
            port is not None and target.wan_ports[episode.port] is not port
        ):
            return None
        return episode.classifier

    def boot_time(self, gateway: GatewaySpec, now: float) -> float:
        return now - ((now - gateway.reboot_phase) % gateway.reboot_period)

    def gateway_state(self, gateway: GatewaySpec, now: float) -> GatewayState:
        classifier = self._target(gateway, None, int(now // HOUR))
        minute = int(now // 60)
        cpu = between(5, 35, gateway.key, minute, tag("cpu"))
        if classifier in ("system-cpu-data-plane", "system-cpu-control-plane"):
            cpu = between(88, 99, gateway.key, minute, tag("cpuhigh"))
        memory = between(30, 60, gateway.key, tag("mem")) + between(0, 3, gateway.key, minute)
        if classifier == "system-memory":
            memory = between(90, 98, gateway.key, minute, tag("memhigh"))
        return GatewayState(
            connected=classifier != "gateway-disconnected"
            and self._down_since(gateway.key, now) is None,
            boot_time=self.boot_time(gateway, now),
            cpu=round(cpu, 1),
            memory=round(memory, 1),
        )

    def disconnected_since(self, gateway: GatewaySpec, now: float) -> float | None:
        """When the gateway went offline, if it is offline at ``now`` (episodes start on the
        hour and may follow each other); remembered for the latest ``now`` (a walk's pages)."""
        if now != self._offline_at:
            self._offline_at, self._offline = now, {}
        if gateway.index not in self._offline:
            self._offline[gateway.index] = self._disconnected_since(gateway, now)
        return self._offline[gateway.index]

    def _disconnected_since(self, gateway: GatewaySpec, now: float) -> float | None:
        since = self._down_since(gateway.key, now)
        if since is not None:
            return since
        hour = int(now // HOUR)
        if self._target(gateway, None, hour) != "gateway-disconnected":
            return None
        first = hour - 48
        while hour > first and self._target(gateway, None, hour - 1) == "gateway-disconnected":
            hour -= 1
        return float(hour * HOUR)

    def _flap(self, port: PortSpec, bucket: int) -> tuple[float, float] | None:
        """The down interval of a flap starting in ``bucket``, if any."""
        if unit(port.key, bucket, tag("flap")) >= 0.15:
            return None
        start = bucket * FLAP_BUCKET + between(0, FLAP_BUCKET - 60, port.key, bucket, 1)
        return start, start + between(30, 300, port.key, bucket, 2)

    def _link(self, port: PortSpec, now: float, boot: float) -> tuple[bool, float]:
        """(up, last_flapped) from short flaps of flappy ports and hour-long port-downs."""
        last = boot + port.linkup_seconds
        up = True
        if port.flappy:
            bucket = int(now // FLAP_BUCKET)
            for back in range(_FLAP_LOOKBACK):
                flap = self._flap(port, bucket - back)
                if flap is None or flap[0] > now:
                    continue
                if flap[1] > now:
                    up, last = False, max(last, flap[0])
                else:
                    last = max(last, flap[1])
                break
        if port.is_wan:
            hour = int(now // HOUR)
            block = hour // DOWN_BLOCK_HOURS
            down = self.down_hour(port.key, block)
            if down is None or down > hour:
                down = self.down_before(port.key, block)
            if down == hour:
                return False, max(last, hour * HOUR)
            if down is not None:
                last = max(last, (down + 1) * HOUR)
            since = self._down_since(port.key, now)
            if since is not None:
                return False, max(last, since)
        return up, min(last, now)

    def _bytes(self, port: PortSpec, site: SiteSpec, since: float, until: float) -> float:
        """Bytes received in [since, until): the integral of the daily traffic curve."""
        base = port.speed_mbps * 125_000 * port.load
        phase = site.utc_offset_hours * 0.2618
        cosines = math.cos(_OMEGA * until + phase) - math.cos(_OMEGA * since + phase)
        return base * (until - since) - base * port.swing / _OMEGA * cosines

    def port_state(self, gateway: GatewaySpec, port: PortSpec, now: float) -> PortState:
        site = self.fleet.sites[gateway.site_index]
        boot = self.boot_time(gateway, now)
        up, last_flapped = self._link(port, now, boot)
        received = self._bytes(port, site, boot, now)
        tx_share = 0.35 if port.is_wan else 0.8
        classifier = self._target(gateway, port, int(now // HOUR)) if port.is_wan else None
        base = port.speed_mbps * 125_000 * port.load
        rate = base * (1 + port.swing * math.sin(_OMEGA * now + site.utc_offset_hours * 0.2618))
        if not up:
            rate = 0.0
        elif classifier == "interface-congestion":
            rate = port.speed_mbps * 125_000 * between(0.93, 0.99, port.key, int(now // 60))
        latency = jitter = loss = 0.0
        if port.is_wan:
            noise = hash64(port.key, int(now // QUALITY_BUCKET))
            draws = [(noise >> shift & 0xFFFF) * _UNIT16 for shift in (0, 16, 32, 48)]
            latency = port.latency_ms * (0.85 + 0.3 * draws[0])
            jitter = port.jitter_ms * (0.7 + 0.6 * draws[1])
            if port.transport != "mpls" and draws[2] < 0.1:
                loss = 0.4 * draws[3]
            if classifier in ("network-latency", "latency"):
                latency = 150 + 170 * draws[0]
            elif classifier in ("network-jitter", "jitter"):
                jitter = 35 + 55 * draws[1]
            elif classifier in ("network-loss", "loss"):
                loss = 2 + 7 * draws[3]
        return PortState(
            up=up,
            last_flapped=round(last_flapped, 3),
            rx_bytes=int(received),
            tx_bytes=int(received * tx_share),
            rx_bps=int(rate * 8),
            tx_bps=int(rate * 8 * tx_share),
            latency=round(latency, 1),
            jitter=round(jitter, 2),
            loss=round(loss, 2),
        )

    def path_states(self, gateway: GatewaySpec, now: float) -> dict[tuple[int, int], PathState]:
        """States of all paths of a gateway, keyed by (WAN port index, hub index).

        Per hub, the first path (in port priority order) that is up is the active one.
        """
        connected = self.gateway_state(gateway, now).connected
        hour = int(now // HOUR)
        boot = self.boot_time(gateway, now)
        ports = [self.port_state(gateway, port, now) for port in gateway.wan_ports]
        blocked = [
            self._target(gateway, port, hour) == "network-vpn-path-down"
            for port in gateway.wan_ports
        ]
        bucket = int(now // QUALITY_BUCKET)
        result: dict[tuple[int, int], PathState] = {}
        for hub in range(len(self.fleet.hubs)):
            active_found = False
            for i, port in enumerate(gateway.wan_ports):
                state = ports[i]
                noise = hash64(port.key, hub, bucket)
                up = connected and state.up and not blocked[i]
                active = up and not active_found
                active_found = active_found or active
                latency = state.latency + between(1, 12, noise, 1)
                jitter = state.jitter + between(0, 1.5, noise, 2)
                loss = min(100.0, state.loss + (0.1 if unit(noise, 3) < 0.05 else 0.0))
                mos = 4.4 - 0.012 * max(0.0, latency - 80) - 0.03 * jitter - 0.25 * loss
                result[(i, hub)] = PathState(
                    up=up,
                    active=active,
                    uptime=int(now - max(state.last_flapped, boot)) if up else 0,
                    quality=up and unit(port.key, hub, int(now // FLAP_BUCKET)) >= 0.04,
                    latency=round(latency, 1),
                    jitter=round(jitter, 2),
                    loss=round(loss, 2),
                    mos=round(min(4.4, max(1.0, mos)), 2),
                )
        return result

    def _degraded(self, hour_state: SiteHour, metric: str) -> dict[str, float]:
        """Degraded user-minutes of one site hour per classifier."""
        index = WAN_METRICS.index(metric)
        major, minor = hour_state.minors[index]
        shares = {major: hour_state.baseline[index] * 0.7}
        shares[minor] = shares.get(minor, 0.0) + hour_state.baseline[index] * 0.3
        episode = hour_state.episode
        if episode is not None and episode.metric == metric:
            shares[episode.classifier] = (
                shares.get(episode.classifier, 0.0) + hour_state.total * episode.severity
            )
        return shares

    def sle_bucket(self, site_index: int, metric: str, hour: int) -> SleBucket:
        hour_state = self.site_hour(site_index, hour)
        classifiers = tuple(
            sorted((k, round(v, 3)) for k, v in self._degraded(hour_state, metric).items())
        )
        total = round(hour_state.total, 3)
        degraded = min(total, round(sum(v for _, v in classifiers), 3))
        return SleBucket(total, degraded, classifiers)

    def _hours(self, start: float, end: float) -> list[tuple[int, float]]:
        """(hour, share of the hour inside [start, end)) for the hours the window touches."""
        hours = []
        for hour in range(int(start // HOUR), math.ceil(end / HOUR)):
            overlap = min(end, (hour + 1) * HOUR) - max(start, hour * HOUR)
            if overlap > 0:
                hours.append((hour, overlap / HOUR))
        return hours

    def sle_score(self, site_index: int, metric: str, start: float, end: float) -> float:
        """1 - degraded/total over [start, end), partial hours weighted by their overlap."""
        index = WAN_METRICS.index(metric)
        total = degraded = 0.0
        for hour, weight in self._hours(start, end):
            state = self.site_hour(site_index, hour)
            bad = state.baseline[index]
            if state.episode is not None and state.episode.metric == metric:
                bad += state.total * state.episode.severity
            total += state.total * weight
            degraded += min(bad, state.total) * weight
        return 1.0 if total <= 0 else max(0.0, 1.0 - degraded / total)

    def bandwidth_score(self, site_index: int, start: float, end: float) -> float:
        """The live API's ``gateway-bandwidth``: 1 - the congested share of user-minutes."""
        total = congested = 0.0
        for hour, weight in self._hours(start, end):
            state = self.site_hour(site_index, hour)
            total += state.total * weight
            if state.episode is not None and state.episode.classifier == "interface-congestion":
                congested += state.total * state.episode.severity * weight
        return 1.0 if total <= 0 else max(0.0, 1.0 - congested / total)


def _site_index(fleet: Fleet, site: int | str) -> int:
    if isinstance(site, int):
        if site >= len(fleet.sites):
            raise ValueError(f"site index {site} out of range (the fleet has {len(fleet.sites)})")
        return site
    for spec in fleet.sites:
        if spec.site_id == site:
            return spec.index
    raise ValueError(f"no site {site!r}")


def _port_index(gateway: GatewaySpec, port: int | str) -> int:
    if isinstance(port, int):
        if port >= len(gateway.wan_ports):
            raise ValueError(f"gateway {gateway.mac} has {len(gateway.wan_ports)} WAN port(s)")
        return port
    for index, spec in enumerate(gateway.wan_ports):
        if spec.port_id == port:
            return index
    raise ValueError(f"gateway {gateway.mac} has no WAN port {port!r}")
