"""Dashboards: drill-down links, template variables, the grid layout and the dashboard itself."""

from __future__ import annotations

from collections.abc import Iterable

from . import Json
from .panels import DS

TAGS = ["mist-wan"]
SCHEMA_VERSION = 39


def link(title: str, uid: str, params: Iterable[str]) -> Json:
    """A data link to dashboard ``uid`` carrying ``params`` and the time range."""
    query = "&".join([*params, "${__url_time_range}"])
    return {"title": title, "url": f"/d/{uid}?{query}"}


def to_region(field: str = "${__data.fields.region}") -> Json:
    """Link to the region dashboard of the row's (or series') region."""
    return link("Open region", "mist-region", [f"var-region={field}"])


def to_site(region: str = "${__data.fields.region}") -> Json:
    """Link to the site dashboard of the row's site."""
    return link(
        "Open site", "mist-site", [f"var-region={region}", "var-site_id=${__data.fields.site_id}"]
    )


def to_circuit(region: str = "${__data.fields.region}") -> Json:
    """Link to the circuit dashboard of the row's WAN port."""
    return link(
        "Open circuit",
        "mist-circuit",
        [
            f"var-region={region}",
            "var-site_id=${__data.fields.site_id}",
            "var-gateway_mac=${__data.fields.gateway_mac}",
            "var-port_id=${__data.fields.port_id}",
        ],
    )


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


REGION_VAR = variable("region", "Region", "label_values(mist_site_info, region)")
REGIONS_VAR = variable(
    "region", "Region", "label_values(mist_site_info, region)", multi=True, include_all=True
)
SITE_VAR = variable(
    "site_id",
    "Site",
    'query_result(mist_site_info{region=~"$region"})',
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


def layout(panels: list[Json]) -> list[Json]:
    """Places panels left to right in rows of 24 columns and numbers them."""
    x = y = row_h = 0
    for i, p in enumerate(panels, start=1):
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if x + w > 24:
            x, y, row_h = 0, y + row_h, 0
        p["gridPos"] = {"x": x, "y": y, "w": w, "h": h}
        p["id"] = i
        x += w
        row_h = max(row_h, h)
    return panels


def dashboard(
    uid: str,
    title: str,
    description: str,
    panels: list[Json],
    variables: list[Json],
    *,
    time_from: str = "now-24h",
) -> Json:
    """A read-only dashboard with the Mist WAN dashboards menu; ``panels`` are laid out."""
    return {
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
        "templating": {"list": variables},
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
        "panels": layout(panels),
    }
