"""Metric families built fresh from a snapshot, one part per concern of the org.

Each :class:`Part` names the snapshot fields it reads, so a render can reuse the bytes of a part
whose fields are the very same objects as last time. Nothing here does I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client.metrics_core import Metric
from prometheus_client.samples import Sample
from prometheus_client.utils import floatToGoString

from exporter.metrics.families import Family
from exporter.model import HistogramBucket, Snapshot


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    fields: tuple[str, ...]
    build: Callable[[Snapshot], list[Metric]]

    def key(self, snapshot: Snapshot) -> tuple[object, ...]:
        """The snapshot objects this part reads; compare by identity."""
        return tuple(getattr(snapshot, f) for f in self.fields)


def _inventory(snapshot: Snapshot) -> list[Metric]:
    org, sites = Family("mist_org_info"), Family("mist_site_info")
    inventory = snapshot.inventory
    if inventory is not None:
        org.add({"org_id": inventory.org.org_id, "org_name": inventory.org.name}, 1)
        for s in inventory.sites:
            labels = {
                "site_id": s.site_id,
                "site_name": s.name,
                "region": s.region,
                "country_code": s.country_code,
            }
            sites.add(labels, 1)
    return [org.metric, sites.metric]


def _gateways(snapshot: Snapshot) -> list[Metric]:
    info, up = Family("mist_gateway_info"), Family("mist_gateway_up")
    uptime, cpu = Family("mist_gateway_uptime_seconds"), Family("mist_gateway_cpu_ratio")
    memory = Family("mist_gateway_memory_ratio")
    for g in snapshot.gateways:
        ids = {"site_id": g.site_id, "gateway_mac": g.mac}
        info.add({**ids, "gateway_name": g.name, "model": g.model, "version": g.version}, 1)
        up.add(ids, g.up)
        uptime.add(ids, g.uptime_seconds)
        for n in g.nodes:
            node = {**ids, "node": n.node} if n.node else ids
            cpu.add(node, n.cpu_ratio)
            memory.add(node, n.memory_ratio)
    return [f.metric for f in (info, up, uptime, cpu, memory)]


def _wan_ports(snapshot: Snapshot) -> list[Metric]:
    info = Family("mist_wan_port_info")
    up = Family("mist_wan_port_up")
    speed = Family("mist_wan_port_speed_bytes_per_second")
    rx, tx = (
        Family("mist_wan_port_receive_bytes_total"),
        Family("mist_wan_port_transmit_bytes_total"),
    )
    rx_rate = Family("mist_wan_port_receive_rate_bytes_per_second")
    tx_rate = Family("mist_wan_port_transmit_rate_bytes_per_second")
    latency, jitter = (
        Family("mist_wan_port_latency_seconds"),
        Family("mist_wan_port_jitter_seconds"),
    )
    loss = Family("mist_wan_port_loss_ratio")
    flap = Family("mist_wan_port_last_flap_timestamp_seconds")
    for p in snapshot.wan_ports:
        ids = {"site_id": p.site_id, "gateway_mac": p.gateway_mac, "port_id": p.port_id}
        names = {"wan_name": p.wan_name, "wan_type": p.wan_type}
        info.add({**ids, **names, "node": p.node} if p.node else {**ids, **names}, 1)
        up.add(ids, p.up)
        speed.add(ids, p.speed_bytes_per_second)
        rx.add(ids, p.receive_bytes)
        tx.add(ids, p.transmit_bytes)
        rx_rate.add(ids, p.receive_rate_bytes_per_second)
        tx_rate.add(ids, p.transmit_rate_bytes_per_second)
        latency.add(ids, p.latency_seconds)
        jitter.add(ids, p.jitter_seconds)
        loss.add(ids, p.loss_ratio)
        flap.add(ids, p.last_flap_timestamp)
    families = (info, up, speed, rx, tx, rx_rate, tx_rate, latency, jitter, loss, flap)
    return [f.metric for f in families]


def _peer_paths(snapshot: Snapshot) -> list[Metric]:
    up, active = Family("mist_vpn_peer_path_up"), Family("mist_vpn_peer_path_active")
    latency = Family("mist_vpn_peer_path_latency_seconds")
    jitter = Family("mist_vpn_peer_path_jitter_seconds")
    loss, mos = Family("mist_vpn_peer_path_loss_ratio"), Family("mist_vpn_peer_path_mos")
    for p in snapshot.peer_paths:
        ids = {
            "site_id": p.site_id,
            "gateway_mac": p.gateway_mac,
            "port_id": p.port_id,
            "peer_mac": p.peer_mac,
            "peer_port_id": p.peer_port_id,
        }
        up.add(ids, p.up)
        active.add(ids, p.active)
        latency.add(ids, p.latency_seconds)
        jitter.add(ids, p.jitter_seconds)
        loss.add(ids, p.loss_ratio)
        mos.add(ids, p.mos)
    return [f.metric for f in (up, active, latency, jitter, loss, mos)]


def _sle_scores(snapshot: Snapshot) -> list[Metric]:
    ratio = Family("mist_site_sle_ratio")
    for s in snapshot.sle_scores:
        ratio.add({"site_id": s.site_id, "sle": s.sle}, s.ratio)
    return [ratio.metric]


def _le(bound: float) -> str:
    text: str = floatToGoString(bound)  # type: ignore[no-untyped-call]
    return text


def _distribution_samples(
    name: str, labels: dict[str, str], histogram: tuple[HistogramBucket, ...]
) -> Iterator[Sample]:
    """Cumulative ``_bucket`` samples ending in ``+Inf``.

    Mist gives no sum, and OpenMetrics parsers reject a ``_gcount`` without ``_gsum``, so the
    ``+Inf`` bucket alone carries the count.
    """
    buckets = sorted(histogram, key=lambda b: b.le)
    for b in buckets:
        yield Sample(f"{name}_bucket", {**labels, "le": _le(b.le)}, float(b.count))
    if not math.isinf(buckets[-1].le):
        yield Sample(f"{name}_bucket", {**labels, "le": "+Inf"}, float(buckets[-1].count))


def _deep_dives(snapshot: Snapshot) -> list[Metric]:
    total = Family("mist_site_sle_total_seconds")
    degraded = Family("mist_site_sle_degraded_seconds")
    classifier = Family("mist_site_sle_classifier_degraded_seconds")
    threshold = Family("mist_site_sle_threshold")
    distribution = Family("mist_site_sle_distribution")
    gateway = Family("mist_site_sle_impacted_gateway_degraded_seconds")
    interface = Family("mist_site_sle_impacted_interface_degraded_seconds")
    fetched = Family("mist_site_sle_deep_dive_timestamp_seconds")
    last_fetch: dict[str, float] = {}
    for d in snapshot.deep_dives:
        ids = {"site_id": d.site_id, "sle": d.sle}
        if d.trend:
            total.add(ids, d.total_seconds)
            degraded.add(ids, d.degraded_seconds)
        for c in d.classifiers:
            classifier.add({**ids, "classifier": c.classifier}, c.degraded_seconds)
        threshold.add(ids, d.threshold)
        if d.histogram:
            distribution.add_buckets(
                ids, _distribution_samples(distribution.sample_name, ids, d.histogram)
            )
        for g in d.impacted_gateways:
            gateway.add({**ids, "gateway_mac": g.gateway_mac}, g.degraded_seconds)
        for i in d.impacted_interfaces:
            labels = {**ids, "gateway_mac": i.gateway_mac, "interface": i.interface}
            interface.add(labels, i.degraded_seconds)
        last_fetch[d.site_id] = max(d.fetched_at, last_fetch.get(d.site_id, d.fetched_at))
    for site_id, fetched_at in last_fetch.items():
        fetched.add({"site_id": site_id}, fetched_at)
    families = (total, degraded, classifier, threshold, distribution, gateway, interface, fetched)
    return [f.metric for f in families]


def _alarms(snapshot: Snapshot) -> list[Metric]:
    alarms, incidents = Family("mist_alarms"), Family("mist_alarm_incidents_total")
    for a in snapshot.alarm_counts:
        labels = {
            "site_id": a.site_id,
            "group": a.group,
            "severity": a.severity,
            "alarm_type": a.alarm_type,
        }
        alarms.add(labels, a.count)
    for i in snapshot.alarm_incidents:
        labels = {"group": i.group, "severity": i.severity, "alarm_type": i.alarm_type}
        incidents.add(labels, i.total)
    return [alarms.metric, incidents.metric]


PARTS: tuple[Part, ...] = (
    Part("inventory", ("inventory",), _inventory),
    Part("gateways", ("gateways",), _gateways),
    Part("wan_ports", ("wan_ports",), _wan_ports),
    Part("peer_paths", ("peer_paths",), _peer_paths),
    Part("sle_scores", ("sle_scores",), _sle_scores),
    Part("deep_dives", ("deep_dives",), _deep_dives),
    Part("alarms", ("alarm_counts", "alarm_incidents"), _alarms),
)


def snapshot_families(snapshot: Snapshot) -> Iterator[Metric]:
    """Every data family of ``snapshot``, in catalogue order of parts."""
    for part in PARTS:
        yield from part.build(snapshot)
