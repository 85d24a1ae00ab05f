"""The panel DSL: query targets, stat, time series, bar gauge, state timeline and table panels."""

from __future__ import annotations

from . import Json
from .thresholds import single

# Every panel, target and query variable reads the dashboard's ``datasource`` variable, so the
# dashboards import into any Grafana (the provisioned Prometheus has the uid ``prometheus``).
DS = {"type": "prometheus", "uid": "${datasource}"}
# The Grafana the compose stack runs (docker-compose.yml); panels are written for it.
GRAFANA_VERSION = "11.1.4"


def value_mapping(texts: dict[str, tuple[str, str]]) -> list[Json]:
    """Maps values to (text, colour) in the given order."""
    options = {
        value: {"text": text, "color": colour, "index": i}
        for i, (value, (text, colour)) in enumerate(texts.items())
    }
    return [{"type": "value", "options": options}]


UP_MAPPING = value_mapping({"0": ("down", "red"), "1": ("up", "green")})
ACTIVE_MAPPING = value_mapping({"0": ("standby", "blue"), "1": ("active", "green")})
OK_MAPPING = value_mapping({"0": ("down", "red"), "1": ("ok", "green")})
POLLING_MAPPING = value_mapping({"0": ("failing", "red"), "1": ("ok", "green")})
# The rank the Active problems table gives an alert's severity label (see problems.py).
SEVERITY_MAPPING = value_mapping(
    {"3": ("critical", "red"), "2": ("warning", "orange"), "1": ("info", "blue")}
)


def target(expr: str, legend: str = "", *, ref: str = "A", fmt: str = "time_series") -> Json:
    """A Prometheus query; ``fmt`` is time_series (range), instant, table or heatmap (instant)."""
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
    description: str,
    options: Json | None = None,
    custom: Json | None = None,
    mappings: list[Json] | None = None,
    links: list[Json] | None = None,
    overrides: list[Json] | None = None,
    transformations: list[Json] | None = None,
) -> Json:
    """Any panel; ``layout`` gives it its position and id."""
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
        "pluginVersion": GRAFANA_VERSION,
        "datasource": DS,
        "gridPos": {"w": w, "h": h},
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
        "options": options or {},
    }
    if transformations:
        p["transformations"] = transformations
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
    description: str,
    links: list[Json] | None = None,
    decimals: int | None = None,
) -> Json:
    """One instant value (or series name with ``text_mode="name"``)."""
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
    description: str,
    links: list[Json] | None = None,
    min_max: tuple[float, float] | None = None,
    bars: bool = False,
) -> Json:
    """Lines (or bars) with a table legend; thresholds are drawn when given."""
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
    description: str,
    links: list[Json] | None = None,
    min_max: tuple[float, float] | None = None,
) -> Json:
    """Horizontal gradient bars, one per series."""
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


def state_timeline(
    title: str,
    targets: list[Json],
    mappings: list[Json],
    *,
    w: int,
    h: int,
    description: str,
) -> Json:
    """Mapped states (up/down, active/standby) over time, one row per series."""
    return panel(
        "state-timeline",
        title,
        targets,
        w=w,
        h=h,
        description=description,
        mappings=mappings,
        options={"showValue": "never", "mergeValues": True, "rowHeight": 0.8},
    )


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


def colored(
    name: str,
    display: str,
    thresholds: Json,
    *,
    unit: str | None = None,
    links: list[Json] | None = None,
) -> Json:
    """A column whose text takes the colour ``thresholds`` give its value."""
    return column(name, display, unit=unit, thresholds=thresholds, links=links, cell="color-text")


def state_column() -> Json:
    """The ``up`` value as a red "down" or green "up"."""
    return column("up", "State", mappings=UP_MAPPING, cell="color-text")


def table(
    title: str,
    queries: list[tuple[str, str]],
    columns: list[Json],
    *,
    w: int = 24,
    h: int = 10,
    description: str,
    sort_by: str | None = None,
    descending: bool = False,
    sort: list[tuple[str, bool]] | None = None,
) -> Json:
    """An instant table; several queries with the same labels are merged into one row per series.

    ``queries`` are (expr, value column name); each value column is named by its refId's title.
    ``sort`` gives several (display name, descending) sort keys, the first one first.
    """
    refs = [chr(ord("A") + i) for i in range(len(queries))]
    targets = [
        target(expr, fmt="table", ref=ref) for ref, (expr, _) in zip(refs, queries, strict=True)
    ]
    renames = {
        ("Value" if len(queries) == 1 else f"Value #{ref}"): name
        for ref, (_, name) in zip(refs, queries, strict=True)
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
    keys = sort or ([(sort_by, descending)] if sort_by else [])
    if keys:
        options["sortBy"] = [{"displayName": name, "desc": desc} for name, desc in keys]
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
    simulated = (
        "SIMULATED DATA: the exporter polls the built-in Mist simulator, "
        "not a Mist org (set MIST_APITOKEN and MIST_HOST to go live)"
    )
    p = stat(
        "Data source",
        "max(mist_simulated)",
        w=24,
        h=2,
        mappings=value_mapping(
            {"1": (simulated, "orange"), "0": ("Live data from the Mist cloud", "green")}
        ),
        description="Whether the exporter polls a Mist org (green) or the built-in simulator "
        "(orange, mist_simulated = 1); when orange in production, set MIST_APITOKEN and "
        "MIST_HOST and restart the exporter.",
    )
    p["options"].update(colorMode="background", textMode="value")
    return p
