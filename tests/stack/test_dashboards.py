"""The provisioned dashboards are consistent: ids, datasource, drill-down links, names not IDs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.stack import promql
from tests.stack.run import REPO

DASHBOARDS = promql.load_dashboards()
EXPECTED = {
    "mist-fleet",
    "mist-region",
    "mist-site",
    "mist-circuit",
    "mist-alarms",
    "mist-exporter",
}
DRILL_DOWN = [
    ("mist-fleet", "mist-region"),
    ("mist-region", "mist-site"),
    ("mist-site", "mist-circuit"),
]
ID_LABELS = ("site_id", "org_id")
# Series whose every use must keep to the chosen orgs (label org_id, or a join on site_id with
# mist_site_info{org_id=~"$org"}); queries of one site ($site_id) are of that site's org.
ORG_SCOPED = re.compile(
    r"\b(mist_site_info|mist_region:\w+|mist_org:\w+|mist_job_\w+|"
    r"mist_api_planned_calls_per_hour|mist_alarm_incidents_total|ALERTS\w*)\b"
)


def links(node: Any) -> Iterator[dict[str, Any]]:
    """Every data or panel link anywhere in a panel (defaults, overrides, panel links)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "links" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, dict) and "url" in v)
            elif key == "value" and isinstance(value, list) and node.get("id") == "links":
                yield from value
            else:
                yield from links(value)
    elif isinstance(node, list):
        for item in node:
            yield from links(item)


def test_the_six_dashboards_exist_with_unique_uids_and_titles() -> None:
    files = sorted((REPO / "grafana" / "dashboards").glob("*.json"))
    assert len(files) == len(DASHBOARDS) == len(EXPECTED)
    assert set(DASHBOARDS) == EXPECTED
    assert len({d["title"] for d in DASHBOARDS.values()}) == len(EXPECTED)


@pytest.mark.parametrize("uid", sorted(EXPECTED))
def test_panel_ids_are_unique_and_panels_fit_the_grid(uid: str) -> None:
    panels = promql.panels(DASHBOARDS[uid])
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    for p in panels:
        grid = p["gridPos"]
        assert grid["x"] + grid["w"] <= 24, p["title"]


def content_panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel except the rows (sections)."""
    return [p for p in promql.panels(board) if p["type"] != "row"]


@pytest.mark.parametrize("uid", sorted(EXPECTED))
def test_every_panel_and_variable_reads_the_datasource_variable(uid: str) -> None:
    board = DASHBOARDS[uid]
    (source,) = [v for v in board["templating"]["list"] if v["type"] == "datasource"]
    assert source["name"] == "datasource"
    assert source["query"] == "prometheus"
    assert source["current"]["value"] == "prometheus"  # the provisioned one by default
    assert board["templating"]["list"][0] is source  # resolved before the query variables
    wanted = {"type": "prometheus", "uid": "${datasource}"}
    found = 0
    for p in content_panels(board):
        assert p["datasource"] == wanted, p["title"]
        for t in p["targets"]:
            assert t["datasource"] == wanted, p["title"]
            found += 1
    for v in board["templating"]["list"]:
        if v["type"] == "query":
            assert v["datasource"] == wanted, v["name"]
    assert found
    requires = {r["id"] for r in board["__requires"]}
    assert {"grafana", "prometheus"} | {p["type"] for p in content_panels(board)} <= requires


@pytest.mark.parametrize("uid", sorted(EXPECTED))
def test_every_panel_has_a_description_and_plugin_version(uid: str) -> None:
    for p in content_panels(DASHBOARDS[uid]):
        description = p.get("description", "")
        assert len(description) >= 40, f"{p['title']}: {description!r}"
        assert description.rstrip().endswith((".", ")")), p["title"]
        assert p.get("pluginVersion"), p["title"]


@pytest.mark.parametrize("uid", sorted(EXPECTED))
def test_panels_are_grouped_in_collapsible_rows(uid: str) -> None:
    board = DASHBOARDS[uid]
    rows = [p for p in board["panels"] if p["type"] == "row"]
    assert len(rows) >= 2
    # Only the simulated-data banner stands above the first row.
    first = board["panels"].index(rows[0])
    assert [p["title"] for p in board["panels"][:first]] == ["Data source"]
    for r in rows:
        assert r["gridPos"]["w"] == 24
        assert r["collapsed"] or r["panels"] == []
        assert not r["collapsed"] or r["panels"]
    # Open rows' panels follow them, below them on the grid.
    for above, below in zip(board["panels"], board["panels"][1:], strict=False):
        assert below["gridPos"]["y"] >= above["gridPos"]["y"], below["title"]


def test_fleet_opens_on_active_problems_sorted_by_severity_then_age() -> None:
    board = DASHBOARDS["mist-fleet"]
    first_row = next(p for p in board["panels"] if p["type"] == "row")
    assert first_row["title"] == "Active problems"
    assert not first_row["collapsed"]
    (table,) = [p for p in content_panels(board) if p["title"] == "Active problems"]
    exprs = [t["expr"] for t in table["targets"]]
    assert all('ALERTS{alertstate="firing"' in e for e in exprs)
    assert any("ALERTS_FOR_STATE" in e for e in exprs)
    assert all("group_left (site_name, region) mist_site_info" in e for e in exprs)
    assert table["options"]["sortBy"] == [
        {"displayName": "Severity", "desc": True},
        {"displayName": "Firing for", "desc": True},
    ]
    urls = {link["url"].split("?")[0] for link in links(table)}
    assert urls == {"/d/mist-site", "/d/mist-region", "/d/mist-circuit"}


def test_fleet_counters_open_the_lists_of_what_they_count() -> None:
    board = DASHBOARDS["mist-fleet"]
    by_id = {p["id"]: p for p in content_panels(board)}
    opened = {}
    for p in promql.panels(board):
        for link in links(p):
            match = re.match(r"/d/mist-fleet\?viewPanel=(\d+)&", link["url"])
            if match:
                opened[p["title"]] = by_id[int(match.group(1))]["title"]
    assert opened == {
        "Problems firing": "Active problems",
        "Degraded sites": "Degraded sites (every one)",
        "Gateways offline": "Gateways offline",
        "Circuits down": "Circuits down",
    }
    (degraded,) = [p for p in promql.panels(board) if p["title"] == "Degraded sites (every one)"]
    assert "bottomk" not in degraded["targets"][0]["expr"]
    assert "topk" not in degraded["targets"][0]["expr"]


@pytest.mark.parametrize("uid", ["mist-site", "mist-circuit"])
def test_a_site_is_picked_by_name_without_choosing_a_region(uid: str) -> None:
    variables = {v["name"]: v for v in DASHBOARDS[uid]["templating"]["list"]}
    region = variables["region"]
    assert region["includeAll"]
    assert region["current"] == {"text": "All", "value": "$__all"}
    assert "(?<text>" in variables["site_id"]["regex"]  # the dropdown searches site names


def test_availability_panels_use_the_availability_thresholds() -> None:
    found = 0
    for board in DASHBOARDS.values():
        for p in promql.panels(board):
            overrides = {
                o["matcher"]["options"]: o for o in p.get("fieldConfig", {}).get("overrides", [])
            }
            for t in p.get("targets", []):
                if "availability:ratio" not in t["expr"]:
                    continue
                if p["type"] == "table":
                    continue  # checked per column below
                steps = p["fieldConfig"]["defaults"]["thresholds"]["steps"]
                assert [s["value"] for s in steps] == [None, 0.995, 0.999], p["title"]
                assert steps[0]["color"] == "red", p["title"]
                found += 1
            for name, override in overrides.items():
                if not name.startswith("availability"):
                    continue
                (steps,) = [
                    prop["value"]["steps"]
                    for prop in override["properties"]
                    if prop["id"] == "thresholds"
                ]
                assert [s["value"] for s in steps] == [None, 0.995, 0.999], p["title"]
                found += 1
    assert found >= 10


def test_the_provisioned_datasource_has_the_fixed_uid() -> None:
    conf = yaml.safe_load((REPO / "grafana/provisioning/datasources/prometheus.yml").read_text())
    (source,) = conf["datasources"]
    assert source["uid"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    provider = yaml.safe_load((REPO / "grafana/provisioning/dashboards/mist-wan.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/etc/grafana/dashboards"


@pytest.mark.parametrize("uid", sorted(EXPECTED))
def test_every_link_points_at_an_existing_dashboard_and_keeps_the_time_range(uid: str) -> None:
    for p in promql.panels(DASHBOARDS[uid]):
        for link in links(p):
            match = re.match(r"/d/([\w-]+)", link["url"])
            assert match, link["url"]
            assert match.group(1) in DASHBOARDS, link["url"]
            assert "${__url_time_range}" in link["url"], link["url"]


@pytest.mark.parametrize(("source", "destination"), DRILL_DOWN)
def test_drill_down_links_carry_the_variables_of_the_destination(
    source: str, destination: str
) -> None:
    wanted = {v["name"] for v in DASHBOARDS[destination]["templating"]["list"]} - {"sle"}
    urls = [
        link["url"]
        for p in promql.panels(DASHBOARDS[source])
        for link in links(p)
        if link["url"].startswith(f"/d/{destination}?")
    ]
    assert urls, f"{source} has no link to {destination}"
    for url in urls:
        carried = set(re.findall(r"var-(\w+)=", url))
        assert carried >= wanted, url


@pytest.mark.parametrize("uid", sorted(EXPECTED))
def test_every_dashboard_says_whether_the_data_is_simulated(uid: str) -> None:
    exprs = [q.expr for q in promql.panel_queries(DASHBOARDS[uid])]
    assert "max(mist_simulated)" in exprs


@pytest.mark.parametrize("uid", sorted(EXPECTED))
def test_tables_hide_ids_behind_names(uid: str) -> None:
    for p in promql.panels(DASHBOARDS[uid]):
        if p["type"] != "table":
            continue
        exprs = " ".join(t["expr"] for t in p["targets"])
        for label in ID_LABELS:
            if not re.search(rf"by \([^)]*\b{label}\b", exprs):
                continue
            hidden = {
                o["matcher"]["options"]
                for o in p["fieldConfig"]["overrides"]
                if {"id": "custom.hidden", "value": True} in o["properties"]
            }
            assert label in hidden, f"{p['title']} shows {label}"
            assert "_name" in exprs, f"{p['title']} has no name next to {label}"


@pytest.mark.parametrize("uid", sorted(EXPECTED))
def test_the_org_is_chosen_first_by_name_among_all_orgs(uid: str) -> None:
    datasource, org, *rest = DASHBOARDS[uid]["templating"]["list"]
    assert datasource["name"] == "datasource"
    assert org["name"] == "org"
    assert org["query"] == "query_result(mist_org_info)"
    assert org["multi"]
    assert org["includeAll"]
    assert org["current"] == {"text": "All", "value": "$__all"}
    for variable in rest:
        if variable["name"] in ("region", "site_id"):
            assert 'org_id=~"$org"' in variable["query"], (uid, variable["name"])


@pytest.mark.parametrize("uid", sorted(EXPECTED))
def test_site_region_fleet_and_job_panels_keep_to_the_chosen_orgs(uid: str) -> None:
    for query in promql.panel_queries(DASHBOARDS[uid]):
        if ORG_SCOPED.search(query.expr) and "$site_id" not in query.expr:
            assert "$org" in query.expr, f"{query.panel} / {query.ref}: {query.expr}"


def test_template_variables_show_names_for_ids() -> None:
    for variable in promql.all_variables():
        if variable.name in ("org", "site_id", "gateway_mac", "port_id"):
            assert "(?<text>" in variable.regex, variable
            assert variable.query.startswith("query_result("), variable


@pytest.mark.parametrize(
    ("metric", "levels"),
    [
        ("mist_wan_port:receive_utilisation:ratio_rate5m", [0.7, 0.8, 0.9]),
        ("mist_wan_port_loss_ratio", [0.001, 0.005, 0.01]),
        ("mist_wan_port_jitter_seconds", [0.01, 0.03, 0.05]),
        ("mist_wan_port_latency_seconds", [0.05, 0.1, 0.15]),
        ("mist_site_sle_ratio", [0.9]),
    ],
)
def test_kpi_panels_use_the_design_thresholds(metric: str, levels: list[float]) -> None:
    found = 0
    for board in DASHBOARDS.values():
        for p in promql.panels(board):
            if p["type"] == "timeseries" and any(
                t["expr"].startswith(metric) for t in p["targets"]
            ):
                steps = p["fieldConfig"]["defaults"]["thresholds"]["steps"]
                assert [s["value"] for s in steps[1:]] == levels, p["title"]
                found += 1
    assert found
