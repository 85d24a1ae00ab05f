"""Writes the provisioned Grafana dashboards of grafana/dashboards/ from the definitions below.

Run ``python grafana/build_dashboards.py`` after changing a definition; ``--check`` exits 1 when
a committed JSON file differs from what this script generates (the stack tests run it).
Names come from the ``*_info`` series; drill-down links carry the variables and the time range.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards"
DS = {"type": "prometheus", "uid": "prometheus"}
TAGS = ["mist-wan"]
SCHEMA_VERSION = 39

SITE_JOIN = "* on (site_id) group_left (site_name, region) mist_site_info"
PORT_JOIN = (
    "* on (site_id, gateway_mac, port_id) group_left (wan_name, wan_type) mist_wan_port_info"
)
GW_JOIN = "* on (site_id, gateway_mac) group_left (gateway_name) mist_gateway_info"
PORT_SEL = 'site_id="$site_id", gateway_mac="$gateway_mac", port_id="$port_id"'

Json = dict[str, Any]

# Thresholds of DESIGN.md section 7 (base units: ratios and seconds).
UTILISATION = (0.7, 0.8, 0.9)
LOSS = (0.001, 0.005, 0.01)
JITTER = (0.01, 0.03, 0.05)
LATENCY = (0.05, 0.1, 0.15)
SLE_DEGRADED = 0.9


def steps(levels: Iterable[float]) -> Json:
    """Green below the first level, then yellow, orange, red."""
    colours = ["yellow", "orange", "red"]
    return {
        "mode": "absolute",
        "steps": [{"color": "green", "value": None}]
        + [{"color": c, "value": v} for c, v in zip(colours, levels, strict=True)],
    }


def sle_steps() -> Json:
    return {
        "mode": "absolute",
        "steps": [{"color": "red", "value": None}, {"color": "green", "value": SLE_DEGRADED}],
    }


def bad_above(level: float) -> Json:
    return {
        "mode": "absolute",
        "steps": [{"color": "green", "value": None}, {"color": "red", "value": level}],
    }


def single(colour: str) -> Json:
    return {"mode": "absolute", "steps": [{"color": colour, "value": None}]}


UP_MAPPING = [
    {
        "type": "value",
        "options": {
            "0": {"text": "down", "color": "red", "index": 0},
            "1": {"text": "up", "color": "green", "index": 1},
        },
    }
]
ACTIVE_MAPPING = [
    {
        "type": "value",
        "options": {
            "0": {"text": "standby", "color": "blue", "index": 0},
            "1": {"text": "active", "color": "green", "index": 1},
        },
    }
]


def link(title: str, uid: str, params: Iterable[str]) -> Json:
    """A data link to dashboard ``uid`` carrying ``params`` and the time range."""
    query = "&".join([*params, "${__url_time_range}"])
    return {"title": title, "url": f"/d/{uid}?{query}"}


def to_region(field: str = "${__data.fields.region}") -> Json:
    return link("Open region", "mist-region", [f"var-region={field}"])


def to_site(region: str = "${__data.fields.region}") -> Json:
    return link(
        "Open site", "mist-site", [f"var-region={region}", "var-site_id=${__data.fields.site_id}"]
    )


def to_circuit(region: str = "${__data.fields.region}") -> Json:
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


def target(expr: str, legend: str = "", *, ref: str = "A", fmt: str = "time_series") -> Json:
    t: Json = {"datasource": DS, "refId": ref, "expr": expr, "legendFormat": legend or "__auto"}
    if fmt == "table":
        t.update(format="table", instant=True, range=False)
    elif fmt == "instant":
        t.update(instant=True, range=False)
    elif fmt == "heatmap":
        t.update(format="heatmap", instant=True, range=False)
    else:
        t.update(range=True)
    return t


def panel(
    kind: str,
    title: str,
    targets: list[Json],
    *,
    w: int,
    h: int,
    unit: str = "short",
    thresholds: Json | None = None,
    description: str = "",
    options: Json | None = None,
    custom: Json | None = None,
    mappings: list[Json] | None = None,
    links: list[Json] | None = None,
    overrides: list[Json] | None = None,
    transformations: list[Json] | None = None,
    extra: Json | None = None,
) -> Json:
    defaults: Json = {
        "unit": unit,
        "thresholds": thresholds or single("green"),
        "mappings": mappings or [],
        "color": {"mode": "thresholds"},
    }
    if custom is not None:
        defaults["custom"] = custom
    if links:
        defaults["links"] = links
    p: Json = {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "gridPos": {"w": w, "h": h},
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
        "options": options or {},
    }
    if transformations:
        p["transformations"] = transformations
    if extra:
        p.update(extra)
    return p


def stat(
    title: str,
    expr: str,
    *,
    unit: str = "short",
    thresholds: Json | None = None,
    w: int = 3,
    h: int = 4,
    legend: str = "",
    text_mode: str = "value",
    mappings: list[Json] | None = None,
    description: str = "",
    links: list[Json] | None = None,
    decimals: int | None = None,
) -> Json:
    p = panel(
        "stat",
        title,
        [target(expr, legend, fmt="instant")],
        w=w,
        h=h,
        unit=unit,
        thresholds=thresholds,
        mappings=mappings,
        description=description,
        links=links,
        options={
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "value" if text_mode == "value" else "none",
            "graphMode": "none",
            "textMode": text_mode,
            "justifyMode": "auto",
            "orientation": "auto",
        },
    )
    if decimals is not None:
        p["fieldConfig"]["defaults"]["decimals"] = decimals
    return p


def timeseries(
    title: str,
    targets: list[Json],
    *,
    unit: str = "short",
    thresholds: Json | None = None,
    w: int = 12,
    h: int = 8,
    description: str = "",
    links: list[Json] | None = None,
    min_max: tuple[float, float] | None = None,
    bars: bool = False,
) -> Json:
    custom: Json = {
        "drawStyle": "bars" if bars else "line",
        "lineWidth": 1,
        "fillOpacity": 10,
        "showPoints": "never",
        "spanNulls": False,
        "thresholdsStyle": {"mode": "line+area" if thresholds else "off"},
    }
    p = panel(
        "timeseries",
        title,
        targets,
        w=w,
        h=h,
        unit=unit,
        thresholds=thresholds,
        description=description,
        custom=custom,
        links=links,
        options={
            "legend": {"displayMode": "table", "placement": "right", "calcs": ["lastNotNull"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    )
    p["fieldConfig"]["defaults"]["color"] = {"mode": "palette-classic"}
    if min_max is not None:
        p["fieldConfig"]["defaults"].update(min=min_max[0], max=min_max[1])
    return p


def bargauge(
    title: str,
    expr: str,
    legend: str,
    *,
    unit: str = "short",
    thresholds: Json | None = None,
    w: int = 8,
    h: int = 8,
    fmt: str = "instant",
    description: str = "",
    links: list[Json] | None = None,
    min_max: tuple[float, float] | None = None,
) -> Json:
    p = panel(
        "bargauge",
        title,
        [target(expr, legend, fmt=fmt)],
        w=w,
        h=h,
        unit=unit,
        thresholds=thresholds,
        description=description,
        links=links,
        options={
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "orientation": "horizontal",
            "displayMode": "gradient",
            "showUnfilled": True,
        },
    )
    if min_max is not None:
        p["fieldConfig"]["defaults"].update(min=min_max[0], max=min_max[1])
    return p


def column(
    name: str,
    display: str,
    *,
    unit: str | None = None,
    thresholds: Json | None = None,
    mappings: list[Json] | None = None,
    links: list[Json] | None = None,
    hidden: bool = False,
    cell: str | None = None,
) -> Json:
    """A table field override: display name, unit, colouring, links, hiding."""
    props: list[Json] = [{"id": "displayName", "value": display}]
    if unit:
        props.append({"id": "unit", "value": unit})
    if thresholds:
        props.append({"id": "thresholds", "value": thresholds})
    if mappings:
        props.append({"id": "mappings", "value": mappings})
    if links:
        props.append({"id": "links", "value": links})
    if hidden:
        props.append({"id": "custom.hidden", "value": True})
    if cell:
        props.append({"id": "custom.cellOptions", "value": {"type": cell}})
    return {"matcher": {"id": "byName", "options": name}, "properties": props}


def table(
    title: str,
    queries: list[tuple[str, str]],
    columns: list[Json],
    *,
    w: int = 24,
    h: int = 10,
    description: str = "",
    sort_by: str | None = None,
    descending: bool = False,
) -> Json:
    """An instant table; several queries with the same labels are merged into one row per series.

    ``queries`` are (expr, value column name); each value column is named by its refId's title.
    """
    targets = [
        target(expr, fmt="table", ref=chr(ord("A") + i)) for i, (expr, _) in enumerate(queries)
    ]
    renames = {
        ("Value" if len(queries) == 1 else f"Value #{chr(ord('A') + i)}"): name
        for i, (_, name) in enumerate(queries)
    }
    transformations: list[Json] = []
    if len(queries) > 1:
        transformations.append({"id": "merge", "options": {}})
    transformations.append(
        {
            "id": "organize",
            "options": {
                "excludeByName": {"Time": True, "__name__": True, "instance": True, "job": True},
                "renameByName": renames,
            },
        }
    )
    options: Json = {"showHeader": True, "cellHeight": "sm", "footer": {"show": False}}
    if sort_by:
        options["sortBy"] = [{"displayName": sort_by, "desc": descending}]
    return panel(
        "table",
        title,
        targets,
        w=w,
        h=h,
        description=description,
        custom={"align": "auto", "filterable": True, "cellOptions": {"type": "auto"}},
        overrides=columns,
        transformations=transformations,
        options=options,
    )


def simulated_banner() -> Json:
    """Full-width notice that tells whether the data comes from the built-in simulator."""
    mappings = [
        {
            "type": "value",
            "options": {
                "1": {
                    "text": "SIMULATED DATA: the exporter polls the built-in Mist simulator, "
                    "not a Mist org (set MIST_APITOKEN and MIST_HOST to go live)",
                    "color": "orange",
                    "index": 0,
                },
                "0": {"text": "Live data from the Mist cloud", "color": "green", "index": 1},
            },
        }
    ]
    p = stat(
        "Data source",
        "max(mist_simulated)",
        w=24,
        h=2,
        mappings=mappings,
        description="mist_simulated is 1 when the exporter talks to the built-in simulator.",
    )
    p["options"].update(colorMode="background", textMode="value")
    return p


def variable(
    name: str,
    label: str,
    query: str,
    *,
    regex: str = "",
    multi: bool = False,
    include_all: bool = False,
    hide: int = 0,
) -> Json:
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
        "hide": hide,
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


def top_circuits(
    title: str, metric: str, display: str, where: str, *, unit: str, thresholds: Json
) -> Json:
    """The 10 circuits with the highest ``metric``, named, linking to site and circuit."""
    labels = "site_id, site_name, region, gateway_mac, port_id, wan_name, wan_type"
    expr = f"topk(10, max by ({labels}) ({metric} {PORT_JOIN} {SITE_JOIN}{where}))"
    return table(
        title,
        [(expr, "value")],
        [
            column("site_id", "site id", hidden=True),
            column("gateway_mac", "gateway", hidden=True),
            column("port_id", "port", hidden=True),
            column("site_name", "Site", links=[to_site()]),
            column("region", "Region"),
            column("wan_name", "Circuit", links=[to_circuit()]),
            column("wan_type", "Type"),
            column("value", display, unit=unit, thresholds=thresholds, cell="color-background"),
        ],
        w=12,
        sort_by=display,
        descending=True,
    )


def busiest_and_flapping(where: str) -> list[Json]:
    return [
        top_circuits(
            "Top 10 circuits by utilisation",
            "mist_wan_port:utilisation:ratio_rate5m",
            "Utilisation (busier direction, 5m)",
            where,
            unit="percentunit",
            thresholds=steps(UTILISATION),
        ),
        top_circuits(
            "Top 10 flapping circuits (24h)",
            "mist_wan_port:flaps:changes24h",
            "Flaps (24h)",
            where,
            unit="short",
            thresholds=steps((1, 3, 10)),
        ),
    ]


def peer_paths_table(title: str, selector: str) -> Json:
    """Peer paths matching ``selector`` with gateway and circuit names, role and quality."""
    labels = "site_id, gateway_mac, gateway_name, port_id, wan_name, peer_mac, peer_port_id"
    join = (
        f"* on (site_id, gateway_mac, port_id) group_left (wan_name) mist_wan_port_info {GW_JOIN}"
    )

    def path(metric: str) -> str:
        return f"max by ({labels}) ({metric}{{{selector}}} {join})"

    return table(
        title,
        [
            (path("mist_vpn_peer_path_up"), "up"),
            (path("mist_vpn_peer_path_active"), "active"),
            (path("mist_vpn_peer_path_latency_seconds"), "latency"),
            (path("mist_vpn_peer_path_jitter_seconds"), "jitter"),
            (path("mist_vpn_peer_path_loss_ratio"), "loss"),
            (path("mist_vpn_peer_path_mos"), "mos"),
        ],
        [
            column("site_id", "site id", hidden=True),
            column("gateway_mac", "gateway", hidden=True),
            column("port_id", "port", hidden=True),
            column("gateway_name", "Gateway"),
            column("wan_name", "Circuit"),
            column("peer_mac", "Peer (hub) MAC"),
            column("peer_port_id", "Peer port"),
            column("up", "State", mappings=UP_MAPPING, cell="color-text"),
            column("active", "Role", mappings=ACTIVE_MAPPING, cell="color-text"),
            column("latency", "Latency", unit="s", thresholds=steps(LATENCY), cell="color-text"),
            column("jitter", "Jitter", unit="s", thresholds=steps(JITTER), cell="color-text"),
            column("loss", "Loss", unit="percentunit", thresholds=steps(LOSS), cell="color-text"),
            column("mos", "MOS"),
        ],
        h=8,
    )


def fleet() -> Json:
    panels = [
        simulated_banner(),
        stat("Sites", "sum(mist_region:sites:count)"),
        stat(
            "Gateways online",
            "sum(mist_region:gateways_up:sum) / sum(mist_region:gateways:count)",
            unit="percentunit",
            thresholds={
                "mode": "absolute",
                "steps": [
                    {"color": "red", "value": None},
                    {"color": "orange", "value": 0.95},
                    {"color": "green", "value": 0.99},
                ],
            },
        ),
        stat(
            "Degraded sites",
            "count(min by (site_id) (mist_site_sle_ratio) < 0.9) or vector(0)",
            thresholds=bad_above(1),
            description="Sites with at least one WAN SLE metric below 90 %.",
        ),
        stat("Alarms (24h)", "sum(mist_alarms) or vector(0)", thresholds=single("blue")),
        stat(
            "Critical alarms (24h)",
            'sum(mist_alarms{severity="critical"}) or vector(0)',
            thresholds=bad_above(1),
        ),
        stat(
            "Circuits down",
            "sum(mist_region:wan_ports:count) - sum(mist_region:wan_ports_up:sum)",
            thresholds=bad_above(1),
        ),
        stat(
            "Congested circuits",
            "sum(mist_region:wan_ports_congested:sum)",
            thresholds=bad_above(1),
            description="Circuits above 80 % utilisation (busier direction, 5 minutes).",
        ),
        stat(
            "Mist API polling",
            "min(mist_up)",
            mappings=[
                {
                    "type": "value",
                    "options": {
                        "0": {"text": "failing", "color": "red", "index": 0},
                        "1": {"text": "ok", "color": "green", "index": 1},
                    },
                }
            ],
            links=[link("Exporter health", "mist-exporter", [])],
        ),
        bargauge(
            "SLE per metric (site-weighted)",
            "mist_org:site_sle:ratio",
            "{{sle}}",
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
            description="Sum of site scores / number of sites, per WAN SLE metric (1 hour).",
        ),
        bargauge(
            "SLE per metric (user-minute weighted)",
            "mist_org:sle_minutes:ratio",
            "{{sle}}",
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
            description="1 - degraded / total user-minutes over the deep-dived sites.",
        ),
        bargauge(
            "Degraded sites per SLE metric",
            "mist_org:sites_sle_degraded:sum",
            "{{sle}}",
            thresholds=bad_above(1),
        ),
        timeseries(
            "SLE trend per metric",
            [target("mist_org:site_sle:ratio", "{{sle}}")],
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
        ),
        timeseries(
            "SLE by region",
            [target('mist_region:site_sle:ratio{sle=~"$sle"}', "{{region}} {{sle}}")],
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
            links=[to_region("${__field.labels.region}")],
        ),
        table(
            "Regions",
            [
                ("mist_region:sites:count", "sites"),
                ("mist_region:gateways_up:sum / mist_region:gateways:count", "gateways"),
                ("mist_region:wan_ports:count - mist_region:wan_ports_up:sum", "down"),
                ("mist_region:wan_ports_congested:sum", "congested"),
                (
                    'sum by (region) (mist_region:sites_sle_degraded:sum{sle=~"$sle"})',
                    "degraded",
                ),
                (
                    'sum by (region) (mist_region:alarms:sum{severity="critical"})',
                    "critical",
                ),
            ],
            [
                column("region", "Region", links=[to_region()]),
                column("sites", "Sites"),
                column(
                    "gateways",
                    "Gateways online",
                    unit="percentunit",
                    thresholds={
                        "mode": "absolute",
                        "steps": [
                            {"color": "red", "value": None},
                            {"color": "green", "value": 0.99},
                        ],
                    },
                    cell="color-text",
                ),
                column("down", "Circuits down", thresholds=bad_above(1), cell="color-text"),
                column(
                    "congested", "Congested circuits", thresholds=bad_above(1), cell="color-text"
                ),
                column(
                    "degraded", "Degraded site SLEs", thresholds=bad_above(1), cell="color-text"
                ),
                column(
                    "critical", "Critical alarms (24h)", thresholds=bad_above(1), cell="color-text"
                ),
            ],
            w=12,
            sort_by="Region",
        ),
        table(
            "Worst sites",
            [
                (
                    "bottomk(20, min by (site_id, site_name, region, sle) "
                    f'(mist_site_sle_ratio{{sle=~"$sle"}} {SITE_JOIN}))',
                    "sle_value",
                )
            ],
            [
                column("site_id", "site id", hidden=True),
                column("site_name", "Site", links=[to_site()]),
                column("region", "Region", links=[to_region()]),
                column("sle", "SLE metric"),
                column(
                    "sle_value",
                    "SLE (1h)",
                    unit="percentunit",
                    thresholds=sle_steps(),
                    cell="color-background",
                ),
            ],
            w=12,
            sort_by="SLE (1h)",
        ),
        *busiest_and_flapping(""),
    ]
    return dashboard(
        "mist-fleet",
        "Mist WAN / Fleet overview",
        "Sites, gateways, circuits, SLEs and alarms of the whole org; drill down by region.",
        panels,
        [SLE_VAR],
    )


def region() -> Json:
    r = '{region="$region"}'
    in_region = 'mist_site_info{region="$region"}'
    site_labels = "site_id, site_name, country_code"
    site_join = f"* on (site_id) group_left (site_name, country_code) {in_region}"
    port_labels = "site_id, site_name, region, gateway_mac, port_id, wan_name, wan_type"

    def region_port(metric: str) -> str:
        return f'max by ({port_labels}) ({metric} {PORT_JOIN} {SITE_JOIN}{{region="$region"}})'

    panels = [
        simulated_banner(),
        stat("Sites", f"sum(mist_region:sites:count{r})"),
        stat(
            "Gateways online",
            f"sum(mist_region:gateways_up:sum{r}) / sum(mist_region:gateways:count{r})",
            unit="percentunit",
            thresholds={
                "mode": "absolute",
                "steps": [{"color": "red", "value": None}, {"color": "green", "value": 0.99}],
            },
        ),
        stat(
            "Degraded sites",
            "count(min by (site_id) (mist_site_sle_ratio * on (site_id) group_left () "
            f"{in_region}) < 0.9) or vector(0)",
            thresholds=bad_above(1),
        ),
        stat(
            "Alarms (24h)",
            f"sum(mist_region:alarms:sum{r}) or vector(0)",
            thresholds=single("blue"),
        ),
        stat(
            "Critical alarms (24h)",
            'sum(mist_region:alarms:sum{region="$region", severity="critical"}) or vector(0)',
            thresholds=bad_above(1),
        ),
        stat(
            "Circuits down",
            f"sum(mist_region:wan_ports:count{r}) - sum(mist_region:wan_ports_up:sum{r})",
            thresholds=bad_above(1),
        ),
        stat(
            "Congested circuits",
            f"sum(mist_region:wan_ports_congested:sum{r})",
            thresholds=bad_above(1),
        ),
        stat(
            "Back to fleet",
            "count(mist_site_info)",
            legend="all sites",
            text_mode="value_and_name",
            links=[link("Fleet overview", "mist-fleet", [])],
        ),
        bargauge(
            "SLE per metric (site-weighted)",
            'mist_region:site_sle:ratio{region="$region", sle=~"$sle"}',
            "{{sle}}",
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
            w=6,
        ),
        bargauge(
            "SLE per metric (user-minute weighted)",
            'mist_region:sle_minutes:ratio{region="$region", sle=~"$sle"}',
            "{{sle}}",
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
            description="1 - degraded / total user-minutes over the region's deep-dived sites.",
            w=6,
        ),
        timeseries(
            "SLE trend per metric",
            [target('mist_region:site_sle:ratio{region="$region", sle=~"$sle"}', "{{sle}}")],
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
            w=6,
        ),
        timeseries(
            "Degraded sites per metric",
            [
                target(
                    'mist_region:sites_sle_degraded:sum{region="$region", sle=~"$sle"}', "{{sle}}"
                )
            ],
            w=6,
        ),
        table(
            "Sites",
            [
                (
                    f'min by ({site_labels}) (mist_site_sle_ratio{{sle=~"$sle"}} {site_join})',
                    "sle",
                ),
                (f"sum by ({site_labels}) (mist_gateway_up {site_join})", "gw_up"),
                (f"count by ({site_labels}) (mist_gateway_up {site_join})", "gw"),
                (f"sum by ({site_labels}) (mist_wan_port_up {site_join})", "ports_up"),
                (
                    f"count by ({site_labels}) (mist_wan_port_up {site_join}) - "
                    f"sum by ({site_labels}) (mist_wan_port_up {site_join})",
                    "ports_down",
                ),
                (
                    f'sum by ({site_labels}) (mist_alarms{{severity="critical"}} {site_join})',
                    "critical",
                ),
            ],
            [
                column("site_id", "site id", hidden=True),
                column("site_name", "Site", links=[to_site("$region")]),
                column("country_code", "Country"),
                column(
                    "sle",
                    "Lowest SLE",
                    unit="percentunit",
                    thresholds=sle_steps(),
                    cell="color-background",
                ),
                column("gw_up", "Gateways up"),
                column("gw", "Gateways"),
                column("ports_up", "Circuits up"),
                column("ports_down", "Circuits down", thresholds=bad_above(1), cell="color-text"),
                column(
                    "critical", "Critical alarms (24h)", thresholds=bad_above(1), cell="color-text"
                ),
            ],
            h=12,
            sort_by="Lowest SLE",
        ),
        *busiest_and_flapping(' * on (site_id) group_left () mist_site_info{region="$region"}'),
        table(
            "Circuits (down first)",
            [
                (region_port("mist_wan_port_up"), "up"),
                (region_port("mist_wan_port:utilisation:ratio_rate5m"), "utilisation"),
                (region_port("mist_wan_port:flaps:changes24h"), "flaps"),
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "gateway", hidden=True),
                column("port_id", "port", hidden=True),
                column("region", "region", hidden=True),
                column("site_name", "Site", links=[to_site()]),
                column("wan_name", "Circuit", links=[to_circuit()]),
                column("wan_type", "Type"),
                column("up", "State", mappings=UP_MAPPING, cell="color-text"),
                column(
                    "utilisation",
                    "Utilisation",
                    unit="percentunit",
                    thresholds=steps(UTILISATION),
                    cell="color-text",
                ),
                column("flaps", "Flaps (24h)", thresholds=steps((1, 3, 10)), cell="color-text"),
            ],
            sort_by="State",
        ),
    ]
    return dashboard(
        "mist-region",
        "Mist WAN / Region",
        "One region (site group): its SLEs, sites and circuits; drill down to a site.",
        panels,
        [REGION_VAR, SLE_VAR],
    )


def site() -> Json:
    s = 'site_id="$site_id"'
    gw_labels = "site_id, gateway_mac, gateway_name, model, version"
    gw_join = (
        "* on (site_id, gateway_mac) group_left (gateway_name, model, version) mist_gateway_info"
    )
    port_labels = "site_id, gateway_mac, gateway_name, port_id, wan_name, wan_type"
    port_join = f"{PORT_JOIN} {GW_JOIN}"

    def port(metric: str) -> str:
        return f"max by ({port_labels}) ({metric}{{{s}}} {port_join})"

    distribution = bargauge(
        "SLE distribution: $sle",
        f'mist_site_sle_distribution_bucket{{{s}, sle=~"$sle"}}',
        "{{le}}",
        fmt="heatmap",
        w=8,
        description="Mist's histogram of the SLE metric's measurements (count per bucket).",
    )
    distribution.update(repeat="sle", repeatDirection="h", maxPerRow=3)
    panels = [
        simulated_banner(),
        stat(
            "Site",
            f"mist_site_info{{{s}}}",
            legend="{{site_name}} ({{region}}, {{country_code}})",
            text_mode="name",
            w=9,
            links=[link("Open region", "mist-region", ["var-region=$region"])],
        ),
        stat(
            "Gateways up",
            f"sum(mist_gateway_up{{{s}}})",
            legend="up",
            w=3,
        ),
        stat(
            "Gateways down",
            f"count(mist_gateway_up{{{s}}} == 0) or vector(0)",
            thresholds=bad_above(1),
        ),
        stat(
            "Circuits down",
            f"count(mist_wan_port_up{{{s}}} == 0) or vector(0)",
            thresholds=bad_above(1),
        ),
        stat(
            "Critical alarms (24h)",
            f'sum(mist_alarms{{{s}, severity="critical"}}) or vector(0)',
            thresholds=bad_above(1),
        ),
        stat(
            "Last deep-dive",
            f"mist_site_sle_deep_dive_timestamp_seconds{{{s}}} * 1000",
            unit="dateTimeFromNow",
            thresholds=single("blue"),
        ),
        timeseries(
            "SLE per metric",
            [target(f'mist_site_sle_ratio{{{s}, sle=~"$sle"}}', "{{sle}}")],
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
        ),
        bargauge(
            "Classifier breakdown (degraded user-minutes)",
            f'sort_desc(mist_site_sle_classifier_degraded_minutes{{{s}, sle=~"$sle"}} > 0)',
            "{{sle}}: {{classifier}}",
            thresholds=single("orange"),
            w=12,
            description="Where the degraded minutes of the deep-dive window went.",
        ),
        table(
            "SLE deep-dive",
            [
                (f'max by (sle) (mist_site_sle_total_minutes{{{s}, sle=~"$sle"}})', "total"),
                (f'max by (sle) (mist_site_sle_degraded_minutes{{{s}, sle=~"$sle"}})', "degraded"),
                (
                    f'max by (sle) (1 - mist_site_sle_degraded_minutes{{{s}, sle=~"$sle"}} '
                    f'/ (mist_site_sle_total_minutes{{{s}, sle=~"$sle"}} > 0))',
                    "ratio",
                ),
                (f'max by (sle) (mist_site_sle_threshold{{{s}, sle=~"$sle"}})', "threshold"),
            ],
            [
                column("sle", "SLE metric"),
                column("total", "Total user-minutes"),
                column("degraded", "Degraded user-minutes"),
                column(
                    "ratio",
                    "SLE (deep-dive window)",
                    unit="percentunit",
                    thresholds=sle_steps(),
                    cell="color-background",
                ),
                column("threshold", "Mist threshold"),
            ],
            w=12,
            h=8,
        ),
        table(
            "Impacted gateways",
            [
                (
                    "max by (sle, site_id, gateway_mac, gateway_name) "
                    "(mist_site_sle_impacted_gateway_degraded_minutes"
                    f'{{{s}, sle=~"$sle"}} {GW_JOIN})',
                    "minutes",
                )
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "MAC", hidden=True),
                column("sle", "SLE metric"),
                column("gateway_name", "Gateway"),
                column("minutes", "Degraded user-minutes", thresholds=single("orange")),
            ],
            w=12,
            h=8,
            sort_by="Degraded user-minutes",
            descending=True,
        ),
        distribution,
        table(
            "Impacted interfaces",
            [
                (
                    "max by (sle, site_id, gateway_mac, gateway_name, interface) "
                    "(mist_site_sle_impacted_interface_degraded_minutes"
                    f'{{{s}, sle=~"$sle"}} {GW_JOIN})',
                    "minutes",
                )
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "MAC", hidden=True),
                column("sle", "SLE metric"),
                column("gateway_name", "Gateway"),
                column("interface", "Interface"),
                column("minutes", "Degraded user-minutes", thresholds=single("orange")),
            ],
            w=24,
            h=8,
            sort_by="Degraded user-minutes",
            descending=True,
        ),
        table(
            "Gateways",
            [
                (f"max by ({gw_labels}) (mist_gateway_up{{{s}}} {gw_join})", "up"),
                (f"max by ({gw_labels}) (mist_gateway_uptime_seconds{{{s}}} {gw_join})", "uptime"),
                (f"max by ({gw_labels}) (mist_gateway_cpu_ratio{{{s}}} {gw_join})", "cpu"),
                (f"max by ({gw_labels}) (mist_gateway_memory_ratio{{{s}}} {gw_join})", "memory"),
                (
                    f"max by ({gw_labels}) (mist_gateway:availability:ratio_24h{{{s}}} {gw_join})",
                    "availability",
                ),
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "MAC"),
                column("gateway_name", "Gateway"),
                column("model", "Model"),
                column("version", "Firmware"),
                column("up", "State", mappings=UP_MAPPING, cell="color-text"),
                column("uptime", "Uptime", unit="s"),
                column(
                    "cpu",
                    "CPU",
                    unit="percentunit",
                    thresholds=steps(UTILISATION),
                    cell="color-text",
                ),
                column(
                    "memory",
                    "Memory",
                    unit="percentunit",
                    thresholds=steps(UTILISATION),
                    cell="color-text",
                ),
                column("availability", "Availability (24h)", unit="percentunit"),
            ],
            h=6,
        ),
        table(
            "WAN circuits",
            [
                (port("mist_wan_port_up"), "up"),
                (port("mist_wan_port_speed_bytes_per_second") + " * 8", "speed"),
                (port("mist_wan_port:utilisation:ratio_rate5m"), "utilisation"),
                (port("mist_wan_port_loss_ratio"), "loss"),
                (port("mist_wan_port_jitter_seconds"), "jitter"),
                (port("mist_wan_port_latency_seconds"), "latency"),
                (port("mist_wan_port:availability:ratio_24h"), "availability"),
                (port("mist_wan_port:congested:ratio_24h"), "congested"),
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "gateway", hidden=True),
                column("gateway_name", "Gateway"),
                column("port_id", "Port"),
                column("wan_name", "Circuit", links=[to_circuit("$region")]),
                column("wan_type", "Type"),
                column("up", "State", mappings=UP_MAPPING, cell="color-text"),
                column("speed", "Speed", unit="bps"),
                column(
                    "utilisation",
                    "Utilisation",
                    unit="percentunit",
                    thresholds=steps(UTILISATION),
                    cell="color-background",
                ),
                column(
                    "loss", "Loss", unit="percentunit", thresholds=steps(LOSS), cell="color-text"
                ),
                column("jitter", "Jitter", unit="s", thresholds=steps(JITTER), cell="color-text"),
                column(
                    "latency", "Latency", unit="s", thresholds=steps(LATENCY), cell="color-text"
                ),
                column("availability", "Availability (24h)", unit="percentunit"),
                column(
                    "congested",
                    "Time above 80 % (24h)",
                    unit="percentunit",
                    thresholds=bad_above(0.01),
                    cell="color-text",
                ),
            ],
            h=8,
        ),
        peer_paths_table("VPN peer paths (active and standby)", s),
        table(
            "Alarms at the site (24h)",
            [(f"max by (group, severity, alarm_type) (mist_alarms{{{s}}} > 0)", "count")],
            [
                column("group", "Group"),
                column("severity", "Severity"),
                column("alarm_type", "Type"),
                column("count", "Alarms"),
            ],
            w=12,
            h=8,
            sort_by="Alarms",
            descending=True,
        ),
        timeseries(
            "Alarms at the site by severity",
            [target(f"sum by (severity) (mist_alarms{{{s}}})", "{{severity}}")],
            w=12,
        ),
    ]
    return dashboard(
        "mist-site",
        "Mist WAN / Site",
        "One site: SLE deep-dive, gateways, WAN circuits, VPN peer paths and alarms.",
        panels,
        [REGION_VAR, SITE_VAR, SLE_VAR],
    )


def circuit() -> Json:
    s = PORT_SEL

    def quality(title: str, metric: str, unit: str, levels: tuple[float, float, float]) -> Json:
        return timeseries(
            title,
            [
                target(f"{metric}{{{s}}}", "circuit"),
                target(
                    f"max by (peer_mac, peer_port_id) "
                    f"({metric.replace('mist_wan_port', 'mist_vpn_peer_path')}{{{s}}})",
                    "peer {{peer_mac}} {{peer_port_id}}",
                    ref="B",
                ),
            ],
            unit=unit,
            thresholds=steps(levels),
            w=8,
        )

    panels = [
        simulated_banner(),
        stat(
            "Circuit",
            f"mist_wan_port_info{{{s}}} * on (site_id) group_left (site_name) mist_site_info",
            legend="{{wan_name}} ({{wan_type}}, port {{port_id}}) at {{site_name}}",
            text_mode="name",
            w=9,
            links=[link("Open site", "mist-site", ["var-region=$region", "var-site_id=$site_id"])],
        ),
        stat("State", f"mist_wan_port_up{{{s}}}", mappings=UP_MAPPING),
        stat("Speed", f"mist_wan_port_speed_bytes_per_second{{{s}}} * 8", unit="bps"),
        stat(
            "Availability (24h)",
            f"mist_wan_port:availability:ratio_24h{{{s}}}",
            unit="percentunit",
            thresholds=sle_steps(),
            decimals=2,
        ),
        stat(
            "Availability (7d)",
            f"mist_wan_port:availability:ratio_7d{{{s}}}",
            unit="percentunit",
            thresholds=sle_steps(),
            decimals=2,
        ),
        stat(
            "Availability (30d)",
            f"mist_wan_port:availability:ratio_30d{{{s}}}",
            unit="percentunit",
            thresholds=sle_steps(),
            decimals=2,
        ),
        stat(
            "Flaps (24h)",
            f"mist_wan_port:flaps:changes24h{{{s}}}",
            thresholds=steps((1, 3, 10)),
            w=4,
        ),
        stat(
            "Time above 80 % (time range)",
            f"avg_over_time(mist_wan_port:congested:bool{{{s}}}[$__range]) * $__range_s",
            unit="s",
            thresholds=bad_above(1),
            w=5,
            description="Cumulative time the busier direction ran above 80 % of the speed.",
        ),
        stat(
            "Longest run above 80 % (time range)",
            f"max_over_time(mist_wan_port:congestion_run:seconds{{{s}}}[$__range])",
            unit="s",
            thresholds=bad_above(1),
            w=5,
        ),
        stat(
            "Receive utilisation",
            f"mist_wan_port:receive_utilisation:ratio_rate5m{{{s}}}",
            unit="percentunit",
            thresholds=steps(UTILISATION),
            w=5,
        ),
        stat(
            "Transmit utilisation",
            f"mist_wan_port:transmit_utilisation:ratio_rate5m{{{s}}}",
            unit="percentunit",
            thresholds=steps(UTILISATION),
            w=5,
        ),
        timeseries(
            "Utilisation",
            [
                target(f"mist_wan_port:receive_utilisation:ratio_rate5m{{{s}}}", "receive"),
                target(
                    f"mist_wan_port:transmit_utilisation:ratio_rate5m{{{s}}}", "transmit", ref="B"
                ),
            ],
            unit="percentunit",
            thresholds=steps(UTILISATION),
            description="rate(bytes) over 5 minutes / speed; thresholds 70 / 80 / 90 %.",
        ),
        timeseries(
            "Throughput",
            [
                target(
                    f"rate(mist_wan_port_receive_bytes_total{{{s}}}[$__rate_interval]) * 8",
                    "receive",
                ),
                target(
                    f"rate(mist_wan_port_transmit_bytes_total{{{s}}}[$__rate_interval]) * 8",
                    "transmit",
                    ref="B",
                ),
                target(
                    f"mist_wan_port_receive_rate_bytes_per_second{{{s}}} * 8",
                    "receive (last rate reported by Mist)",
                    ref="C",
                ),
                target(
                    f"mist_wan_port_transmit_rate_bytes_per_second{{{s}}} * 8",
                    "transmit (last rate reported by Mist)",
                    ref="D",
                ),
            ],
            unit="bps",
        ),
        panel(
            "state-timeline",
            "Up / down",
            [target(f"mist_wan_port_up{{{s}}}", "{{port_id}}")],
            w=12,
            h=5,
            mappings=UP_MAPPING,
            thresholds=single("green"),
            options={"showValue": "never", "mergeValues": True, "rowHeight": 0.8},
        ),
        timeseries(
            "Flaps per hour",
            [target(f"mist_wan_port:flaps:changes1h{{{s}}}", "flaps in the last hour")],
            w=12,
            h=5,
        ),
        quality("Latency", "mist_wan_port_latency_seconds", "s", LATENCY),
        quality("Jitter", "mist_wan_port_jitter_seconds", "s", JITTER),
        quality("Loss", "mist_wan_port_loss_ratio", "percentunit", LOSS),
        timeseries(
            "Current run above 80 %",
            [target(f"mist_wan_port:congestion_run:seconds{{{s}}}", "seconds in the current run")],
            unit="s",
            w=8,
        ),
        panel(
            "state-timeline",
            "Failover: active and standby peer paths",
            [target(f"mist_vpn_peer_path_active{{{s}}}", "{{peer_mac}} {{peer_port_id}}")],
            w=8,
            h=8,
            mappings=ACTIVE_MAPPING,
            options={"showValue": "never", "mergeValues": True, "rowHeight": 0.8},
        ),
        timeseries(
            "Active path changes per hour",
            [
                target(
                    f"sum(mist_vpn_peer_path:active:changes1h{{{s}}})", "changes in the last hour"
                )
            ],
            w=8,
        ),
        peer_paths_table("VPN peer paths over this circuit", s),
    ]
    return dashboard(
        "mist-circuit",
        "Mist WAN / Circuit",
        "One WAN circuit: utilisation, availability, flaps, quality and the peer paths over it.",
        panels,
        [REGION_VAR, SITE_VAR, GATEWAY_VAR, PORT_VAR],
    )


def alarms() -> Json:
    sel = 'severity=~"$severity", group=~"$group"'
    filtered = (
        f"mist_alarms{{{sel}}} * on (site_id) group_left (site_name, region) "
        'mist_site_info{region=~"$region"}'
    )
    severity_var = variable(
        "severity", "Severity", "label_values(mist_alarms, severity)", multi=True, include_all=True
    )
    group_var = variable(
        "group", "Group", "label_values(mist_alarms, group)", multi=True, include_all=True
    )

    def by_severity(level: str) -> str:
        return (
            f'sum(mist_alarms{{severity="{level}", group=~"$group"}} * on (site_id) '
            'group_left () mist_site_info{region=~"$region"}) or vector(0)'
        )

    panels = [
        simulated_banner(),
        stat("Alarms (24h)", f"sum({filtered}) or vector(0)", thresholds=single("blue"), w=6),
        stat("Critical (24h)", by_severity("critical"), thresholds=bad_above(1), w=6),
        stat("Warning (24h)", by_severity("warn"), thresholds=single("orange"), w=6),
        stat("Info (24h)", by_severity("info"), thresholds=single("blue"), w=6),
        timeseries(
            "Alarms in the 24h window by severity",
            [target(f"sum by (severity) ({filtered})", "{{severity}}")],
        ),
        timeseries(
            "New alarms per hour by type",
            [
                target(
                    f"sum by (alarm_type) (increase(mist_alarm_incidents_total{{{sel}}}[1h]))",
                    "{{alarm_type}}",
                )
            ],
            description="Org-wide incidents counted by the exporter (no region filter).",
            bars=True,
        ),
        bargauge(
            "Alarms by region (24h)",
            f"sort_desc(sum by (region) ({filtered}))",
            "{{region}}",
            thresholds=single("blue"),
            links=[to_region("${__field.labels.region}")],
        ),
        table(
            "Sites with the most alarms (24h)",
            [(f"topk(25, sum by (site_id, site_name, region) ({filtered}))", "count")],
            [
                column("site_id", "site id", hidden=True),
                column("site_name", "Site", links=[to_site()]),
                column("region", "Region", links=[to_region()]),
                column("count", "Alarms"),
            ],
            w=8,
            sort_by="Alarms",
            descending=True,
        ),
        table(
            "Alarm types (24h)",
            [(f"sum by (group, severity, alarm_type) ({filtered})", "count")],
            [
                column("group", "Group"),
                column("severity", "Severity"),
                column("alarm_type", "Type"),
                column("count", "Alarms"),
            ],
            w=8,
            sort_by="Alarms",
            descending=True,
        ),
    ]
    return dashboard(
        "mist-alarms",
        "Mist WAN / Alarms",
        "Mist alarms of the last 24 hours by severity, type, region and site.",
        panels,
        [REGIONS_VAR, severity_var, group_var],
    )


def exporter() -> Json:
    job = 'job="mist-wan-exporter"'
    ok_mapping = [
        {
            "type": "value",
            "options": {
                "0": {"text": "down", "color": "red", "index": 0},
                "1": {"text": "ok", "color": "green", "index": 1},
            },
        }
    ]
    panels = [
        simulated_banner(),
        stat("Mist API polling", "min(mist_up)", mappings=ok_mapping),
        stat("Redis state store", "min(mist_state_store_up)", mappings=ok_mapping),
        stat("Scrape target", f"min(up{{{job}}})", mappings=ok_mapping),
        stat(
            "Version",
            "mist_exporter_build_info",
            legend="{{version}}",
            text_mode="name",
            thresholds=single("blue"),
        ),
        stat(
            "/metrics render time",
            "max(mist_scrape_render_seconds)",
            unit="s",
            thresholds=steps((1, 5, 10)),
        ),
        stat("API calls (last hour)", "sum(increase(mist_api_requests_total[1h]))"),
        stat(
            "Planned calls per hour",
            "sum(mist_api_planned_calls_per_hour)",
            description="Sum over collectors of the scheduler's plan for the hour.",
        ),
        stat(
            "API error ratio (1h)",
            '(sum(increase(mist_api_requests_total{code!~"2.."}[1h])) or vector(0)) '
            "/ sum(increase(mist_api_requests_total[1h]))",
            unit="percentunit",
            thresholds=steps((0.01, 0.05, 0.1)),
        ),
        timeseries(
            "API calls per hour by endpoint",
            [
                target(
                    "sum by (endpoint) (rate(mist_api_requests_total[$__rate_interval])) * 3600",
                    "{{endpoint}}",
                )
            ],
        ),
        timeseries(
            "API calls per hour by status code",
            [
                target(
                    "sum by (code) (rate(mist_api_requests_total[$__rate_interval])) * 3600",
                    "{{code}}",
                )
            ],
        ),
        timeseries(
            "Budget remaining per token",
            [target("mist_api_budget_remaining", "token {{token}}")],
            thresholds={
                "mode": "absolute",
                "steps": [
                    {"color": "red", "value": None},
                    {"color": "orange", "value": 500},
                    {"color": "green", "value": 1500},
                ],
            },
            description="Calls left in the token's hourly budget of 5,000 (exporter's count).",
        ),
        bargauge(
            "Time until budget reset",
            "mist_api_budget_reset_timestamp_seconds - time()",
            "token {{token}}",
            unit="s",
            thresholds=single("blue"),
            w=6,
        ),
        bargauge(
            "Planned calls per hour by collector",
            "sort_desc(mist_api_planned_calls_per_hour)",
            "{{collector}}",
            thresholds=single("purple"),
            w=6,
        ),
        table(
            "Collectors",
            [
                (
                    "max by (collector) (time() - mist_collector_last_success_timestamp_seconds)",
                    "age",
                ),
                ("max by (collector) (mist_collector_interval_seconds)", "interval"),
                ("max by (collector) (mist_collector_duration_seconds)", "duration"),
                ("sum by (collector) (increase(mist_collector_errors_total[1h]))", "errors"),
                ("max by (collector) (mist_api_planned_calls_per_hour)", "planned"),
            ],
            [
                column("collector", "Collector"),
                column("age", "Last success", unit="s"),
                column("interval", "Planned interval", unit="s"),
                column("duration", "Last run took", unit="s"),
                column("errors", "Errors (1h)", thresholds=bad_above(1), cell="color-text"),
                column("planned", "Planned calls per hour"),
            ],
            w=12,
            h=8,
        ),
        timeseries(
            "Collector freshness (seconds since last success)",
            [
                target(
                    "time() - mist_collector_last_success_timestamp_seconds",
                    "{{collector}}",
                )
            ],
            unit="s",
        ),
        timeseries(
            "Collector errors per hour",
            [
                target(
                    "sum by (collector) (increase(mist_collector_errors_total[1h]))",
                    "{{collector}}",
                )
            ],
            w=8,
        ),
        timeseries(
            "Scrape: render and Prometheus scrape duration",
            [
                target("mist_scrape_render_seconds", "render /metrics"),
                target(f"scrape_duration_seconds{{{job}}}", "Prometheus scrape", ref="B"),
            ],
            unit="s",
            w=8,
        ),
        panel(
            "state-timeline",
            "Mist polling and Redis",
            [
                target("min(mist_up)", "Mist API polling"),
                target("min(mist_state_store_up)", "Redis state store", ref="B"),
            ],
            w=8,
            h=8,
            mappings=ok_mapping,
            options={"showValue": "never", "mergeValues": True, "rowHeight": 0.8},
        ),
    ]
    return dashboard(
        "mist-exporter",
        "Mist WAN / Exporter health",
        "The exporter itself: Mist API calls and budget per token, collector freshness, errors, "
        "render time and Redis.",
        panels,
        [],
        time_from="now-6h",
    )


DASHBOARDS = {
    "mist-fleet.json": fleet,
    "mist-region.json": region,
    "mist-site.json": site,
    "mist-circuit.json": circuit,
    "mist-alarms.json": alarms,
    "mist-exporter.json": exporter,
}


def render(build: Any) -> str:
    return json.dumps(build(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for name, build in DASHBOARDS.items():
        path = OUT / name
        text = render(build)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print("out of date (run python grafana/build_dashboards.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
