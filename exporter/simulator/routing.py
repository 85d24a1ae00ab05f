"""BGP sessions and secure-edge tunnels of the fleet: specs from the seed, states from the clock.

Every branch gateway peers over the overlay with both hubs (VRF ``vpn_OrgOverlay``), and over
its MPLS port, if it has one, with the provider edge (VRF ``default``). It also keeps two IPsec
tunnels to cloud security: Zscaler (primary, over INET1) and Prisma Access (secondary, over
the second Internet port if there is one). A session or tunnel is down while its gateway is
disconnected, while its carrier is down (the MPLS port, the tunnel's port; every WAN port for
the overlay), during an hour-long outage of its own (drawn like a port's, ``World.down_hour``),
and during the short flaps of the few flappy ones. Each is a pure function of seed and time.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache

from exporter.simulator.dynamics import DOWN_BLOCK_HOURS, HOUR, PortState, World
from exporter.simulator.fleet import Fleet, GatewaySpec, PortSpec, build_fleet
from exporter.simulator.rand import between, hash64, pick, tag, unit

OVERLAY_VRF = "vpn_OrgOverlay"
HUB_AS = 65000
PE_AS = 64512
SESSION_START_SECONDS = 60.0  # a session comes up this long after its gateway boots
FLAPPY_SHARE = 0.05
DOWN_STATES = ("active", "connect", "idle")
_POPS = {
    "Region-EMEA": ("frankfurt1", "eu-central"),
    "Region-AMER": ("sunnyvale1", "us-west"),
    "Region-APAC": ("singapore1", "ap-southeast"),
}


@dataclass(frozen=True, slots=True)
class Link:
    """What a BGP session and a tunnel have in common: a gateway, a carrier, a flap schedule.

    ``port`` is the carrier (None: any WAN port of the gateway will do); a flappy link
    (``flap_period`` > 0) goes down at ``flap_phase + k * flap_period`` for 30..240 s.
    """

    key: int
    gateway: GatewaySpec
    port: PortSpec | None
    flap_period: float
    flap_phase: float


@dataclass(frozen=True, slots=True)
class BgpSpec:
    link: Link
    neighbor: str
    vrf: str
    neighbor_as: int
    local_as: int
    neighbor_mac: str
    routes_in: int
    routes_out: int


@dataclass(frozen=True, slots=True)
class TunnelSpec:
    link: Link
    name: str
    peer_host: str
    peer_ip: str
    priority: str
    share: float


@dataclass(frozen=True, slots=True)
class LinkState:
    """``since``: when the link last came up (when up) or went down; ``flaps`` since boot."""

    up: bool
    since: float
    flaps: int
    reason: str


@dataclass(frozen=True, slots=True)
class Routing:
    bgp: tuple[BgpSpec, ...]
    tunnels: tuple[TunnelSpec, ...]


def _link(key: int, gateway: GatewaySpec, port: PortSpec | None) -> Link:
    flappy = unit(key, tag("flappy")) < FLAPPY_SHARE
    period = between(2 * HOUR, 12 * HOUR, key, tag("period")) if flappy else 0.0
    return Link(key, gateway, port, period, unit(key, tag("phase")) * period)


def _bgp(fleet: Fleet, gateway: GatewaySpec) -> list[BgpSpec]:
    local_as = 4_200_000_000 + gateway.site_index
    lans = len(gateway.ports) - len(gateway.wan_ports)
    specs = [
        BgpSpec(
            link=_link(hash64(gateway.key, tag("bgp"), h), gateway, None),
            neighbor=f"10.255.{h}.1",
            vrf=OVERLAY_VRF,
            neighbor_as=HUB_AS,
            local_as=local_as,
            neighbor_mac=hub.mac,
            routes_in=int(between(40, 400, hash64(fleet.seed, tag("hub"), h))),
            routes_out=lans + 1,
        )
        for h, hub in enumerate(fleet.hubs)
    ]
    for port in gateway.wan_ports:
        if port.transport == "mpls":
            key = hash64(port.key, tag("bgp"))
            specs.append(
                BgpSpec(
                    link=_link(key, gateway, port),
                    neighbor=f"100.65.{port.key >> 8 & 255}.{port.key & 252 | 2}",
                    vrf="default",
                    neighbor_as=PE_AS,
                    local_as=local_as,
                    neighbor_mac="",
                    routes_in=int(between(50, 2000, key, tag("routes"))),
                    routes_out=lans + 1,
                )
            )
    return specs


def _tunnels(fleet: Fleet, gateway: GatewaySpec) -> list[TunnelSpec]:
    inet = [p for p in gateway.wan_ports if p.transport == "inet"]
    zscaler, prisma = _POPS[fleet.sites[gateway.site_index].region]
    ends = (
        ("zscaler-primary", f"{zscaler}-vpn.zscaler.net", "primary", inet[0], 0.25, 165),
        ("prisma-secondary", f"{prisma}.gpcloudservice.com", "secondary", inet[-1], 0.02, 34),
    )
    return [
        TunnelSpec(
            link=_link(hash64(gateway.key, tag(name)), gateway, port),
            name=name,
            peer_host=host,
            peer_ip=f"{first}.{hash64(fleet.seed, tag(host)) % 250 + 1}.{gateway.index % 8}.10",
            priority=priority,
            share=share,
        )
        for name, host, priority, port, share, first in ends
    ]


@lru_cache(maxsize=2)
def routing(seed: int, sites: int) -> Routing:
    """Every BGP session and tunnel of the fleet ``build_fleet(seed, sites)``, in gateway order."""
    fleet = build_fleet(seed, sites)
    bgp = tuple(spec for gw in fleet.gateways for spec in _bgp(fleet, gw))
    tunnels = tuple(spec for gw in fleet.gateways for spec in _tunnels(fleet, gw))
    return Routing(bgp, tunnels)


_OF_WORLD: weakref.WeakKeyDictionary[World, Routing] = weakref.WeakKeyDictionary()


def of(world: World) -> Routing:
    """The routing of the world's fleet, kept while the world lives (a simulator of many orgs
    asks for each org's in turn, more than ``routing`` keeps)."""
    found = _OF_WORLD.get(world)
    if found is None:
        found = _OF_WORLD[world] = routing(world.fleet.seed, len(world.fleet.sites))
    return found


def link_state(world: World, link: Link, ports: dict[str, PortState], now: float) -> LinkState:
    """The link at ``now``; ``ports`` are its gateway's WAN port states by port id."""
    gateway = link.gateway
    start = world.boot_time(gateway, now) + SESSION_START_SECONDS
    flaps, flap_down, flap_since = _flaps(link, start, now)
    hour = int(now // HOUR)
    block = hour // DOWN_BLOCK_HOURS
    down = world.down_hour(link.key, block)
    if down is None or down > hour:
        down = world.down_before(link.key, block)
    carriers = [ports[link.port.port_id]] if link.port else list(ports.values())
    if not world.gateway_state(gateway, now).connected:
        return LinkState(False, float(hour * HOUR), flaps, "gateway disconnected")
    if not any(c.up for c in carriers):
        return LinkState(False, max(c.last_flapped for c in carriers), flaps, "carrier down")
    if down == hour:
        return LinkState(False, float(hour * HOUR), flaps, "peer unreachable")
    if flap_down:
        return LinkState(False, flap_since, flaps, "hold timer expired")
    since = max(start, flap_since)
    if down is not None:
        since = max(since, (down + 1) * HOUR)
    if link.port is not None:
        since = max(since, carriers[0].last_flapped)
    return LinkState(True, min(since, now), flaps, "")


def _flaps(link: Link, start: float, now: float) -> tuple[int, bool, float]:
    """(flaps since ``start``, down in one now, when the last one began or ended)."""
    if link.flap_period <= 0 or now < start:
        return 0, False, start
    period, phase = link.flap_period, link.flap_phase
    last = int((now - phase) // period)
    flaps = max(0, last - int((start - phase) // period))
    if flaps == 0:
        return 0, False, start
    began = phase + last * period
    ended = began + between(30, 240, link.key, last)
    return flaps, now < ended, began if now < ended else ended


def down_state(link: Link, now: float) -> str:
    return pick(DOWN_STATES, link.key, int(now // HOUR))


@dataclass(frozen=True, slots=True)
class RoutingTruth:
    """BGP sessions (site_id, mac, neighbor, vrf) and tunnels (site_id, mac, name, peer_host)
    the searches report, and those down at the time."""

    bgp_peers: tuple[tuple[str, str, str, str], ...]
    bgp_peers_down: frozenset[tuple[str, str, str, str]]
    tunnels: tuple[tuple[str, str, str, str], ...]
    tunnels_down: frozenset[tuple[str, str, str, str]]


class States:
    """Link states at one time, each gateway's WAN ports computed once."""

    def __init__(self, world: World, now: float) -> None:
        self.world, self.now = world, now
        self._ports: dict[int, dict[str, PortState]] = {}

    def ports(self, gateway: GatewaySpec) -> dict[str, PortState]:
        if gateway.index not in self._ports:
            self._ports[gateway.index] = {
                p.port_id: self.world.port_state(gateway, p, self.now) for p in gateway.wan_ports
            }
        return self._ports[gateway.index]

    def link(self, link: Link) -> LinkState:
        return link_state(self.world, link, self.ports(link.gateway), self.now)


def routing_truth(world: World, now: float) -> RoutingTruth:
    found, states = of(world), States(world, now)
    bgp = [((s.link.gateway.site_id, s.link.gateway.mac, s.neighbor, s.vrf), s) for s in found.bgp]
    tunnels = [
        ((t.link.gateway.site_id, t.link.gateway.mac, t.name, t.peer_host), t)
        for t in found.tunnels
    ]
    return RoutingTruth(
        bgp_peers=tuple(key for key, _ in bgp),
        bgp_peers_down=frozenset(key for key, s in bgp if not states.link(s.link).up),
        tunnels=tuple(key for key, _ in tunnels),
        tunnels_down=frozenset(key for key, t in tunnels if not states.link(t.link).up),
    )
