"""Hand-built snapshots: one of everything, and a synthetic org at the reference scale.

``reference_snapshot()`` has the shape of the 3,208-site retail org: about 4,000 gateways,
10,000+ WAN ports, 13,000+ peer paths, 10,000+ BGP sessions, 8,000 cloud tunnels, three SLE
scores per site, deep-dives of the degraded few percent and a day of alarms. Tests and
benchmarks use it to measure rendering.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import Any

from exporter.model import (
    AlarmCount,
    AlarmIncidents,
    BgpPeer,
    ClassifierDegraded,
    ExporterStatus,
    Gateway,
    GatewayNode,
    HistogramBucket,
    ImpactedApplication,
    ImpactedGateway,
    ImpactedInterface,
    ImpactedPeerPath,
    ImpactEntity,
    Inventory,
    JobStatus,
    Org,
    PeerPath,
    Site,
    SleDeepDive,
    SleScore,
    Snapshot,
    TokenBudget,
    TrendBucket,
    WanInterface,
    WanPort,
    WanTunnel,
)

NOW = 1_800_000_000.0
ORG_ID = "6748cfa6-4e12-11e6-9188-0242ac110007"
SLES = ("gateway-health", "wan-link-health", "application-health")
APPLICATIONS = (
    "ZOOM",
    "MICROSOFT-TEAMS",
    "WEBEX",
    "OFFICE365",
    "SALESFORCE",
    "SLACK",
    "SAP",
    "WORKDAY",
)
REFERENCE_IMPACT = {"clients": 10, "paths": 4, "apps": 8}
ONE_IMPACT = {"clients": 1, "paths": 1, "apps": 1}
WAN_TYPES = (("wan0", "broadband"), ("wan1", "mpls"), ("lte", "lte"), ("wan2", "broadband"))
REGIONS = ("north", "south", "east", "west", "central", "coast", "mountain", "islands")
ALARM_TYPES = ("gateway_down", "vpn_peer_down", "wan_port_down", "high_cpu", "device_reboot")


@dataclass
class StaticSource:
    """A :class:`exporter.metrics.source.Source` whose snapshot and status a test sets."""

    snapshot: Snapshot = field(default_factory=Snapshot)
    exporter_status: ExporterStatus = field(default_factory=ExporterStatus)
    simulated: bool = False

    def status(self) -> ExporterStatus:
        return self.exporter_status


def healthy_status(now: float = NOW) -> ExporterStatus:
    """Every job ran a few seconds ago; two tokens, Redis up, published."""
    jobs = tuple(
        JobStatus(
            job=job,
            last_success=now - 5,
            last_attempt=now - 5,
            duration_seconds=1.5,
            errors_total=1,
            last_error=None,
            next_run=now + 55,
            interval_seconds=60.0,
            planned_calls_per_hour=120.0,
            org_id=ORG_ID,
        )
        for job in ("inventory", "gateways", "wan_ports", "peer_paths", "alarms")
    )
    return ExporterStatus(
        jobs=jobs,
        budgets=(TokenBudget("0", 4200, now + 1800), TokenBudget("1", 4990, now + 1800)),
        state_store_up=True,
        state_store_kind="redis",
        started_at=now - 600,
        first_publish_at=now - 590,
        skipped_rows=(("/api/v1/orgs/{org_id}/stats/vpn_peers/search", "duplicate row", 3),),
        webhook_events=(
            ("alarms", "applied", 3),
            ("device-events", "applied", 2),
            ("unknown", "rejected", 1),
        ),
        webhook_last_event=(("alarms", now - 30), ("device-events", now - 20)),
    )


def site_id(n: int) -> str:
    return f"0000{n:04x}-5a1e-4000-8000-{n:012x}"


def gateway_mac(n: int) -> str:
    return f"0c8126{n:06x}"


def impact(sle: str, gateway: str, *, clients: int, paths: int, apps: int) -> dict[str, Any]:
    """The impact parts of a deep-dive: paths for WAN link health, apps for application health."""
    peer_paths = tuple(
        ImpactedPeerPath(gateway, f"ge-0/0/{i % 2}", "4c96fffa0001", f"ge-0/0/{i // 2}", 120.0 - i)
        for i in range(paths if sle == "wan-link-health" else 0)
    )
    applications = tuple(
        ImpactedApplication(name, 90.0 - i)
        for i, name in enumerate(APPLICATIONS[: apps if sle == "application-health" else 0])
    )
    fields = (
        ImpactEntity("gateway", gateway, 450.0),
        *(ImpactEntity("client", f"5c5b3550{i:04x}", 60.0 + i) for i in range(clients)),
        *(
            ImpactEntity("peer_path", f"{p.gateway_mac} {p.port_id} {p.peer_port_id}", 1.0)
            for p in peer_paths
        ),
        *(ImpactEntity("application", a.application, a.degraded_seconds) for a in applications),
    )
    return {
        "impact": fields,
        "impacted_applications": applications,
        "impacted_clients": 4.0 * clients,
        "impacted_peer_paths": peer_paths,
    }


def deep_dive(
    site: str, sle: str, gateway: str, *, fetched_at: float = NOW, reference: bool = False
) -> SleDeepDive:
    """One deep-dive; ``reference``: realistic impact counts (top 10 clients, a branch's 4
    peer paths: 2 ports x 2 hubs, 8 applications), else one of each."""
    trend = tuple(TrendBucket(NOW - 3600 * (6 - i), 600.0, 30.0 * i) for i in range(6))
    return SleDeepDive(
        site_id=site,
        sle=sle,
        window_start=NOW - 6 * 3600,
        window_end=NOW,
        fetched_at=fetched_at,
        trend=trend,
        classifiers=(
            ClassifierDegraded("network-latency", 300.0),
            ClassifierDegraded("interface-congestion", 150.0),
        ),
        histogram=(
            HistogramBucket(0.05, 10.0),
            HistogramBucket(0.1, 40.0),
            HistogramBucket(0.2, 55.0),
            HistogramBucket(float("inf"), 60.0),
        ),
        threshold=0.15,
        impacted_gateways=(ImpactedGateway(gateway, 450.0),),
        impacted_interfaces=(ImpactedInterface(gateway, "ge-0/0/0", 300.0),),
        **impact(sle, gateway, **(REFERENCE_IMPACT if reference else ONE_IMPACT)),
    )


def one_of_everything() -> Snapshot:
    """A snapshot with one item of each kind, every optional value present."""
    site, mac = site_id(1), gateway_mac(1)
    port = WanPort(
        site_id=site,
        gateway_mac=mac,
        port_id="ge-0/0/0",
        wan_name="wan0",
        wan_type="broadband",
        up=True,
        speed_bytes_per_second=125_000_000.0,
        receive_bytes=1.5e12,
        transmit_bytes=3.25e11,
        receive_rate_bytes_per_second=1_250_000.0,
        transmit_rate_bytes_per_second=250_000.0,
        latency_seconds=0.025,
        jitter_seconds=0.004,
        loss_ratio=0.001,
        last_flap_timestamp=NOW - 7200,
    )
    return Snapshot(
        inventory=Inventory(Org(ORG_ID, "Retail Co"), (Site(site, "Store 1", "north", "GB"),)),
        gateways=(
            Gateway(
                site_id=site,
                mac=mac,
                name="store1-gw",
                model="SSR120",
                version="6.2.5",
                up=True,
                uptime_seconds=86400.0,
                nodes=(
                    GatewayNode(
                        "node0", 0.25, 0.5, (WanInterface("ge-0/0/0", "wan0", "broadband"),)
                    ),
                    GatewayNode("node1", 0.05, 0.25, (WanInterface("ge-5/0/0", "wan1", "mpls"),)),
                ),
            ),
        ),
        wan_ports=(
            port,
            dataclasses.replace(
                port, port_id="ge-5/0/0", wan_name="wan1", wan_type="mpls", node="node1"
            ),
        ),
        peer_paths=(
            PeerPath(
                site_id=site,
                gateway_mac=mac,
                port_id="ge-0/0/0",
                peer_mac="0c81260000ff",
                peer_port_id="ge-0/0/1",
                up=True,
                active=True,
                latency_seconds=0.03,
                jitter_seconds=0.002,
                loss_ratio=0.0,
                mos=4.3,
            ),
        ),
        bgp_peers=(bgp_peer(site, mac, "10.255.0.1", "vpn_OrgOverlay", up=True),),
        wan_tunnels=(wan_tunnel(site, mac, "zscaler-primary", "fra4-vpn.zscaler.net", up=True),),
        sle_scores=(SleScore(site, "wan-link-health", 0.87),),
        alarm_counts=(AlarmCount(site, "infrastructure", "critical", "gateway_down", 2),),
        alarm_incidents=(AlarmIncidents("infrastructure", "critical", "gateway_down", 5, ORG_ID),),
        deep_dives=(
            deep_dive(site, "wan-link-health", mac),
            deep_dive(site, "application-health", mac),
        ),
        published=frozenset({"inventory", "gateways", "wan_ports", "peer_paths", "alarms"}),
    )


def bgp_peer(site: str, mac: str, neighbor: str, vrf: str, *, up: bool) -> BgpPeer:
    return BgpPeer(
        site_id=site,
        gateway_mac=mac,
        neighbor=neighbor,
        vrf=vrf,
        up=up,
        state="established" if up else "active",
        uptime_seconds=31355.0 if up else 0.0,
        received_routes=120.0 if up else 0.0,
        advertised_routes=4.0 if up else 0.0,
        flaps=3.0,
        neighbor_as="65000",
        timestamp=NOW - 30,
    )


def wan_tunnel(site: str, mac: str, name: str, host: str, *, up: bool) -> WanTunnel:
    return WanTunnel(
        site_id=site,
        gateway_mac=mac,
        tunnel_name=name,
        peer_host=host,
        node="",
        up=up,
        peer_ip="165.225.72.10",
        protocol="ipsec",
        priority="primary",
        wan_name="wan0",
        uptime_seconds=7200.0 if up else 0.0,
        receive_bytes=4.5e11,
        transmit_bytes=1.5e11,
        receive_packets=5.6e8,
        transmit_packets=1.9e8,
        last_flap_timestamp=NOW - 7200,
    )


def routing(gateways: list[Gateway], seed: int) -> tuple[list[BgpPeer], list[WanTunnel]]:
    """Two overlay sessions per gateway and one to an MPLS PE on most, two cloud tunnels;
    about 1 % down (an rng of its own, so the rest of the reference org is unchanged)."""
    rng = random.Random(seed + 1)
    peers, tunnels = [], []
    for g in gateways:
        neighbors = [("10.255.0.1", "vpn_OrgOverlay"), ("10.255.1.1", "vpn_OrgOverlay")]
        if rng.random() < 0.6:
            neighbors.append((f"100.65.{rng.randrange(256)}.2", "default"))
        for neighbor, vrf in neighbors:
            peers.append(bgp_peer(g.site_id, g.mac, neighbor, vrf, up=rng.random() > 0.01))
        for name, host in (
            ("zscaler-primary", "fra4-vpn.zscaler.net"),
            ("prisma-secondary", "eu-central.gpcloudservice.com"),
        ):
            tunnels.append(wan_tunnel(g.site_id, g.mac, name, host, up=rng.random() > 0.01))
    return peers, tunnels


def reference_snapshot(sites: int = 3208, seed: int = 1) -> Snapshot:
    """A synthetic org at the reference scale (deterministic for a seed)."""
    rng = random.Random(seed)
    site_rows, gateways, ports, paths, scores, counts = [], [], [], [], [], []
    dives: list[SleDeepDive] = []
    hubs = [gateway_mac(0xF00000 + h) for h in range(4)]
    gw = 0
    for n in range(1, sites + 1):
        sid = site_id(n)
        site_rows.append(Site(sid, f"Store {n}", REGIONS[n % len(REGIONS)], "GB"))
        degraded = rng.random() < 0.05
        for _ in range(2 if rng.random() < 0.25 else 1):
            gw += 1
            mac = gateway_mac(gw)
            gateways.append(
                Gateway(
                    sid,
                    mac,
                    f"store{n}-gw{gw}",
                    "SSR120",
                    "6.2.5",
                    True,
                    86400.0,
                    (GatewayNode("", 0.2, 0.4),),
                )
            )
            for k in range(rng.choice((2, 2, 3, 3, 4))):
                wan_name, wan_type = WAN_TYPES[k]
                port_id = f"ge-0/0/{k}"
                ports.append(
                    WanPort(
                        sid,
                        mac,
                        port_id,
                        wan_name,
                        wan_type,
                        True,
                        125_000_000.0,
                        rng.uniform(1e9, 1e13),
                        rng.uniform(1e9, 1e12),
                        rng.uniform(0, 1e7),
                        rng.uniform(0, 1e6),
                        rng.uniform(0.005, 0.08),
                        rng.uniform(0.0, 0.02),
                        rng.uniform(0.0, 0.01),
                        NOW - rng.uniform(0, 86400 * 30),
                    )
                )
                if wan_type != "lte":
                    for hub in hubs[: 1 + k % 2]:
                        paths.append(
                            PeerPath(
                                sid,
                                mac,
                                port_id,
                                hub,
                                "ge-0/0/1",
                                True,
                                k == 0,
                                rng.uniform(0.01, 0.1),
                                rng.uniform(0.0, 0.02),
                                rng.uniform(0.0, 0.01),
                                rng.uniform(3.5, 4.4),
                            )
                        )
        if degraded:
            dives.extend(deep_dive(sid, sle, mac, reference=True) for sle in SLES)
        for sle in SLES:
            scores.append(SleScore(sid, sle, rng.uniform(0.6, 0.89) if degraded else 0.99))
        if rng.random() < 0.1:
            alarm_type = rng.choice(ALARM_TYPES)
            counts.append(AlarmCount(sid, "infrastructure", "warn", alarm_type, rng.randint(1, 5)))
    incidents = tuple(AlarmIncidents("infrastructure", "warn", t, 100, ORG_ID) for t in ALARM_TYPES)
    peers, tunnels = routing(gateways, seed)
    return Snapshot(
        inventory=Inventory(Org(ORG_ID, "Retail Co"), tuple(site_rows)),
        gateways=tuple(gateways),
        wan_ports=tuple(ports),
        peer_paths=tuple(paths),
        sle_scores=tuple(scores),
        bgp_peers=tuple(peers),
        wan_tunnels=tuple(tunnels),
        alarm_counts=tuple(counts),
        alarm_incidents=incidents,
        deep_dives=tuple(dives),
        published=frozenset({"inventory", "gateways", "wan_ports", "peer_paths", "alarms"}),
    )
