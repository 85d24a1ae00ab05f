"""Every simulated endpoint answers what the Mist OpenAPI spec describes, in both spellings."""

from __future__ import annotations

from typing import Any

import pytest

from exporter.clock import ManualClock
from exporter.simulator import SimConfig
from exporter.simulator.live import ALL, HA_NODES, TREND_OFFSET
from tests.simulator.spec import errors
from tests.simulator.support import T0, Client, simulator

ORG = "/api/v1/orgs/{org_id}"
SLE = "/api/v1/sites/{site_id}/sle/{scope}/{scope_id}"
# (spec template, query); the simulator serves worst-sites-by-sle at the spec's insights/{metric}.
ORG_ENDPOINTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("/api/v1/self", {}),
    (ORG, {}),
    (f"{ORG}/sites", {}),
    (f"{ORG}/sitegroups", {}),
    (f"{ORG}/stats/devices", {"type": "gateway"}),
    (f"{ORG}/stats/ports/search", {"device_type": "gateway", "limit": 1000}),
    (f"{ORG}/stats/vpn_peers/search", {"limit": 1000}),
    (f"{ORG}/stats/bgp_peers/search", {"limit": 1000}),
    (f"{ORG}/stats/tunnels/search", {"type": "wan", "limit": 1000}),
    (f"{ORG}/insights/sites-sle", {"sle": "wan", "duration": "1h"}),
    (f"{ORG}/insights/{{metric}}", {"sle": "wan"}),
    (f"{ORG}/alarms/search", {"duration": "7d"}),
)
SITE_ENDPOINTS = (
    "metric/{metric}/summary-trend",
    "metric/{metric}/histogram",
    "metric/{metric}/threshold",
    "metric/{metric}/impact-summary",
    "metric/{metric}/impacted-gateways",
    "metric/{metric}/impacted-interfaces",
    "metric/{metric}/impacted-applications",
    "metric/{metric}/impacted-clients",
    "metric/{metric}/classifiers",
)
# impact-summary's schema only knows Wi-Fi dimensions; WAN adds gateway, interface, peer_path,
# application and client lists.
NOT_STRICT = {f"{SLE}/metric/{{metric}}/impact-summary"}


def _check(template: str, body: Any, spelling: str) -> None:
    problems = errors(template, body)
    if spelling == "spec" and template not in NOT_STRICT:
        problems += errors(template, body, strict=True)
    assert not problems, (template, problems[:5])


def _nonempty(template: str, body: Any) -> None:
    """A contract check on empty answers would prove little: the rows must be there."""
    rows = body if isinstance(body, list) else body.get("results", body.get("privileges", [body]))
    assert rows, template


@pytest.mark.parametrize("spelling", ["spec", "live"])
@pytest.mark.parametrize(("template", "query"), ORG_ENDPOINTS, ids=[e[0] for e in ORG_ENDPOINTS])
async def test_org_endpoint_matches_spec(
    template: str, query: dict[str, Any], spelling: str
) -> None:
    # The spec's port row has no ``node``: HA nodes are a live addition, off for the strict check.
    live = ALL - {HA_NODES} if spelling == "spec" else ALL
    async with simulator(SimConfig(sites=40, spelling=spelling, live=live)) as (running, client):
        path = template.format(org_id=running.simulator.org_id, metric="worst-sites-by-sle")
        body = await client.ok(path, **query)
        _nonempty(template, body)
        _check(template, body, spelling)


async def _degraded_site(client: Client, org_id: str, metric: str) -> str:
    worst = await client.ok(f"/api/v1/orgs/{org_id}/insights/worst-sites-by-sle", sle=metric)
    return str(worst["results"][0]["site_id"])


@pytest.mark.parametrize("spelling", ["spec", "live"])
async def test_site_sle_endpoints_match_spec(spelling: str) -> None:
    async with simulator(SimConfig(sites=40, spelling=spelling)) as (running, client):
        org_id = running.simulator.org_id
        site_id = await _degraded_site(client, org_id, "wan-link-health")
        base = f"/api/v1/sites/{site_id}/sle/site/{site_id}"
        metrics = await client.ok(f"{base}/metrics")
        _check(f"{SLE}/metrics", metrics, spelling)
        assert len(metrics["enabled"]) >= 3
        for metric in metrics["enabled"]:
            for endpoint in SITE_ENDPOINTS:
                path = f"{base}/{endpoint.format(metric=metric)}"
                if metric == "gateway-health" and endpoint.endswith("impacted-interfaces"):
                    assert (await client.get(path, duration="1d")).status == 400  # live habit
                    continue
                body = await client.ok(path, duration="1d")
                _check(f"{SLE}/{endpoint}", body, spelling)


async def test_spec_spelling_uses_the_spec_names() -> None:
    async with simulator(SimConfig(sites=40, spelling="spec")) as (running, client):
        org_id = running.simulator.org_id
        sle = await client.ok(f"/api/v1/orgs/{org_id}/insights/sites-sle", sle="wan")
        assert {"application_health", "gateway-health", "wan-link-health"} <= sle["results"][
            0
        ].keys()
        assert not {"application-health", "wan-link-health-v2"} & sle["results"][0].keys()
        site_id = await _degraded_site(client, org_id, "wan-link-health")
        base = f"/api/v1/sites/{site_id}/sle/site/{site_id}"
        assert "application_health" in (await client.ok(f"{base}/metrics"))["enabled"]
        rows = (await client.ok(f"{base}/metric/wan-link-health/impacted-interfaces"))["interfaces"]
        assert rows
        assert all("switch_mac" in row and "gateway_mac" not in row for row in rows)
        alarms = await client.ok(f"/api/v1/orgs/{org_id}/alarms/search", duration="7d")
        assert alarms["results"]
        assert all("incident_count" not in row for row in alarms["results"])


async def test_live_spelling_uses_the_live_names() -> None:
    async with simulator(SimConfig(sites=40, spelling="live")) as (running, client):
        org_id = running.simulator.org_id
        sle = await client.ok(f"/api/v1/orgs/{org_id}/insights/sites-sle", sle="wan")
        row = sle["results"][0]
        assert {"application-health", "wan-link-health-v2", "gateway-bandwidth"} <= row.keys()
        assert "application_health" not in row
        site_id = await _degraded_site(client, org_id, "wan-link-health")
        base = f"/api/v1/sites/{site_id}/sle/site/{site_id}"
        enabled = (await client.ok(f"{base}/metrics"))["enabled"]
        assert {"application-health", "wan-link-health-v2"} <= set(enabled)
        rows = (await client.ok(f"{base}/metric/wan-link-health/impacted-interfaces"))["interfaces"]
        assert rows
        assert all(
            "gateway_mac" in r and "gateway_name" in r and "switch_mac" not in r for r in rows
        )
        alarms = await client.ok(f"/api/v1/orgs/{org_id}/alarms/search", duration="7d")
        assert all(row["incident_count"] == row["count"] >= 1 for row in alarms["results"])


async def test_devices_default_to_access_points_so_no_gateways() -> None:
    async with simulator(SimConfig(sites=5)) as (running, client):
        path = f"/api/v1/orgs/{running.simulator.org_id}/stats/devices"
        assert await client.ok(path) == []
        gateways = await client.ok(path, type="gateway")
        assert gateways
        assert {row["type"] for row in gateways} == {"gateway"}


async def test_self_reports_the_org_like_mist() -> None:
    async with simulator(SimConfig(sites=3, seed=7)) as (running, client):
        me = await client.ok("/api/v1/self")
        (privilege,) = me["privileges"]
        assert privilege["org_id"] == running.simulator.org_id
        assert (privilege["scope"], privilege["role"]) == ("org", "admin")
        assert privilege["name"] == (await client.ok(f"/api/v1/orgs/{privilege['org_id']}"))["name"]


async def test_unknown_org_site_and_path_are_refused() -> None:
    async with simulator(SimConfig(sites=3)) as (_, client):
        other = "00000000-0000-4000-8000-000000000000"
        assert (await client.get(f"/api/v1/orgs/{other}/sites")).status == 403
        assert (await client.get(f"/api/v1/sites/{other}/sle/site/{other}/metrics")).status == 404
        missing = await client.get("/api/v1/orgs/nothing/here/at/all")
        assert (missing.status, missing.json()) == (404, {"detail": "Not found."})


async def test_summary_trend_classifiers_add_up_to_the_degraded_minutes() -> None:
    clock = ManualClock(T0 + 1800)
    # Buckets on clock hours here; the live off-the-hour start is in test_live.py.
    live = ALL - {TREND_OFFSET}
    async with simulator(SimConfig(sites=40, live=live), clock) as (running, client):
        org_id = running.simulator.org_id
        for metric in ("wan-link-health", "gateway-health", "application_health"):
            site_id = await _degraded_site(client, org_id, metric)
            trend = await client.ok(
                f"/api/v1/sites/{site_id}/sle/site/{site_id}/metric/{metric}/summary-trend",
                duration="1d",
            )
            samples = trend["sle"]["samples"]
            assert trend["start"] == T0 - 86400  # buckets are clock hours from start's hour
            assert len(samples["total"]) == 25  # the last one only half an hour so far
            whole = await client.ok(
                f"/api/v1/sites/{site_id}/sle/site/{site_id}/metric/{metric}/summary-trend",
                start=int(T0 - 86400),
                end=int(T0 + 3600),
            )
            assert whole["sle"]["samples"]["total"][:-1] == samples["total"][:-1]
            assert whole["sle"]["samples"]["total"][-1] == pytest.approx(
                2 * samples["total"][-1], abs=0.01
            )
            for i, degraded in enumerate(samples["degraded"]):
                parts = sum(c["samples"]["degraded"][i] for c in trend["classifiers"])
                assert parts == pytest.approx(degraded, abs=0.01)
                assert degraded <= samples["total"][i]
            assert sum(samples["degraded"]) > 0.1 * max(samples["total"])


@pytest.mark.parametrize("spelling", ["spec", "live"])
async def test_worst_sites_come_first(spelling: str) -> None:
    async with simulator(SimConfig(sites=60, spelling=spelling)) as (running, client):
        path = f"/api/v1/orgs/{running.simulator.org_id}/insights/worst-sites-by-sle"
        everything = await client.ok(path, sle="wan", limit=1000, duration="1h")
        assert len(everything["results"]) == 60
        for metric in ("gateway-health", "application_health", "wan-link-health"):
            body = await client.ok(path, sle=metric, limit=5, duration="1h")
            key = next(
                k for k in body["results"][0] if k.replace("_", "-") == metric.replace("_", "-")
            )
            scores = [row[key] for row in body["results"]]
            assert scores == sorted(scores)
            assert scores[0] == min(row[key] for row in everything["results"])
        assert (await client.get(path, sle="coverage")).status == 400
