"""Dashboards and rules use only exposed metrics; every alert is documented and tested."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from exporter.metrics.catalogue import METRICS
from tests.stack import promql
from tests.stack.run import REPO

# Series Prometheus itself records for every scrape target.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds"}
VALUES = {
    "region": "north",
    "site_id": "s1",
    "gateway_mac": "aabbccddeeff",
    "port_id": "ge-0/0/0",
    "sle": "wan-link-health",
    "severity": "critical",
    "group": "infrastructure",
}
ALERTS = promql.alerting_rules()
RUNBOOK = REPO / "docs" / "alerts.md"
RUNBOOK_BASE = "https://github.com/mist-wan-exporter/mist-wan-exporter/blob/main/docs/alerts.md#"
REPO_BLOB = "https://github.com/mist-wan-exporter/mist-wan-exporter/blob/main/"


def exposed_names() -> set[str]:
    names = set()
    for metric in METRICS:
        if metric.type == "gaugehistogram":
            names |= {f"{metric.name}_bucket", f"{metric.name}_gcount", f"{metric.name}_gsum"}
        else:
            names.add(metric.name)
    return names


ALLOWED = exposed_names() | {r.name for r in promql.recording_rules()} | PROMETHEUS_SERIES


def queries() -> list[tuple[str, str]]:
    found = [(f"{q.dashboard} / {q.panel} / {q.ref}", q.expr) for q in promql.all_panel_queries()]
    found += [
        (f"{v.dashboard} / variable {v.name}", v.promql) for v in promql.all_variables() if v.promql
    ]
    found += [(f"{r.file} / {r.name}", r.expr) for r in promql.rules()]
    return found


@pytest.mark.parametrize(("where", "expr"), queries(), ids=[w for w, _ in queries()])
def test_every_referenced_metric_is_in_the_catalogue(where: str, expr: str) -> None:
    names = promql.metric_names(promql.substitute(expr, VALUES))
    assert names, f"{where}: no metric in {expr!r}"
    assert names <= ALLOWED, f"{where}: unknown {sorted(names - ALLOWED)}"


def test_metric_name_extraction_skips_functions_labels_and_keywords() -> None:
    expr = (
        'sum by (site_id) (rate(a_total{x="b_c"}[5m]) * on (site_id) group_left (region) '
        "info_x) / ignoring (le) b:rec:ratio offset 15m > bool 0.8 or vector(0) and c unless "
        'label_replace(d, "e", "$1", "f", "(.*)")'
    )
    assert promql.metric_names(expr) == {"a_total", "info_x", "b:rec:ratio", "c", "d"}


def test_substitute_replaces_builtins_and_variables() -> None:
    expr = 'x{site_id="$site_id", r=~"${region:regex}"}[$__rate_interval] * $__range_s [[sle]]'
    assert promql.substitute(expr, {"site_id": "s1", "region": "n", "sle": "w"}) == (
        'x{site_id="s1", r=~"n"}[240s] * 3600 w'
    )
    with pytest.raises(KeyError):
        promql.substitute('x{a="$unknown"}', {})


def test_every_recording_rule_is_used_by_a_dashboard_rule_or_alert() -> None:
    used: set[str] = set()
    for _, expr in queries():
        used |= promql.metric_names(promql.substitute(expr, VALUES))
    unused = {r.name for r in promql.recording_rules()} - used
    assert not unused


@pytest.mark.parametrize("alert", ALERTS, ids=[a.name for a in ALERTS])
def test_alert_has_severity_summary_description_and_runbook(alert: promql.RuleExpr) -> None:
    rule = next(
        r
        for path in REPO.glob("rules/*.yml")
        for g in yaml.safe_load(path.read_text())["groups"]
        for r in g["rules"]
        if r.get("alert") == alert.name
    )
    assert re.fullmatch(r"(?:[A-Z][a-z]+)+", alert.name)
    assert rule["labels"]["severity"] in ("critical", "warning", "info")
    annotations = rule["annotations"]
    assert annotations["summary"]
    assert annotations["description"]
    if "site_id" in alert.expr or "mist_site" in alert.expr:
        assert "group_left (site_name, region) mist_site_info" in alert.expr
        assert "{{ $labels.site_name }}" in annotations["description"]
    assert annotations["runbook_url"] == RUNBOOK_BASE + f"alert-{alert.name.lower()}"


def anchors(markdown: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    for heading in re.findall(r"^#+ (.+)$", markdown.read_text(), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_every_alert_has_a_runbook_section() -> None:
    documented = anchors(RUNBOOK)
    missing = [a.name for a in ALERTS if f"alert-{a.name.lower()}" not in documented]
    assert not missing


def runbook_urls() -> dict[str, str]:
    """Every alert's runbook_url in the shipped rule files, by alert name."""
    return {
        r["alert"]: r["annotations"]["runbook_url"]
        for path in sorted(REPO.glob("rules/*.yml"))
        for g in yaml.safe_load(path.read_text())["groups"]
        for r in g["rules"]
        if "alert" in r
    }


def test_anchors_follow_githubs_rules(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("# Top\n\n#### Alert: MistJobStale\n\n## The stack: rules, alerts (and more)\n")
    assert anchors(doc) == {"top", "alert-mistjobstale", "the-stack-rules-alerts-and-more"}


def test_every_runbook_url_resolves_to_an_anchor_of_the_runbook_file() -> None:
    urls = runbook_urls()
    assert set(urls) == {a.name for a in ALERTS}
    broken = {}
    for alert, url in urls.items():
        page, _, anchor = url.partition("#")
        assert page.startswith(REPO_BLOB), f"{alert}: {url} is not a file of this repository"
        path = REPO / page.removeprefix(REPO_BLOB)
        if not path.is_file() or anchor not in anchors(path):
            broken[alert] = url
    assert broken == {}


def promtool_cases() -> dict[str, set[bool]]:
    """For each alert, whether its promtool tests expect it firing (True) and silent (False)."""
    cases: dict[str, set[bool]] = {}
    for path in sorted((REPO / "rules" / "tests").glob("*.yml")):
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                cases.setdefault(case["alertname"], set()).add(bool(case.get("exp_alerts")))
    return cases


def test_every_alert_has_a_positive_and_a_negative_promtool_case() -> None:
    cases = promtool_cases()
    incomplete = {a.name: cases.get(a.name, set()) for a in ALERTS}
    assert {name: c for name, c in incomplete.items() if c != {True, False}} == {}
