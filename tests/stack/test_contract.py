"""Dashboards and rules use only exposed metrics; every alert is documented and tested."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from exporter.metrics.catalogue import METRICS
from tests.stack import promql
from tests.stack.run import REPO

# Series Prometheus itself records: per scrape target, and the state of the alerting rules.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "ALERTS", "ALERTS_FOR_STATE"}
VALUES = {
    "org": "o1",
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
# The base URLs of the annotations live in one place: prometheus.yml's global.external_labels.
EXTERNAL_LABELS: dict[str, str] = yaml.safe_load((REPO / "prometheus.yml").read_text())["global"][
    "external_labels"
]
RUNBOOK_TEMPLATE = "{{ $externalLabels.runbook_url }}#alert-"
GRAFANA_TEMPLATE = "{{ $externalLabels.grafana_url }}/d/"


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
    assert names or expr.strip() == "vector(1)", f"{where}: no metric in {expr!r}"
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
    if alert.name in site_level_alerts():
        assert "group_left (site_name, region, org_id) mist_site_info" in alert.expr
        assert "group_left (org_name) mist_org_info" in alert.expr
        assert "{{ $labels.site_name }}" in annotations["description"]
        assert "{{ $labels.org_name }}" in annotations["description"]
    assert annotations["runbook_url"] == RUNBOOK_TEMPLATE + alert.name.lower()
    if "dashboard_url" in annotations:
        assert annotations["dashboard_url"].startswith(GRAFANA_TEMPLATE)


def site_level_alerts() -> set[str]:
    """Alerts whose firing promtool cases carry a site_id: one site (or circuit, or path) each."""
    return {
        case["alertname"]
        for path in sorted((REPO / "rules" / "tests").glob("*.yml"))
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        for alert in case.get("exp_alerts") or []
        if "site_id" in alert.get("exp_labels", {})
    }


def test_every_site_level_alert_carries_org_region_and_its_dashboard_url() -> None:
    site_alerts = site_level_alerts()
    assert {"SiteSleDegraded", "CircuitDown", "PeerPathDown", "SiteIsolated"} <= site_alerts
    for path in sorted((REPO / "rules" / "tests").glob("*.yml")):
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                for alert in case.get("exp_alerts") or []:
                    labels = alert.get("exp_labels", {})
                    if "site_id" not in labels:
                        continue
                    name = case["alertname"]
                    assert labels.get("region"), f"{path.name}: {name} without region"
                    assert labels.get("org_id"), f"{path.name}: {name} without org_id"
                    assert labels.get("org_name"), f"{path.name}: {name} without org_name"
                    url = alert["exp_annotations"]["dashboard_url"]
                    assert url.startswith(("/d/mist-site?", "/d/mist-circuit?")), (name, url)
                    assert f"var-org={labels['org_id']}&" in url, (name, url)
                    assert f"var-site_id={labels['site_id']}" in url, (name, url)
                    if url.startswith("/d/mist-circuit?"):
                        assert f"var-gateway_mac={labels['gateway_mac']}" in url, (name, url)
                        assert "var-port_id=" in url, (name, url)


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
    """Rendered with the configured base (prometheus.yml), each URL names a heading of alerts.md."""
    base = EXTERNAL_LABELS["runbook_url"]
    assert base.endswith("/docs/alerts.md"), base
    assert "{{" not in base
    urls = runbook_urls()
    assert set(urls) == {a.name for a in ALERTS}
    broken = {}
    for alert, url in urls.items():
        rendered = url.replace("{{ $externalLabels.runbook_url }}", base)
        page, _, anchor = rendered.partition("#")
        assert page == base, f"{alert}: {url} does not start at the configured runbook base"
        if anchor not in anchors(RUNBOOK):
            broken[alert] = rendered
    assert broken == {}


def test_the_grafana_base_url_is_configured_once() -> None:
    assert EXTERNAL_LABELS["grafana_url"].startswith(("http://", "https://"))
    assert not EXTERNAL_LABELS["grafana_url"].endswith("/")


def promtool_cases() -> dict[str, set[bool]]:
    """For each alert, whether its promtool tests expect it firing (True) and silent (False)."""
    cases: dict[str, set[bool]] = {}
    for path in sorted((REPO / "rules" / "tests").glob("*.yml")):
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                cases.setdefault(case["alertname"], set()).add(bool(case.get("exp_alerts")))
    return cases


# Always firing by design (the dead man's switch): no silent case exists.
ALWAYS_FIRING = {"Watchdog"}


def test_every_alert_has_a_positive_and_a_negative_promtool_case() -> None:
    cases = promtool_cases()
    assert cases.get("Watchdog") == {True}
    incomplete = {a.name: cases.get(a.name, set()) for a in ALERTS if a.name not in ALWAYS_FIRING}
    assert {name: c for name, c in incomplete.items() if c != {True, False}} == {}
