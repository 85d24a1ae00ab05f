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
ID_LABELS = ("site_id",)


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


@pytest.mark.parametrize("uid", sorted(EXPECTED))
def test_every_datasource_is_the_provisioned_prometheus(uid: str) -> None:
    board = DASHBOARDS[uid]
    found = 0
    for p in promql.panels(board):
        assert p["datasource"]["uid"] == "prometheus", p["title"]
        for t in p["targets"]:
            assert t["datasource"]["uid"] == "prometheus", p["title"]
            found += 1
    for v in board["templating"]["list"]:
        assert v["datasource"]["uid"] == "prometheus", v["name"]
    assert found


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


def test_template_variables_show_names_for_ids() -> None:
    for variable in promql.all_variables():
        if variable.name in ("site_id", "gateway_mac", "port_id"):
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
