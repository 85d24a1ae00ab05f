"""The query helpers the end-to-end test relies on: variable values as Grafana derives them."""

from __future__ import annotations

from typing import Any

from tests.stack import promql

ORGS = [
    {
        "metric": {"__name__": "mist_org_info", "org_id": "o1", "org_name": "Acme"},
        "value": [1700000000.0, "1"],
    }
]
SITES = [
    {
        "metric": {
            "__name__": "mist_site_info",
            "site_id": sid,
            "site_name": name,
            "region": region,
            "org_id": "o1",
            "country_code": "GB",
            "instance": "exporter:9842",
            "job": "mist-wan-exporter",
        },
        "value": [1700000000.0, "1"],
    }
    for sid, name, region in [("s2", "Store 2", "north"), ("s1", "Store 1", "north")]
]


def board(uid: str) -> dict[str, Any]:
    return promql.load_dashboards()[uid]


def test_query_result_variables_take_ids_as_values_via_their_regex() -> None:
    (site,) = [v for v in promql.variables(board("mist-site")) if v.name == "site_id"]
    assert site.promql == 'mist_site_info{org_id=~"$org", region=~"$region"}'
    assert site.values(SITES) == ["s1", "s2"]


def test_the_org_variable_takes_ids_as_values() -> None:
    (org,) = [v for v in promql.variables(board("mist-fleet")) if v.name == "org"]
    assert org.promql == "mist_org_info"
    assert org.values(ORGS) == ["o1"]


def test_label_values_variables_take_the_label() -> None:
    (region,) = [v for v in promql.variables(board("mist-site")) if v.name == "region"]
    assert region.promql == 'mist_site_info{org_id=~"$org"}'
    assert region.values(SITES) == ["north"]


async def test_resolve_variables_in_order_with_all_and_preferred_values() -> None:
    asked: list[str] = []

    async def query(expr: str) -> list[dict[str, Any]]:
        asked.append(expr)
        if expr == "mist_org_info":
            return ORGS
        if expr.startswith("mist_site_info"):
            return SITES
        if expr == "mist_site_sle_ratio":
            return [
                {"metric": {"site_id": "s1", "sle": s}, "value": [0, "1"]}
                for s in ("wan-link-health", "gateway-health")
            ]
        return []

    values = await promql.resolve_variables(query, board("mist-site"), {"site_id": "s2"})
    assert values == {
        "org": "(o1)",
        "region": "(north)",
        "site_id": "s2",
        "sle": "(gateway-health|wan-link-health)",
    }
    assert 'mist_site_info{org_id=~"(o1)", region=~"(north)"}' in asked
    values = await promql.resolve_variables(query, board("mist-circuit"), {"site_id": "s9"})
    assert values["site_id"] == "s1"
    assert values["gateway_mac"] == values["port_id"] == ""


async def test_preferred_values_pick_the_richest_site_its_region_and_busiest_circuit() -> None:
    port = {"site_id": "s2", "gateway_mac": "aa01", "port_id": "ge-0/0/1"}

    async def query(expr: str) -> list[dict[str, Any]]:
        if expr == promql.SITE_PREFERENCES[1]:
            return [{"metric": {"site_id": "s2"}, "value": [0, "3"]}]
        if expr == 'mist_site_info{site_id="s2"}':
            return SITES[:1]
        if expr.startswith("topk(1, mist_wan_port:utilisation:ratio_rate5m"):
            assert 'site_id="s2"' in expr
            return [{"metric": port, "value": [0, "0.5"]}]
        return []

    assert await promql.preferred_values(query) == {
        "site_id": "s2",
        "region": "north",
        "gateway_mac": "aa01",
        "port_id": "ge-0/0/1",
    }


async def test_all_expands_to_an_escaped_alternation() -> None:
    async def query(expr: str) -> list[dict[str, Any]]:
        labels = [{"region": r} for r in ("emea (north)", "apac")]
        return [{"metric": m, "value": [0, "1"]} for m in labels]

    values = await promql.resolve_variables(query, promql.load_dashboards()["mist-alarms"])
    assert values["region"] == r"(apac|emea \\(north\\))"
