"""Metric families built fresh from a snapshot, one part per concern of the org.

Each :class:`Part` names the snapshot fields it reads, so a render can reuse the bytes of a part
whose fields are the very same objects as last time. Each part's builder is written once
against :class:`~exporter.metrics.series.Builder`: /metrics writes its lines directly
(:mod:`exporter.metrics.lines`), :func:`snapshot_families` makes prometheus_client families.
Nothing here does I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol

from prometheus_client.metrics_core import Metric
from prometheus_client.utils import floatToGoString

from exporter.collect.wan_view import join
from exporter.metrics.families import MetricBuilder
from exporter.metrics.routing_families import bgp_peers, wan_tunnels
from exporter.metrics.series import Builder, L
from exporter.model import HistogramBucket, Inventory, Snapshot

SITE = ("site_id",)
ORG = ("org_id", "org_name")
SITE_INFO = ("org_id", "site_id", "site_name", "region", "country_code")
GATEWAY = ("site_id", "gateway_mac")
GATEWAY_INFO = (*GATEWAY, "gateway_name", "model", "version")
NODE = (*GATEWAY, "node")
PORT = ("site_id", "gateway_mac", "port_id")
PORT_INFO = (*PORT, "wan_name", "wan_type")
PORT_INFO_NODE = (*PORT_INFO, "node")
PEER_PATH = (*PORT, "peer_mac", "peer_port_id")
SLE = ("site_id", "sle")
BUCKET = (*SLE, "le")
CLASSIFIER = (*SLE, "classifier")
IMPACTED_GATEWAY = (*SLE, "gateway_mac")
IMPACTED_INTERFACE = (*SLE, "gateway_mac", "interface")
IMPACT = (*SLE, "field", "entity")
IMPACTED_APPLICATION = (*SLE, "application")
IMPACTED_PEER_PATH = (*SLE, *PEER_PATH[1:])
ALARM = ("site_id", "group", "severity", "alarm_type")
INCIDENT = ("org_id", "group", "severity", "alarm_type")
# (family, attribute) of the series of each WAN port and each peer path, in exposed order.
WAN_PORT_VALUES = (
    ("mist_wan_port_up", "up"),
    ("mist_wan_port_speed_bytes_per_second", "speed_bytes_per_second"),
    ("mist_wan_port_receive_bytes_total", "receive_bytes"),
    ("mist_wan_port_transmit_bytes_total", "transmit_bytes"),
    ("mist_wan_port_receive_rate_bytes_per_second", "receive_rate_bytes_per_second"),
    ("mist_wan_port_transmit_rate_bytes_per_second", "transmit_rate_bytes_per_second"),
    ("mist_wan_port_latency_seconds", "latency_seconds"),
    ("mist_wan_port_jitter_seconds", "jitter_seconds"),
    ("mist_wan_port_loss_ratio", "loss_ratio"),
    ("mist_wan_port_last_flap_timestamp_seconds", "last_flap_timestamp"),
)
PEER_PATH_VALUES = (
    ("mist_vpn_peer_path_up", "up"),
    ("mist_vpn_peer_path_active", "active"),
    ("mist_vpn_peer_path_latency_seconds", "latency_seconds"),
    ("mist_vpn_peer_path_jitter_seconds", "jitter_seconds"),
    ("mist_vpn_peer_path_loss_ratio", "loss_ratio"),
    ("mist_vpn_peer_path_mos", "mos"),
)


class Build(Protocol):
    def __call__(self, snapshot: Snapshot, b: Builder[L]) -> None: ...


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    fields: tuple[str, ...]
    build: Build

    def key(self, snapshot: Snapshot) -> tuple[object, ...]:
        """The snapshot objects this part reads; compare by identity."""
        return tuple(getattr(snapshot, f) for f in self.fields)


def inventories(snapshot: Snapshot) -> tuple[Inventory, ...]:
    """Every org's inventory: the merged snapshot's, else the one org's (when published)."""
    if snapshot.inventories or snapshot.inventory is None:
        return snapshot.inventories
    return (snapshot.inventory,)


def _inventory(snapshot: Snapshot, b: Builder[L]) -> None:
    org, sites = b.family("mist_org_info"), b.family("mist_site_info")
    every = inventories(snapshot)
    for inventory in every:
        org.add(b.labels(ORG, (inventory.org.org_id, inventory.org.name)), 1)
    rows = [
        (i.org.org_id, s.site_id, s.name, s.region, s.country_code) for i in every for s in i.sites
    ]
    sites.add_column(b.label_column(SITE_INFO, rows), [1] * len(rows))


def _gateways(snapshot: Snapshot, b: Builder[L]) -> None:
    gateways = snapshot.gateways
    ids = b.label_column(GATEWAY, map(attrgetter("site_id", "mac"), gateways))
    rows = map(attrgetter("site_id", "mac", "name", "model", "version"), gateways)
    b.family("mist_gateway_info").add_column(b.label_column(GATEWAY_INFO, rows), [1] * len(ids))
    b.family("mist_gateway_up").add_column(ids, map(attrgetter("up"), gateways))
    uptime = map(attrgetter("uptime_seconds"), gateways)
    b.family("mist_gateway_uptime_seconds").add_column(ids, uptime)
    cpu, memory = b.family("mist_gateway_cpu_ratio"), b.family("mist_gateway_memory_ratio")
    for g, gateway in zip(gateways, ids, strict=True):
        for n in g.nodes:
            node = b.labels(NODE, (g.site_id, g.mac, n.node)) if n.node else gateway
            cpu.add(node, n.cpu_ratio)
            memory.add(node, n.memory_ratio)


def _wan_ports(snapshot: Snapshot, b: Builder[L]) -> None:
    joined = join(snapshot.gateways, snapshot.wan_ports)
    ports = joined.ports
    ids = b.label_column(PORT, map(attrgetter(*PORT), ports))
    info = list(b.label_column(PORT_INFO, map(attrgetter(*PORT_INFO), ports)))
    for i in [i for i, p in enumerate(ports) if p.node]:
        info[i] = b.labels(PORT_INFO_NODE, attrgetter(*PORT_INFO_NODE)(ports[i]))
    b.family("mist_wan_port_info").add_column(info, [1] * len(ids))
    for name, field in WAN_PORT_VALUES:
        b.family(name).add_column(ids, joined.column(field))


def _peer_paths(snapshot: Snapshot, b: Builder[L]) -> None:
    paths = snapshot.peer_paths
    ids = b.label_column(PEER_PATH, map(attrgetter(*PEER_PATH), paths))
    for name, field in PEER_PATH_VALUES:
        b.family(name).add_column(ids, map(attrgetter(field), paths))


def _sle_scores(snapshot: Snapshot, b: Builder[L]) -> None:
    scores = snapshot.sle_scores
    ids = b.label_column(SLE, map(attrgetter(*SLE), scores))
    b.family("mist_site_sle_ratio").add_column(ids, map(attrgetter("ratio"), scores))


def _le(bound: float) -> str:
    text: str = floatToGoString(bound)  # type: ignore[no-untyped-call]
    return text


def _buckets(
    b: Builder[L], sle: tuple[str, str], histogram: tuple[HistogramBucket, ...]
) -> Iterator[tuple[L, float]]:
    """Cumulative ``_bucket`` samples ending in ``+Inf``.

    Mist gives no sum, and OpenMetrics parsers reject a ``_gcount`` without ``_gsum``, so the
    ``+Inf`` bucket alone carries the count.
    """
    buckets = sorted(histogram, key=lambda x: x.le)
    for x in buckets:
        yield b.labels(BUCKET, (*sle, _le(x.le))), float(x.count)
    if not math.isinf(buckets[-1].le):
        yield b.labels(BUCKET, (*sle, "+Inf")), float(buckets[-1].count)


def _deep_dives(snapshot: Snapshot, b: Builder[L]) -> None:
    total = b.family("mist_site_sle_total_seconds")
    degraded = b.family("mist_site_sle_degraded_seconds")
    classifier = b.family("mist_site_sle_classifier_degraded_seconds")
    threshold = b.family("mist_site_sle_threshold")
    distribution = b.family("mist_site_sle_distribution")
    gateway = b.family("mist_site_sle_impacted_gateway_degraded_seconds")
    interface = b.family("mist_site_sle_impacted_interface_degraded_seconds")
    impact = b.family("mist_site_sle_impact_degraded_seconds")
    application = b.family("mist_site_sle_impacted_application_degraded_seconds")
    clients = b.family("mist_site_sle_impacted_clients")
    peer_path = b.family("mist_site_sle_impacted_peer_path_degraded_seconds")
    fetched = b.family("mist_site_sle_deep_dive_timestamp_seconds")
    last_fetch: dict[str, float] = {}
    for d in snapshot.deep_dives:
        sle = (d.site_id, d.sle)
        ids = b.labels(SLE, sle)
        if d.trend:
            total.add(ids, d.total_seconds)
            degraded.add(ids, d.degraded_seconds)
        for c in d.classifiers:
            classifier.add(b.labels(CLASSIFIER, (*sle, c.classifier)), c.degraded_seconds)
        threshold.add(ids, d.threshold)
        if d.histogram:
            distribution.add_buckets(ids, _buckets(b, sle, d.histogram))
        for g in d.impacted_gateways:
            labels = b.labels(IMPACTED_GATEWAY, (*sle, g.gateway_mac))
            gateway.add(labels, g.degraded_seconds)
        for i in d.impacted_interfaces:
            labels = b.labels(IMPACTED_INTERFACE, (*sle, i.gateway_mac, i.interface))
            interface.add(labels, i.degraded_seconds)
        for e in d.impact:
            impact.add(b.labels(IMPACT, (*sle, e.field, e.entity)), e.degraded_seconds)
        for a in d.impacted_applications:
            labels = b.labels(IMPACTED_APPLICATION, (*sle, a.application))
            application.add(labels, a.degraded_seconds)
        clients.add(ids, d.impacted_clients)
        for p in d.impacted_peer_paths:
            path = (p.gateway_mac, p.port_id, p.peer_mac, p.peer_port_id)
            peer_path.add(b.labels(IMPACTED_PEER_PATH, (*sle, *path)), p.degraded_seconds)
        last_fetch[d.site_id] = max(d.fetched_at, last_fetch.get(d.site_id, d.fetched_at))
    for site_id, fetched_at in last_fetch.items():
        fetched.add(b.labels(SITE, (site_id,)), fetched_at)


def _alarms(snapshot: Snapshot, b: Builder[L]) -> None:
    alarms, incidents = b.family("mist_alarms"), b.family("mist_alarm_incidents_total")
    for a in snapshot.alarm_counts:
        alarms.add(b.labels(ALARM, (a.site_id, a.group, a.severity, a.alarm_type)), a.count)
    for i in snapshot.alarm_incidents:
        labels = b.labels(INCIDENT, (i.org_id, i.group, i.severity, i.alarm_type))
        incidents.add(labels, i.total)


PARTS: tuple[Part, ...] = (
    Part("inventory", ("inventory", "inventories"), _inventory),
    Part("gateways", ("gateways",), _gateways),
    Part("wan_ports", ("gateways", "wan_ports"), _wan_ports),
    Part("peer_paths", ("peer_paths",), _peer_paths),
    Part("bgp_peers", ("bgp_peers",), bgp_peers),
    Part("wan_tunnels", ("wan_tunnels",), wan_tunnels),
    Part("sle_scores", ("sle_scores",), _sle_scores),
    Part("deep_dives", ("deep_dives",), _deep_dives),
    Part("alarms", ("alarm_counts", "alarm_incidents"), _alarms),
)


def part_families(part: Part, snapshot: Snapshot) -> list[Metric]:
    """One part's families as prometheus_client metrics."""
    builder = MetricBuilder()
    part.build(snapshot, builder)
    return builder.metrics()


def snapshot_families(snapshot: Snapshot) -> Iterator[Metric]:
    """Every data family of ``snapshot``, in catalogue order of parts."""
    for part in PARTS:
        yield from part_families(part, snapshot)
