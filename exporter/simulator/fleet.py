"""The static shape of the simulated org: sites, site groups, gateways, ports, hubs, paths.

Everything is derived from the seed; what changes with time lives in ``dynamics``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from exporter.simulator.rand import between, hash64, make_uuid, pick, tag, unit, weighted

DAY = 86400.0
_CREATED = 1_600_000_000.0

_REGIONS: tuple[tuple[str, float, tuple[tuple[str, str, str, float, float], ...]], ...] = (
    (
        "EMEA",
        0.45,
        (
            ("Paris", "FR", "Europe/Paris", 48.857, 2.352),
            ("Lyon", "FR", "Europe/Paris", 45.764, 4.836),
            ("Berlin", "DE", "Europe/Berlin", 52.520, 13.405),
            ("Munich", "DE", "Europe/Berlin", 48.135, 11.582),
            ("London", "GB", "Europe/London", 51.507, -0.128),
            ("Madrid", "ES", "Europe/Madrid", 40.417, -3.704),
            ("Milan", "IT", "Europe/Rome", 45.464, 9.190),
            ("Amsterdam", "NL", "Europe/Amsterdam", 52.368, 4.904),
        ),
    ),
    (
        "AMER",
        0.40,
        (
            ("New York", "US", "America/New_York", 40.713, -74.006),
            ("Chicago", "US", "America/Chicago", 41.878, -87.630),
            ("Dallas", "US", "America/Chicago", 32.777, -96.797),
            ("San Jose", "US", "America/Los_Angeles", 37.339, -121.895),
            ("Toronto", "CA", "America/Toronto", 43.653, -79.383),
            ("Sao Paulo", "BR", "America/Sao_Paulo", -23.551, -46.633),
            ("Mexico City", "MX", "America/Mexico_City", 19.433, -99.133),
        ),
    ),
    (
        "APAC",
        0.15,
        (
            ("Tokyo", "JP", "Asia/Tokyo", 35.676, 139.650),
            ("Sydney", "AU", "Australia/Sydney", -33.869, 151.209),
            ("Singapore", "SG", "Asia/Singapore", 1.352, 103.820),
            ("Bangalore", "IN", "Asia/Kolkata", 12.972, 77.595),
        ),
    ),
)
_OTHER_GROUPS = (("Format-Hypermarket", 0.25), ("Format-Convenience", 0.35), ("Pilot-SDWAN", 0.1))
_SRX = (("SRX300", 0.3), ("SRX320", 0.35), ("SRX340", 0.25), ("SRX380", 0.1))
_SSR = (("SSR120", 0.4), ("SSR130", 0.4), ("SSR1200", 0.2))
_SRX_VERSIONS = ("22.4R3-S2.11", "23.4R2-S3.9", "21.4R3-S6.5")
_SSR_VERSIONS = ("6.2.5-5.r2", "6.3.0-107.r1")


@dataclass(frozen=True, slots=True)
class PortSpec:
    """One gateway port. ``transport`` is ``mpls``/``inet``/``lte`` for WAN ports, ``lan`` else."""

    key: int
    port_id: str
    if_name: str
    port_mac: str
    usage: str
    transport: str
    wan_name: str
    wan_type: str
    speed_mbps: int
    load: float
    swing: float
    flappy: bool
    latency_ms: float
    jitter_ms: float
    linkup_seconds: float
    node: int = 0

    @property
    def is_wan(self) -> bool:
        return self.usage == "wan"


@dataclass(frozen=True, slots=True)
class GatewaySpec:
    key: int
    index: int
    site_index: int
    site_id: str
    device_id: str
    mac: str
    name: str
    model: str
    version: str
    serial: str
    family: str
    reboot_period: float
    reboot_phase: float
    ports: tuple[PortSpec, ...]
    wan_ports: tuple[PortSpec, ...]
    ha: bool = False


@dataclass(frozen=True, slots=True)
class SiteSpec:
    key: int
    index: int
    site_id: str
    name: str
    region: str
    city: str
    country_code: str
    timezone: str
    lat: float
    lng: float
    sitegroup_ids: tuple[str, ...]
    clients: int
    chronic: bool
    utc_offset_hours: float
    gateways: tuple[GatewaySpec, ...]


@dataclass(frozen=True, slots=True)
class SiteGroupSpec:
    group_id: str
    name: str
    site_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HubSpec:
    site_id: str
    mac: str
    name: str
    mpls_port: str
    inet_port: str


@dataclass(frozen=True, slots=True)
class PathSpec:
    """A VPN peer path from a spoke WAN port to a hub."""

    key: int
    gateway: GatewaySpec
    port: PortSpec
    hub_index: int
    hub: HubSpec

    @property
    def peer_port_id(self) -> str:
        return self.hub.mpls_port if self.port.transport == "mpls" else self.hub.inet_port


@dataclass(frozen=True, slots=True)
class Fleet:
    seed: int
    org_id: str
    org_name: str
    created_time: float
    sites: tuple[SiteSpec, ...]
    sitegroups: tuple[SiteGroupSpec, ...]
    gateways: tuple[GatewaySpec, ...]
    ports: tuple[tuple[GatewaySpec, PortSpec], ...]
    paths: tuple[PathSpec, ...]
    hubs: tuple[HubSpec, ...]


def _mac(prefix: str, seed: int, index: int) -> str:
    """A MAC unique per ``index`` (an odd multiplier is a bijection modulo 2**24)."""
    low = (index * 0x9E3779 + hash64(seed, tag("mac"))) & 0xFFFFFF
    return f"{prefix}{low:06x}"


def _wan_ports(gw_key: int) -> list[tuple[str, str, str]]:
    """(transport, wan_name, wan_type) of a gateway's 2-4 WAN ports in priority order."""
    ports: list[tuple[str, str, str]] = []
    if unit(gw_key, tag("mpls")) < 0.6:
        ports.append(("mpls", "MPLS", "broadband"))
    ports.append(("inet", "INET1", "broadband"))
    if unit(gw_key, tag("inet2")) < 0.4:
        ports.append(("inet", "INET2", pick(("broadband", "dsl"), gw_key, tag("dsl"))))
    if unit(gw_key, tag("lte")) < 0.5 or len(ports) < 2:
        ports.append(("lte", "LTE", "lte"))
    return ports


def _port(gw_key: int, family: str, slot: int, spec: tuple[str, str, str]) -> PortSpec:
    transport, wan_name, wan_type = spec
    key = hash64(gw_key, slot)
    if transport == "lte":
        port_id = "cl-1/0/0" if family == "srx" else "lte-0/0/0"
    else:
        port_id = f"ge-0/0/{slot}"
    speeds = {
        "mpls": (20, 50, 100),
        "inet": (100, 300, 500, 1000) if wan_type == "broadband" else (20, 50, 100),
        "lte": (50, 150),
        "lan": (1000,),
    }[transport]
    hot = unit(key, tag("hot")) < 0.05
    if transport == "lte":
        load = between(0.001, 0.01, key, tag("load"))
    elif hot:
        load = between(0.7, 0.8, key, tag("load"))
    else:
        load = between(0.04, 0.45, key, tag("load"))
    latency = {"mpls": (8, 25), "inet": (12, 45), "lte": (35, 90), "lan": (0, 0)}[transport]
    jitter = {"mpls": (0.3, 2), "inet": (1, 6), "lte": (5, 20), "lan": (0, 0)}[transport]
    return PortSpec(
        key=key,
        port_id=port_id,
        if_name=f"{port_id}.0",
        port_mac=f"{hash64(key, tag('port_mac')) & 0xFFFFFFFFFFFF:012x}",
        usage="lan" if transport == "lan" else "wan",
        transport=transport,
        wan_name=wan_name,
        wan_type=wan_type,
        speed_mbps=pick(speeds, key, tag("speed")),
        load=load,
        swing=between(0.1, 0.25, key, tag("swing")) if hot else between(0.2, 0.6, key, tag("sw")),
        flappy=transport != "lan" and unit(key, tag("flappy")) < 0.04,
        latency_ms=between(*latency, key, tag("lat")),
        jitter_ms=between(*jitter, key, tag("jit")),
        linkup_seconds=between(20, 120, key, tag("linkup")),
    )


def _gateway(
    seed: int,
    site_key: int,
    site_index: int,
    site_id: str,
    name: str,
    slot: int,
    index: int,
    family: str,
    alone: bool,
) -> GatewaySpec:
    """One gateway; a lone SRX is an HA cluster at 25 % of sites (WAN ports split over its
    two nodes, the odd ones on node 1)."""
    key = hash64(site_key, tag("gw"), slot)
    model = weighted(_SRX if family == "srx" else _SSR, key, tag("model"))
    version = pick(_SRX_VERSIONS if family == "srx" else _SSR_VERSIONS, key, tag("version"))
    ha = alone and family == "srx" and unit(key, tag("cluster")) < 0.25
    wan = [_port(key, family, i, spec) for i, spec in enumerate(_wan_ports(key))]
    if ha:
        wan = [replace(port, node=i % 2) for i, port in enumerate(wan)]
    lans = [
        _port(key, family, len(wan) + i, ("lan", "", ""))
        for i in range(1 + int(unit(key, tag("lans")) * 2))
    ]
    mac = _mac("4c9614" if family == "srx" else "020001", seed, index)
    period = between(20 * DAY, 120 * DAY, key, tag("period"))
    return GatewaySpec(
        key=key,
        index=index,
        site_index=site_index,
        site_id=site_id,
        device_id=f"00000000-0000-0000-1000-{mac}",
        mac=mac,
        name=f"{name.lower().replace(' ', '-')}-gw{slot + 1}",
        model=model,
        version=version,
        serial=f"{'CW' if family == 'srx' else 'SS'}{hash64(key, tag('serial')) % 10**10:010d}",
        family=family,
        reboot_period=period,
        reboot_phase=unit(key, tag("phase")) * period,
        ports=tuple(wan + lans),
        wan_ports=tuple(wan),
        ha=ha,
    )


@lru_cache(maxsize=2)
def build_fleet(seed: int, sites: int) -> Fleet:
    """The whole org for ``seed`` with ``sites`` sites (immutable, so shared between simulators)."""
    org_id = make_uuid(seed, tag("org"))
    region_groups = {name: make_uuid(seed, tag("sitegroup"), tag(name)) for name, _, _ in _REGIONS}
    other_groups = {name: make_uuid(seed, tag("sitegroup"), tag(name)) for name, _ in _OTHER_GROUPS}
    members: dict[str, list[str]] = {
        gid: [] for gid in [*region_groups.values(), *other_groups.values()]
    }
    site_specs: list[SiteSpec] = []
    gateways: list[GatewaySpec] = []
    for index in range(sites):
        key = hash64(seed, tag("site"), index)
        region_name, _, city_list = weighted([(r, r[1]) for r in _REGIONS], key, tag("region"))
        city, country, timezone, lat, lng = pick(city_list, key, tag("city"))
        site_id = make_uuid(seed, tag("site"), index)
        groups = [region_groups[region_name]]
        groups += [
            gid
            for name, gid in other_groups.items()
            if unit(key, tag(name)) < dict(_OTHER_GROUPS)[name]
        ]
        for gid in groups:
            members[gid].append(site_id)
        name = f"Store {index + 1:04d} {city}"
        family = "srx" if unit(key, tag("family")) < 0.6 else "ssr"
        count = 2 if unit(key, tag("ha")) < 0.3 else 1
        site_gateways = []
        for slot in range(count):
            gateway = _gateway(
                seed, key, index, site_id, name, slot, len(gateways), family, count == 1
            )
            gateways.append(gateway)
            site_gateways.append(gateway)
        site_specs.append(
            SiteSpec(
                key=key,
                index=index,
                site_id=site_id,
                name=name,
                region=f"Region-{region_name}",
                city=city,
                country_code=country,
                timezone=timezone,
                lat=round(lat + between(-0.2, 0.2, key, tag("lat")), 6),
                lng=round(lng + between(-0.2, 0.2, key, tag("lng")), 6),
                sitegroup_ids=tuple(groups),
                clients=int(between(20, 400, key, tag("clients"))),
                chronic=unit(key, tag("chronic")) < 0.01,
                utc_offset_hours=lng / 15.0,
                gateways=tuple(site_gateways),
            )
        )
    hubs = tuple(
        HubSpec(
            site_id=make_uuid(seed, tag("hub"), i),
            mac=_mac("4c96ff", seed, i),
            name=f"hub-dc{i + 1}",
            mpls_port="ge-0/0/0",
            inet_port="ge-0/0/1",
        )
        for i in range(2)
    )
    names = {**{f"Region-{n}": g for n, g in region_groups.items()}, **other_groups}
    sitegroups = tuple(SiteGroupSpec(gid, name, tuple(members[gid])) for name, gid in names.items())
    ports = tuple((gw, port) for gw in gateways for port in gw.ports)
    paths = tuple(
        PathSpec(hash64(port.key, h), gw, port, h, hub)
        for gw in gateways
        for port in gw.wan_ports
        for h, hub in enumerate(hubs)
    )
    return Fleet(
        seed=seed,
        org_id=org_id,
        org_name=f"Simulated Retail {seed}",
        created_time=_CREATED,
        sites=tuple(site_specs),
        sitegroups=sitegroups,
        gateways=tuple(gateways),
        ports=ports,
        paths=paths,
        hubs=hubs,
    )
