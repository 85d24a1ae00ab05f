"""The shipped config and rules load into a real Prometheus, and every shipped query parses there.

Nothing here scrapes the exporter (the end-to-end test does): the exporter job points at a closed
port, and Prometheus scrapes itself, which proves the harness, the rules and the alert API.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.stack import promql
from tests.support.ports import free_port
from tests.support.prometheus import Prometheus, PrometheusError, running_prometheus

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


async def bad_queries(prometheus: Prometheus) -> list[str]:
    exprs = itertools.chain(
        (q.expr for q in promql.all_panel_queries()),
        (v.promql for v in promql.all_variables() if v.promql),
        (r.expr for r in promql.rules()),
    )
    bad = []
    for expr in exprs:
        try:
            await prometheus.query(promql.substitute(expr, VALUES))
        except PrometheusError as error:
            bad.append(str(error))
    return bad


@pytest.mark.slow
async def test_shipped_config_rules_and_queries_work_in_a_real_prometheus(tmp_path: Path) -> None:
    target = f"127.0.0.1:{free_port()}"
    async with running_prometheus(target, tmp_path) as prometheus:
        assert await prometheus.wait_for('up{job="prometheus"} == 1')
        assert await prometheus.wait_for('up{job="mist-wan-exporter"} == 0')
        (exporter,) = [
            t for t in await prometheus.targets() if t["scrapePool"] == "mist-wan-exporter"
        ]
        assert exporter["scrapeUrl"] == f"http://{target}/metrics"
        groups = await prometheus.rule_groups()
        assert {g["name"] for g in groups} >= {"mist-wan-circuits", "mist-wan-rollups"}
        assert all(g["interval"] == 1 for g in groups)
        rules = [r for g in groups for r in g["rules"]]
        assert len(rules) == len(promql.rules())
        assert all(r["health"] in ("ok", "unknown") for r in rules), rules

        assert await bad_queries(prometheus) == []
        with pytest.raises(PrometheusError, match="parse error"):
            await prometheus.query("sum(")

        alerts = await prometheus.alerts()
        down = [a for a in alerts if a["labels"]["alertname"] == "MistExporterDown"]
        assert down
        assert down[0]["state"] == "pending"
        assert down[0]["annotations"]["runbook_url"].endswith("#alert-mistexporterdown")
