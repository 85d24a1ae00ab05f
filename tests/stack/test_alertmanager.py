"""Routing and inhibition of the shipped alertmanager.yml, against representative alerts.

Routes are resolved by amtool itself (``amtool config routes test``); the inhibit rules are
evaluated here in Python with Alertmanager's semantics (matchers anchored, every ``equal`` label
equal in source and target, a label missing on both counts as equal), since amtool has no
command for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import yaml

from tests.stack import promql
from tests.stack.run import REPO, run_ok

CONFIG = yaml.safe_load((REPO / "alertmanager.yml").read_text())
ALERT_NAMES = frozenset(a.name for a in promql.alerting_rules())

SITE = {"site_id": "s1", "org_id": "o1", "region": "north", "site_name": "Store 0001"}
GATEWAY = {**SITE, "gateway_mac": "g1"}
PORT_A = {**GATEWAY, "port_id": "ge-0/0/0"}
PORT_B = {**GATEWAY, "port_id": "ge-0/0/1"}
PATH_A = {**PORT_A, "peer_mac": "h1", "peer_port_id": "ge-0/0/0"}
PATH_B = {**PORT_B, "peer_mac": "h1", "peer_port_id": "ge-0/0/0"}
OTHER_SITE = {"site_id": "s2", "org_id": "o1", "region": "south", "site_name": "Store 0002"}
# Another org's site in a region of the same name: another region.
OTHER_ORG_SITE = {"site_id": "s3", "org_id": "o2", "region": "north", "site_name": "Shop 1"}
NORTH = {"org_id": "o1", "region": "north"}
OTHER_PATH = {**OTHER_SITE, "gateway_mac": "g2", "port_id": "ge-0/0/0", "peer_mac": "h2"}
EXPORTER = {"job": "mist-wan-exporter", "instance": "exporter:9842"}

# (alert labels, receiver, group_by of the route that takes it)
ROUTES = [
    ({"alertname": "Watchdog"}, "watchdog", ["alertname"]),
    ({"alertname": "MistExporterDown", "job": "mist-wan-exporter"}, "mist-stack", ["job"]),
    ({"alertname": "MistApiAuthFailing", **EXPORTER, "token": "1"}, "mist-stack", ["job"]),
    ({"alertname": "MistDataSimulated", **EXPORTER}, "mist-stack", ["job"]),
    ({"alertname": "MistJobStale", **EXPORTER, "mist_job": "alarms"}, "mist-stack", ["job"]),
    ({"alertname": "HubUnreachable", "peer_mac": "h1"}, "noc-paths", ["alertname", "peer_mac"]),
    ({"alertname": "PeerPathDown", **PATH_A}, "noc-paths", ["alertname", "peer_mac"]),
    ({"alertname": "PeerPathLatency", **PATH_A}, "noc-paths", ["alertname", "peer_mac"]),
    ({"alertname": "FailoverToBackup", **PATH_A}, "noc-paths", ["alertname", "peer_mac"]),
    ({"alertname": "GatewayOffline", **GATEWAY}, "noc-sites", ["alertname", "org_id", "region"]),
    ({"alertname": "SiteIsolated", **SITE}, "noc-sites", ["alertname", "org_id", "region"]),
    ({"alertname": "SiteSleDegraded", **SITE, "sle": "wan-link-health"}, "noc-sites", None),
    ({"alertname": "CriticalAlarm", **SITE, "alarm_type": "gateway_down"}, "noc-sites", None),
    ({"alertname": "CircuitDown", **PORT_A}, "noc-sites", ["alertname", "org_id", "region"]),
    ({"alertname": "CircuitQualityDegraded", **PORT_A, "kpi": "loss_ratio"}, "noc-sites", None),
    ({"alertname": "RegionGatewaysOffline", **NORTH}, "noc-sites", None),
    ({"alertname": "BgpPeerDown", **GATEWAY, "neighbor": "10.255.0.1"}, "noc-sites", None),
    ({"alertname": "WanTunnelDown", **GATEWAY, "tunnel_name": "zs"}, "noc-sites", None),
]


def label_args(labels: dict[str, str]) -> list[str]:
    return [f"{name}={value}" for name, value in labels.items()]


@pytest.mark.parametrize(
    ("labels", "receiver", "group_by"), ROUTES, ids=[r[0]["alertname"] for r in ROUTES]
)
def test_amtool_routes_each_alert_to_its_receiver(
    labels: dict[str, str], receiver: str, group_by: list[str] | None
) -> None:
    out = run_ok(
        [
            "amtool",
            "config",
            "routes",
            "test",
            "--config.file=alertmanager.yml",
            f"--verify.receivers={receiver}",
            *label_args(labels),
        ]
    )
    assert out.strip() == receiver
    route = next(r for r in CONFIG["route"]["routes"] if r["receiver"] == receiver)
    if group_by is not None:
        assert route["group_by"] == group_by


def test_every_alert_of_the_rules_has_a_route_other_than_the_default() -> None:
    for name in sorted(ALERT_NAMES):
        out = run_ok(
            [
                "amtool",
                "config",
                "routes",
                "test",
                "--config.file=alertmanager.yml",
                f"alertname={name}",
            ]
        )
        assert out.strip() != "default", name


def test_site_alerts_are_grouped_by_org_and_region_not_site() -> None:
    for route in CONFIG["route"]["routes"]:
        assert "site_id" not in route.get("group_by", []), route
    sites = next(r for r in CONFIG["route"]["routes"] if r["receiver"] == "noc-sites")
    assert {"org_id", "region"} <= set(sites["group_by"])


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Matcher:
        m = re.fullmatch(r'\s*(\w+)\s*(=~|!~|!=|=)\s*"(.*)"\s*', text)
        assert m, text
        return cls(m.group(1), m.group(2), m.group(3))

    def matches(self, labels: dict[str, str]) -> bool:
        value = labels.get(self.name, "")
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        found = re.fullmatch(self.value, value) is not None
        return found if self.op == "=~" else not found


def inhibited(target: dict[str, str], firing: list[dict[str, str]]) -> bool:
    """Whether Alertmanager would inhibit ``target`` while the ``firing`` alerts fire."""
    for rule in CONFIG["inhibit_rules"]:
        sources = [Matcher.parse(m) for m in rule["source_matchers"]]
        targets = [Matcher.parse(m) for m in rule["target_matchers"]]
        if not all(m.matches(target) for m in targets):
            continue
        for source in firing:
            if source is target or not all(m.matches(source) for m in sources):
                continue
            if all(source.get(k, "") == target.get(k, "") for k in rule.get("equal", [])):
                return True
    return False


def alert(name: str, labels: dict[str, str]) -> dict[str, str]:
    return {"alertname": name, **labels}


# (source, target, inhibited)
INHIBITIONS = [
    (alert("GatewayOffline", GATEWAY), alert("SiteSleDegraded", SITE), True),
    (alert("GatewayOffline", GATEWAY), alert("CriticalAlarm", SITE), True),
    (alert("GatewayOffline", GATEWAY), alert("CriticalAlarm", OTHER_SITE), False),
    (alert("GatewayOffline", GATEWAY), alert("PeerPathDown", PATH_A), True),
    (alert("CircuitDown", PORT_A), alert("PeerPathDown", PATH_A), True),
    (alert("CircuitDown", PORT_A), alert("PeerPathDown", PATH_B), False),
    (alert("CircuitDown", PORT_A), alert("FailoverToBackup", PATH_A), True),
    (alert("CircuitDown", PORT_A), alert("CircuitDown", PORT_B), False),
    (alert("CircuitQualityDegraded", PORT_A), alert("PeerPathLoss", PATH_A), True),
    (alert("CircuitQualityDegraded", PORT_A), alert("PeerPathLoss", PATH_B), False),
    (alert("SiteIsolated", SITE), alert("GatewayOffline", GATEWAY), True),
    (alert("SiteIsolated", SITE), alert("PeerPathDown", PATH_B), True),
    (alert("SiteIsolated", SITE), alert("CircuitDown", PORT_A), True),
    (alert("SiteIsolated", SITE), alert("PeerPathDown", OTHER_PATH), False),
    (alert("GatewayOffline", GATEWAY), alert("SiteIsolated", SITE), False),
    (alert("HubUnreachable", {"peer_mac": "h1"}), alert("PeerPathDown", PATH_A), True),
    (alert("HubUnreachable", {"peer_mac": "h1"}), alert("FailoverToBackup", PATH_A), True),
    (alert("HubUnreachable", {"peer_mac": "h1"}), alert("PeerPathDown", OTHER_PATH), False),
    (alert("HubUnreachable", {"peer_mac": "h1"}), alert("SiteIsolated", SITE), False),
    (alert("RegionGatewaysOffline", NORTH), alert("GatewayOffline", GATEWAY), True),
    (alert("RegionGatewaysOffline", NORTH), alert("SiteIsolated", SITE), True),
    (alert("RegionGatewaysOffline", NORTH), alert("PeerPathDown", PATH_A), True),
    (alert("RegionGatewaysOffline", NORTH), alert("PeerPathDown", OTHER_PATH), False),
    (alert("RegionGatewaysOffline", NORTH), alert("GatewayOffline", OTHER_ORG_SITE), False),
    (alert("RegionGatewaysOffline", NORTH), alert("SiteIsolated", OTHER_ORG_SITE), False),
    (
        alert("RegionGatewaysOffline", NORTH),
        alert("HubUnreachable", {"peer_mac": "h1"}),
        False,
    ),
    (
        alert("MistExporterDown", {"job": "mist-wan-exporter"}),
        alert("MistJobStale", EXPORTER),
        True,
    ),
    (alert("MistJobStale", EXPORTER), alert("MistApiAuthFailing", EXPORTER), False),
]


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    INHIBITIONS,
    ids=[
        f"{s['alertname']}-{'inhibits' if e else 'spares'}-{t['alertname']}-{i}"
        for i, (s, t, e) in enumerate(INHIBITIONS)
    ],
)
def test_inhibit_rules(source: dict[str, str], target: dict[str, str], expected: bool) -> None:
    assert inhibited(target, [source]) is expected


def test_no_alert_inhibits_itself_and_watchdog_is_never_inhibited() -> None:
    for name in sorted(ALERT_NAMES):
        same = alert(name, PATH_A)
        assert not inhibited(same, [same, dict(same)]), name
    assert not inhibited(alert("Watchdog", {}), [alert(n, PATH_A) for n in ALERT_NAMES])
