"""Dashboards: drill-down links, template variables, the grid layout and the dashboard itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from . import Json
from .panels import DS, GRAFANA_VERSION

TAGS = ["mist-wan"]
SCHEMA_VERSION = 39
# Where a link takes its values: ``ROW.format(label)`` a table row's field, ``SERIES`` the
# clicked series' label.
ROW = "${{__data.fields.{}}}"
SERIES = "${{__field.labels.{}}}"


def link(title: str, uid: str, params: Iterable[str]) -> Json:
    """A data link to dashboard ``uid`` carrying ``params``, the datasource and the time range.

    The chosen orgs go along unless ``params`` set ``var-org`` themselves.
    """
    params = list(params)
    if not any(p.startswith("var-org=") for p in params):
        params.append("${org:queryparam}")
    query = "&".join([*params, "var-datasource=${datasource}", "${__url_time_range}"])
    return {"title": title, "url": f"/d/{uid}?{query}"}


def to_panel(title: str, uid: str, panel_title: str) -> Json:
    """A link that opens the panel titled ``panel_title`` of dashboard ``uid`` on its own.

    The panel id is filled in by :func:`dashboard` (``uid`` must be the dashboard being built).
    """
    return {
        "title": title,
        "url": f"/d/{uid}?viewPanel=@{panel_title}@&${{__all_variables}}&${{__url_time_range}}",
    }


def _vars(at: str, names: Iterable[str]) -> list[str]:
    """``var-<name>=`` each variable from the row field or series label ``at`` names (the
    ``org`` variable's from ``org_id``)."""
    return [f"var-{name}={at.format('org_id' if name == 'org' else name)}" for name in names]


def to_region(at: str = ROW) -> Json:
    """Link to the region dashboard of the row's (or, with ``SERIES``, the series') region."""
    return link("Open region", "mist-region", _vars(at, ["org", "region"]))


def to_site(at: str = ROW) -> Json:
    """Link to the site dashboard of the row's (or series') site."""
    return link("Open site", "mist-site", _vars(at, ["org", "region", "site_id"]))


def to_circuit(at: str = ROW) -> Json:
    """Link to the circuit dashboard of the row's WAN port."""
    return link(
        "Open circuit",
        "mist-circuit",
        _vars(at, ["org", "region", "site_id", "gateway_mac", "port_id"]),
    )


def to_org(at: str = ROW) -> Json:
    """Link to the Fleet overview of the row's org alone."""
    return link("Open org", "mist-fleet", _vars(at, ["org"]))


def variable(
    name: str,
    label: str,
    query: str,
    *,
    regex: str = "",
    multi: bool = False,
    include_all: bool = False,
) -> Json:
    """A template variable from a Prometheus query, refreshed when the time range changes."""
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DS,
        "query": query,
        "definition": query,
        "regex": regex,
        "refresh": 2,
        "sort": 1,
        "multi": multi,
        "includeAll": include_all,
        "current": {},
        "options": [],
        "hide": 0,
        "skipUrlSync": False,
    }


DATASOURCE_VAR: Json = {
    "name": "datasource",
    "label": "Data source",
    "type": "datasource",
    "query": "prometheus",
    "regex": "",
    "current": {"text": "Prometheus", "value": "prometheus"},
    "options": [],
    "refresh": 1,
    "hide": 0,
    "multi": False,
    "includeAll": False,
    "skipUrlSync": False,
}
ALL: Json = {"text": "All", "value": "$__all"}
# The orgs the exporter polls, by name; every dashboard has it first (after the datasource), and
# every site, region and fleet query keeps to the chosen orgs. Defaults to All.
ORG_VAR = {
    **variable(
        "org",
        "Org",
        "query_result(mist_org_info)",
        regex='/org_id="(?<value>[^"]+)".*org_name="(?<text>[^"]+)"/',
        multi=True,
        include_all=True,
    ),
    "current": ALL,
}
# Regions are the orgs' own site groups: the chosen orgs' regions.
REGIONS_QUERY = 'label_values(mist_site_info{org_id=~"$org"}, region)'
REGION_VAR = variable("region", "Region", REGIONS_QUERY)
REGIONS_VAR = variable("region", "Region", REGIONS_QUERY, multi=True, include_all=True)
# On the site and circuit dashboards the region only narrows the site list: it defaults to
# All, so a site is found by typing its name without choosing a region first.
ANY_REGION_VAR = {**variable("region", "Region", REGIONS_QUERY, include_all=True), "current": ALL}
SITE_VAR = variable(
    "site_id",
    "Site",
    'query_result(mist_site_info{org_id=~"$org", region=~"$region"})',
    regex='/site_id="(?<value>[^"]+)".*site_name="(?<text>[^"]+)"/',
)
GATEWAY_VAR = variable(
    "gateway_mac",
    "Gateway",
    'query_result(mist_gateway_info{site_id="$site_id"})',
    regex='/gateway_mac="(?<value>[^"]+)".*gateway_name="(?<text>[^"]+)"/',
)
PORT_VAR = variable(
    "port_id",
    "Circuit",
    'query_result(mist_wan_port_info{site_id="$site_id", gateway_mac="$gateway_mac"})',
    regex='/port_id="(?<value>[^"]+)".*wan_name="(?<text>[^"]+)"/',
)
SLE_VAR = variable(
    "sle", "SLE metric", "label_values(mist_site_sle_ratio, sle)", multi=True, include_all=True
)


def row(title: str, panels: list[Json], *, collapsed: bool = False) -> Json:
    """A collapsible section holding ``panels``; :func:`layout` places them under it."""
    return {
        "type": "row",
        "title": title,
        "collapsed": collapsed,
        "gridPos": {"w": 24, "h": 1},
        "panels": panels,
    }


def sections(
    panels: list[Json], starts: dict[str, str], *, collapsed: Iterable[str] = ()
) -> list[Json]:
    """Groups ``panels`` into rows, in order.

    A panel whose title is a key of ``starts`` opens the row titled by its value (collapsed when
    that title is in ``collapsed``); panels before the first such panel stay above the rows.
    """
    closed = set(collapsed)
    out: list[Json] = []
    current: Json | None = None
    for p in panels:
        if p["title"] in starts:
            title = starts[p["title"]]
            current = row(title, [], collapsed=title in closed)
            out.append(current)
        if current is None:
            out.append(p)
        else:
            current["panels"].append(p)
    missing = set(starts) - {p["title"] for p in panels}
    if missing:
        raise KeyError(f"no panel titled {sorted(missing)}")
    return out


class _Grid:
    """Places panels left to right in rows of 24 columns and numbers them."""

    def __init__(self) -> None:
        self.x = self.y = self.line_h = 0
        self.next_id = 1

    def newline(self) -> None:
        self.x, self.y, self.line_h = 0, self.y + self.line_h, 0

    def place(self, p: Json) -> None:
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if self.x + w > 24:
            self.newline()
        p["gridPos"] = {"x": self.x, "y": self.y, "w": w, "h": h}
        p["id"] = self.next_id
        self.next_id += 1
        self.x += w
        self.line_h = max(self.line_h, h)


def layout(items: list[Json]) -> list[Json]:
    """Lays out panels and rows: an open row's panels follow it, a collapsed row holds them."""
    grid = _Grid()
    out: list[Json] = []
    for item in items:
        if item["type"] != "row":
            grid.place(item)
            out.append(item)
            continue
        children: list[Json] = item["panels"]
        grid.newline()
        grid.place(item)
        grid.newline()
        row_end = grid.y
        for child in children:
            grid.place(child)
        if item["collapsed"]:
            grid.x, grid.y, grid.line_h = 0, row_end, 0
            out.append(item)
        else:
            item["panels"] = []
            out.extend([item, *children])
    return out


def _resolve_panel_links(board: Json) -> Json:
    """Replaces the ``viewPanel=@title@`` placeholders of :func:`to_panel` by panel ids."""
    ids: dict[str, int] = {}
    for p in board["panels"]:
        for q in [p, *p.get("panels", [])]:
            ids[q["title"]] = q["id"]
    text = re.sub(
        r"viewPanel=@([^@]+)@", lambda m: f"viewPanel={ids[m.group(1)]}", json.dumps(board)
    )
    resolved: Json = json.loads(text)
    return resolved


def _requires(panels: list[Json]) -> list[Json]:
    """What an import into another Grafana needs: Grafana, Prometheus and the panel plugins."""
    kinds = sorted({q["type"] for p in panels for q in [p, *p.get("panels", [])]} - {"row"})
    return [
        {"type": "grafana", "id": "grafana", "name": "Grafana", "version": GRAFANA_VERSION},
        {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"},
        *({"type": "panel", "id": k, "name": k, "version": ""} for k in kinds),
    ]


def dashboard(
    uid: str,
    title: str,
    description: str,
    panels: list[Json],
    variables: list[Json],
    *,
    time_from: str = "now-24h",
) -> Json:
    """A read-only dashboard with the Mist WAN dashboards menu; ``panels`` are laid out.

    The ``datasource`` variable comes first, so that every panel and variable can use it, then
    ``org``, which the other variables and the panels filter on.
    """
    laid_out = layout(panels)
    board: Json = {
        "__requires": _requires(laid_out),
        "uid": uid,
        "title": title,
        "description": description,
        "tags": TAGS,
        "timezone": "browser",
        "editable": False,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "refresh": "1m",
        "time": {"from": time_from, "to": "now"},
        "timepicker": {},
        "templating": {"list": [DATASOURCE_VAR, ORG_VAR, *variables]},
        "annotations": {"list": []},
        "links": [
            {
                "type": "dashboards",
                "title": "Mist WAN",
                "tags": TAGS,
                "asDropdown": True,
                "includeVars": False,
                "keepTime": True,
            }
        ],
        "panels": laid_out,
    }
    return _resolve_panel_links(board)
