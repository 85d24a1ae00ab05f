"""Each data family from hand-built snapshots: values, units, omissions, vanishing."""

from __future__ import annotations

import dataclasses

from prometheus_client.metrics_core import Metric

from exporter.metrics.render import Format
from exporter.metrics.snapshot_families import snapshot_families
from exporter.model import HistogramBucket, Snapshot
from tests.metrics.exposition import parse, render, samples, value
from tests.support.snapshots import NOW, ORG_ID, gateway_mac, one_of_everything, site_id

SITE, MAC = site_id(1), gateway_mac(1)
PORT = {"site_id": SITE, "gateway_mac": MAC, "port_id": "ge-0/0/0"}


def families(snapshot: Snapshot, fmt: Format = Format.TEXT) -> dict[str, Metric]:
    return parse(render(snapshot, fmt=fmt), fmt)


def test_inventory_info_series() -> None:
    f = families(one_of_everything())
    assert value(f, "mist_org_info", org_id=ORG_ID, org_name="Retail Co") == 1
    site = {"site_id": SITE, "site_name": "Store 1", "region": "north", "country_code": "GB"}
    assert value(f, "mist_site_info", **site) == 1


def test_gateway_values_in_base_units() -> None:
    f = families(one_of_everything())
    info = {"gateway_name": "store1-gw", "model": "SSR120", "version": "6.2.5"}
    assert value(f, "mist_gateway_info", site_id=SITE, gateway_mac=MAC, **info) == 1
    assert value(f, "mist_gateway_up", gateway_mac=MAC) == 1
    assert value(f, "mist_gateway_uptime_seconds", gateway_mac=MAC) == 86400
    # An HA pair: each node's own CPU and memory, named by a node label.
    assert value(f, "mist_gateway_cpu_ratio", gateway_mac=MAC, node="node0") == 0.25
    assert value(f, "mist_gateway_memory_ratio", gateway_mac=MAC, node="node0") == 0.5
    assert value(f, "mist_gateway_cpu_ratio", gateway_mac=MAC, node="node1") == 0.05
    assert value(f, "mist_gateway_memory_ratio", gateway_mac=MAC, node="node1") == 0.25
    assert value(f, "mist_wan_port_info", port_id="ge-5/0/0", node="node1") == 1


def test_wan_port_values_and_counter_types() -> None:
    f = families(one_of_everything())
    assert value(f, "mist_wan_port_info", wan_name="wan0", wan_type="broadband", **PORT) == 1
    assert value(f, "mist_wan_port_up", **PORT) == 1
    assert value(f, "mist_wan_port_speed_bytes_per_second", **PORT) == 125_000_000
    assert value(f, "mist_wan_port_receive_bytes_total", **PORT) == 1.5e12
    assert value(f, "mist_wan_port_transmit_bytes_total", **PORT) == 3.25e11
    assert value(f, "mist_wan_port_receive_rate_bytes_per_second", **PORT) == 1_250_000
    assert value(f, "mist_wan_port_transmit_rate_bytes_per_second", **PORT) == 250_000
    assert value(f, "mist_wan_port_latency_seconds", **PORT) == 0.025
    assert value(f, "mist_wan_port_jitter_seconds", **PORT) == 0.004
    assert value(f, "mist_wan_port_loss_ratio", **PORT) == 0.001
    assert value(f, "mist_wan_port_last_flap_timestamp_seconds", **PORT) == NOW - 7200
    assert f["mist_wan_port_receive_bytes"].type == "counter"
    assert f["mist_wan_port_up"].type == "gauge"


def test_unreported_values_are_omitted_not_zero() -> None:
    snap = one_of_everything()
    port = dataclasses.replace(
        snap.wan_ports[0], up=False, latency_seconds=None, loss_ratio=None, receive_bytes=None
    )
    path = dataclasses.replace(snap.peer_paths[0], mos=None, active=False)
    f = families(dataclasses.replace(snap, wan_ports=(port,), peer_paths=(path,)))
    assert value(f, "mist_wan_port_up", **PORT) == 0
    assert samples(f, "mist_wan_port_latency_seconds") == {}
    assert samples(f, "mist_wan_port_loss_ratio") == {}
    assert samples(f, "mist_wan_port_receive_bytes_total") == {}
    assert value(f, "mist_wan_port_jitter_seconds", **PORT) == 0.004
    assert samples(f, "mist_vpn_peer_path_mos") == {}
    assert value(f, "mist_vpn_peer_path_active", peer_mac="0c81260000ff") == 0


def test_vanished_ports_and_paths_vanish() -> None:
    snap = one_of_everything()
    second = dataclasses.replace(snap.wan_ports[0], port_id="ge-0/0/1", wan_name="wan1")
    both = families(dataclasses.replace(snap, wan_ports=(snap.wan_ports[0], second)))
    assert len(samples(both, "mist_wan_port_up")) == 2
    one = families(dataclasses.replace(snap, wan_ports=(second,), peer_paths=()))
    assert {dict(k)["port_id"] for k in samples(one, "mist_wan_port_up")} == {"ge-0/0/1"}
    assert {dict(k)["port_id"] for k in samples(one, "mist_wan_port_info")} == {"ge-0/0/1"}
    assert samples(one, "mist_vpn_peer_path_up") == {}


def test_peer_path_values() -> None:
    f = families(one_of_everything())
    path = {**PORT, "peer_mac": "0c81260000ff", "peer_port_id": "ge-0/0/1"}
    assert value(f, "mist_vpn_peer_path_up", **path) == 1
    assert value(f, "mist_vpn_peer_path_active", **path) == 1
    assert value(f, "mist_vpn_peer_path_latency_seconds", **path) == 0.03
    assert value(f, "mist_vpn_peer_path_jitter_seconds", **path) == 0.002
    assert value(f, "mist_vpn_peer_path_loss_ratio", **path) == 0.0
    assert value(f, "mist_vpn_peer_path_mos", **path) == 4.3


def test_sle_scores_and_deep_dive() -> None:
    f = families(one_of_everything())
    sle = {"site_id": SITE, "sle": "wan-link-health"}
    assert value(f, "mist_site_sle_ratio", **sle) == 0.87
    assert value(f, "mist_site_sle_total_seconds", **sle) == 3600
    assert value(f, "mist_site_sle_degraded_seconds", **sle) == 30 * (0 + 1 + 2 + 3 + 4 + 5)
    classifier = "mist_site_sle_classifier_degraded_seconds"
    assert value(f, classifier, classifier="network-latency", **sle) == 300
    assert value(f, classifier, classifier="interface-congestion", **sle) == 150
    assert value(f, "mist_site_sle_threshold", **sle) == 0.15
    gateway = "mist_site_sle_impacted_gateway_degraded_seconds"
    assert value(f, gateway, gateway_mac=MAC, **sle) == 450
    interface = "mist_site_sle_impacted_interface_degraded_seconds"
    assert value(f, interface, gateway_mac=MAC, interface="ge-0/0/0", **sle) == 300
    assert value(f, "mist_site_sle_deep_dive_timestamp_seconds", site_id=SITE) == NOW


def test_distribution_is_a_cumulative_gauge_histogram() -> None:
    f = families(one_of_everything(), Format.OPENMETRICS)
    family = f["mist_site_sle_distribution"]
    assert family.type == "gaugehistogram"
    buckets = {s.labels["le"]: s.value for s in family.samples if s.name.endswith("_bucket")}
    assert buckets == {"0.05": 10, "0.1": 40, "0.2": 55, "+Inf": 60}


def test_distribution_gets_an_inf_bucket_and_sorted_bounds() -> None:
    snap = one_of_everything()
    histogram = (HistogramBucket(0.5, 7.0), HistogramBucket(0.25, 3.0))
    dive = dataclasses.replace(snap.deep_dives[0], histogram=histogram, trend=(), threshold=None)
    f = families(dataclasses.replace(snap, deep_dives=(dive,)), Format.OPENMETRICS)
    bucket_samples = list(f["mist_site_sle_distribution"].samples)
    assert [(s.labels["le"], s.value) for s in bucket_samples] == [
        ("0.25", 3),
        ("0.5", 7),
        ("+Inf", 7),
    ]
    assert samples(f, "mist_site_sle_total_seconds") == {}
    assert samples(f, "mist_site_sle_threshold") == {}


def test_deep_dive_timestamp_is_the_latest_fetch_of_the_site() -> None:
    snap = one_of_everything()
    older = dataclasses.replace(snap.deep_dives[0], sle="gateway-health", fetched_at=NOW - 900)
    f = families(dataclasses.replace(snap, deep_dives=(older, snap.deep_dives[0])))
    assert value(f, "mist_site_sle_deep_dive_timestamp_seconds", site_id=SITE) == NOW


def test_alarms_gauge_and_incident_counter() -> None:
    f = families(one_of_everything())
    labels = {"group": "infrastructure", "severity": "critical", "alarm_type": "gateway_down"}
    assert value(f, "mist_alarms", site_id=SITE, **labels) == 2
    assert value(f, "mist_alarm_incidents_total", **labels) == 5
    assert f["mist_alarm_incidents"].type == "counter"


def test_empty_snapshot_exposes_metadata_only() -> None:
    f = families(Snapshot())
    assert "mist_wan_port_up" in f
    assert all(not family.samples for family in f.values())


def test_no_family_ever_carries_two_samples_with_the_same_labels() -> None:
    """Whatever the snapshot holds: repeated ports, paths, dives, alarms render once each."""
    snap = one_of_everything()
    doubled = dataclasses.replace(
        snap,
        gateways=snap.gateways * 2,
        wan_ports=snap.wan_ports * 2,
        peer_paths=snap.peer_paths * 2,
        sle_scores=snap.sle_scores * 2,
        alarm_counts=snap.alarm_counts * 2,
        deep_dives=snap.deep_dives * 2,
    )
    families = list(snapshot_families(doubled))
    for family in families:
        keys = [(s.name, tuple(sorted(s.labels.items()))) for s in family.samples]
        assert len(keys) == len(set(keys)), family.name
    assert render(doubled) == render(snap)
