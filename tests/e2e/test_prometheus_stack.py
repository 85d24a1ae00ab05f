"""The whole chain: simulator -> exporter process -> a real Prometheus with the shipped config.

Every dashboard query (variables resolved the way Grafana does) and every recording rule must
parse and return data, and an alert must fire for a fault injected into the simulator.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from exporter.simulator import SimConfig, serve
from tests.stack import promql
from tests.support.processes import Process, exporter_env, start_exporter, wait_http
from tests.support.prometheus import Prometheus, running_prometheus

CONFIG = """
collect:
  intervals: {gateways: 5, wan_ports: 5, peer_paths: 5, org_sle: 10, alarms: 5, deep_dive: 30}
"""


async def query(prometheus: Prometheus, expr: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = (await prometheus.query(expr))["result"]
    return result


async def empty_panel_queries(prometheus: Prometheus) -> list[str]:
    async def run(expr: str) -> list[dict[str, Any]]:
        return await query(prometheus, expr)

    preferred = await promql.preferred_values(run)
    empty = []
    for uid, board in promql.load_dashboards().items():
        values = await promql.resolve_variables(run, board, preferred)
        for target in promql.panel_queries(board):
            expr = promql.substitute(target.expr, values)
            if not await run(expr):
                empty.append(f"{uid} / {target.panel} / {target.ref}: {expr}")
    return empty


async def test_dashboards_rules_and_alerts_on_real_prometheus(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(CONFIG, encoding="utf-8")
    async with serve(SimConfig(sites=150, seed=3), port=0) as sim:
        exporter: Process = start_exporter(
            tmp_path, exporter_env(sim.base_url), args=["--config", str(config)]
        )
        try:
            await asyncio.to_thread(
                wait_http, f"{exporter.url}/readyz", timeout=60, process=exporter
            )
            target = exporter.url.removeprefix("http://")
            async with running_prometheus(
                target, tmp_path, interval="1s", alert_for="2s"
            ) as prometheus:
                await prometheus.wait_for("mist_up == 1", within=30)
                await prometheus.wait_for("mist_site_sle_total_minutes", within=60)
                # Rates and availability need a few scrapes of counters.
                await prometheus.wait_for("mist_wan_port:utilisation:ratio_rate5m", within=60)
                await asyncio.sleep(3)

                empty_rules = [
                    r.name for r in promql.recording_rules() if not await query(prometheus, r.name)
                ]
                assert empty_rules == []
                assert await empty_panel_queries(prometheus) == []

                async with aiohttp.ClientSession() as session:
                    fault = {"mode": "5xx", "endpoint": "*ports/search*"}
                    async with session.post(f"{sim.base_url}/__sim/faults", json=fault) as r:
                        assert r.status in (200, 201)
                firing = await prometheus.wait_for(
                    'ALERTS{alertname="MistApiUnreachable", alertstate="firing"}', within=90
                )
                assert firing
        finally:
            assert exporter.stop() == 0
