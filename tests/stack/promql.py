"""Every PromQL query the stack ships: dashboard panels and variables, recording and alert rules.

Used by the contract tests (metric names against the catalogue) and by the end-to-end test that
evaluates the queries against a real Prometheus scraping the exporter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

REPO = Path(__file__).resolve().parents[2]
DASHBOARDS_DIR = REPO / "grafana" / "dashboards"
RULES_DIR = REPO / "rules"

Json = dict[str, Any]
Query = Callable[[str], Awaitable[list[Json]]]

# Sites whose dashboards have the most to show, best first: deep-dived and degraded with alarms.
SITE_PREFERENCES = (
    "count by (site_id) (mist_site_sle_impacted_interface_degraded_seconds > 0)"
    " and on (site_id) count by (site_id) (mist_site_sle_impacted_peer_path_degraded_seconds > 0)"
    " and on (site_id) count by (site_id)"
    " (mist_site_sle_impacted_application_degraded_seconds > 0)"
    " and on (site_id) count by (site_id) (mist_alarms > 0)",
    "count by (site_id) (mist_site_sle_impacted_interface_degraded_seconds > 0)"
    " and on (site_id) count by (site_id) (mist_alarms > 0)",
    "count by (site_id) (mist_site_sle_impacted_interface_degraded_seconds > 0)",
    "count by (site_id) (mist_site_sle_classifier_degraded_seconds > 0)"
    " and on (site_id) count by (site_id) (mist_alarms > 0)",
    "count by (site_id) (mist_site_sle_classifier_degraded_seconds > 0)",
    "count by (site_id) (mist_site_sle_total_seconds)",
    "count by (site_id) (mist_alarms > 0) and on (site_id) count by (site_id) (mist_wan_port_info)",
    "count by (site_id) (mist_wan_port_info)",
)


@dataclass(frozen=True, slots=True)
class PanelQuery:
    """One target of one panel; ``instant`` targets are evaluated at a single time."""

    dashboard: str
    panel: str
    ref: str
    expr: str
    instant: bool


@dataclass(frozen=True, slots=True)
class Variable:
    """A dashboard template variable backed by a Prometheus query."""

    dashboard: str
    name: str
    query: str
    regex: str
    include_all: bool = False

    @property
    def promql(self) -> str | None:
        """The PromQL behind ``label_values(expr, label)`` or ``query_result(expr)``."""
        match = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", self.query.strip(), re.S)
        if match:
            return match.group(1)
        match = re.fullmatch(r"query_result\((.*)\)", self.query.strip(), re.S)
        return match.group(1) if match else None

    def values(self, result: list[Json]) -> list[str]:
        """The variable's values, as Grafana derives them from an instant query's result."""
        label = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", self.query.strip(), re.S)
        if label:
            found = {s["metric"][label.group(2)] for s in result if label.group(2) in s["metric"]}
            return sorted(found)
        pattern = re.compile(_python_regex(self.regex)) if self.regex else None
        values: list[str] = []
        for series in result:
            text = _query_result_text(series)
            if pattern is None:
                values.append(text)
                continue
            match = pattern.search(text)
            if match:
                groups = match.groupdict()
                values.append(groups.get("value") or match.group(1))
        return sorted(set(values))


@dataclass(frozen=True, slots=True)
class RuleExpr:
    """A recording (``record``) or alerting (``alert``) rule's expression."""

    file: str
    group: str
    kind: Literal["record", "alert"]
    name: str
    expr: str


def _python_regex(grafana_regex: str) -> str:
    body = grafana_regex
    if body.startswith("/") and body.rfind("/") > 0:
        body = body[1 : body.rfind("/")]
    return body.replace("(?<", "(?P<")


def _query_result_text(series: Json) -> str:
    metric = dict(series["metric"])
    name = metric.pop("__name__", "")
    labels = ",".join(f'{k}="{v}"' for k, v in sorted(metric.items()))
    value = series.get("value", [0, ""])
    return f"{name}{{{labels}}} {value[1]} {int(float(value[0]) * 1000)}"


def load_dashboards(directory: Path = DASHBOARDS_DIR) -> dict[str, Json]:
    """Dashboards by uid."""
    dashboards: dict[str, Json] = {}
    for path in sorted(directory.glob("*.json")):
        board = json.loads(path.read_text())
        dashboards[board["uid"]] = board
    return dashboards


def panels(board: Json) -> list[Json]:
    """Every panel, including those nested in rows."""
    found: list[Json] = []
    for item in board.get("panels", []):
        found.append(item)
        found.extend(item.get("panels", []))
    return found


def panel_queries(board: Json) -> list[PanelQuery]:
    return [
        PanelQuery(
            dashboard=board["uid"],
            panel=p.get("title", ""),
            ref=t.get("refId", ""),
            expr=t["expr"],
            instant=bool(t.get("instant")) and not t.get("range"),
        )
        for p in panels(board)
        for t in p.get("targets", [])
        if t.get("expr")
    ]


def variables(board: Json) -> list[Variable]:
    return [
        Variable(
            board["uid"],
            v["name"],
            _query_text(v["query"]),
            v.get("regex", ""),
            bool(v.get("includeAll")),
        )
        for v in board.get("templating", {}).get("list", [])
        if v.get("type") == "query"
    ]


def _query_text(query: str | Json) -> str:
    return query if isinstance(query, str) else str(query.get("query", ""))


def all_panel_queries(directory: Path = DASHBOARDS_DIR) -> list[PanelQuery]:
    return [q for board in load_dashboards(directory).values() for q in panel_queries(board)]


def all_variables(directory: Path = DASHBOARDS_DIR) -> list[Variable]:
    return [v for board in load_dashboards(directory).values() for v in variables(board)]


def rules(directory: Path = RULES_DIR) -> list[RuleExpr]:
    """Every rule of the rule files Prometheus loads (``rules/*.yml``, not the tests)."""
    found: list[RuleExpr] = []
    for path in sorted(directory.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                kind: Literal["record", "alert"] = "record" if "record" in rule else "alert"
                found.append(RuleExpr(path.name, group["name"], kind, rule[kind], rule["expr"]))
    return found


def recording_rules(directory: Path = RULES_DIR) -> list[RuleExpr]:
    return [r for r in rules(directory) if r.kind == "record"]


def alerting_rules(directory: Path = RULES_DIR) -> list[RuleExpr]:
    return [r for r in rules(directory) if r.kind == "alert"]


def substitute(
    expr: str,
    values: Mapping[str, str],
    *,
    interval_s: int = 60,
    rate_interval_s: int = 240,
    range_s: int = 3600,
) -> str:
    """``expr`` with Grafana's built-ins and the template variables in ``values`` replaced.

    Built-ins: ``$__interval``, ``$__interval_ms``, ``$__rate_interval``, ``$__range``,
    ``$__range_s``, ``$__range_ms`` (also in ``${...}`` form). Variables: ``$name``,
    ``${name}``, ``${name:format}`` and ``[[name]]``. An unknown variable raises ``KeyError``.
    """
    builtins = {
        "__interval_ms": str(interval_s * 1000),
        "__interval": f"{interval_s}s",
        "__rate_interval": f"{rate_interval_s}s",
        "__range_ms": str(range_s * 1000),
        "__range_s": str(range_s),
        "__range": f"{range_s}s",
    }
    known = {**builtins, **values}

    def replace(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("bracket") or match.group("plain")
        if name not in known:
            raise KeyError(f"no value for ${name} in {expr!r}")
        return known[name]

    names = "|".join(re.escape(n) for n in sorted(known, key=len, reverse=True))
    pattern = (
        r"\$\{(?P<braced>\w+)(?::\w+)?\}"
        r"|\[\[(?P<bracket>\w+)\]\]"
        rf"|\$(?P<plain>{names}|\w+)(?!\w)"
    )
    return re.sub(pattern, replace, expr)


_KEYWORDS = {
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "inf",
    "nan",
}


def metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (functions, keywords and labels excluded)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"#[^\n]*", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w:.])([A-Za-z_:][\w:]*)(?!\w)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in _KEYWORDS:
            continue
        names.add(name)
    return names


def _regex_escape(value: str) -> str:
    """Grafana's escaping of a value inside a PromQL regex string literal."""
    return re.sub(r"([\\^$*+?.()|{}\[\]])", r"\\\\\1", value)


async def preferred_values(query: Query) -> dict[str, str]:
    """A data-rich site (see SITE_PREFERENCES), its region, and its busiest WAN circuit."""
    for expr in SITE_PREFERENCES:
        sites = sorted(s["metric"]["site_id"] for s in await query(expr))
        if sites:
            break
    else:
        return {}
    site = sites[0]
    values = {"site_id": site}
    info = await query(f'mist_site_info{{site_id="{site}"}}')
    if info:
        values["region"] = info[0]["metric"]["region"]
    port = await query(f'topk(1, mist_wan_port:utilisation:ratio_rate5m{{site_id="{site}"}})')
    if not port:
        port = await query(f'mist_wan_port_info{{site_id="{site}"}}')
    if port:
        values["gateway_mac"] = port[0]["metric"]["gateway_mac"]
        values["port_id"] = port[0]["metric"]["port_id"]
    return values


async def resolve_variables(
    query: Query, board: Json, preferred: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Values of ``board``'s variables, resolved in order like Grafana does.

    A variable with "All" gets Grafana's expansion of all its values (``(a|b)``); otherwise the
    ``preferred`` value when it is among the variable's values, else its first value ("" when it
    has none, so that panels depending on it return no data).
    """
    values: dict[str, str] = {}
    for variable in variables(board):
        promql = variable.promql
        found = variable.values(await query(substitute(promql, values))) if promql else []
        if variable.include_all and found:
            values[variable.name] = "(" + "|".join(_regex_escape(v) for v in found) + ")"
        elif preferred and preferred.get(variable.name) in found:
            values[variable.name] = preferred[variable.name]
        else:
            values[variable.name] = found[0] if found else ""
    return values
