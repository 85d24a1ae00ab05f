"""The whole chain: simulator -> exporter process -> a real Prometheus with the shipped config.

Every dashboard query (variables resolved the way Grafana does) and every recording rule must
parse and return data, the Fleet dashboard's Active problems table must list the firing alerts,
and an alert must fire for a fault injected into the simulator. The simulator serves two orgs
whose regions share names (its one list of regions): the org variable resolves to both (All),
the region rollups keep them apart, and every panel has data for them together. Panels of
degraded sites, alarms, offline gateways and down circuits need some: the simulator is asked for
a degraded site with an alarm, a critical alarm in every region, a gateway and a WAN port down,
so the queries have data at any time of day.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from exporter.simulator import SimConfig, serve
from exporter.simulator.events import Event
from exporter.simulator.fleet import build_fleet
from exporter.simulator.live import no_monitored_paths
from tests.reliability.support import wait_ready
from tests.stack import promql
from tests.support.processes import Process, exporter_env, start_exporter
from tests.support.prometheus import Prometheus, running_prometheus
from tests.support.wait import until

CONFIG = """
collect:
  intervals: {gateways: 5, wan_ports: 5, peer_paths: 5, org_sle: 10, alarms: 5, deep_dive: 30}
"""


# The 7-day baselines read a subquery stepped on the hour ([7d:1h]): a Prometheus started
# minutes ago has no sample on an hour boundary yet, so they are empty until the next full hour
# (the alerts fall back to the threshold alone meanwhile). rules/tests/peer_paths_test.yml
# checks their values on promtool's own timeline.
HOURLY_SUBQUERIES = frozenset(
    {
        "mist_vpn_peer_path:latency_seconds:baseline7d",
        "mist_vpn_peer_path:loss_ratio:baseline7d",
        "mist_vpn_peer_path:jitter_seconds:baseline7d",
    }
)
ACTIVE_PROBLEMS = "Active problems"
# Sites per org (two orgs).
SITES = 75


def wanted_events(sites: int, seed: int) -> tuple[Event, ...]:
    """A site degraded on WAN links and applications with an alarm, a critical alarm at one
    site of each region, and
    a gateway (site 1) and a WAN port (site 2; INET1 at seed 3, so its Zscaler tunnel) down."""
    fleet = build_fleet(seed, sites)
    regions = {site.region: site.index for site in reversed(fleet.sites)}
    # Impact (who is hurting: applications, peer paths) is fetched for degraded pairs only, and
    # Mist answers impacted-peer-paths only where the site's paths are monitored.
    hurt, apps = [s.index for s in fleet.sites if s.index > 2 and not no_monitored_paths(s.key)][:2]
    return (
        Event("degraded", site=hurt, metric="wan-link-health", classifier="interface-congestion"),
        Event("alarm", site=hurt, alarm_severity="warn"),
        # A site has one episode at a time in the simulator: applications hurt at another site.
        Event("degraded", site=apps, metric="application-health"),
        Event("alarm", site=apps, alarm_severity="warn"),
        *(Event("alarm", site=index) for index in sorted(regions.values())),
        Event("gateway_down", site=1, gateway=0),
        Event("port_down", site=2, gateway=0, port=0),
    )


async def query(prometheus: Prometheus, expr: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = (await prometheus.query(expr))["result"]
    return result


async def empty_rules(prometheus: Prometheus) -> list[str]:
    rules = [r.name for r in promql.recording_rules() if r.name not in HOURLY_SUBQUERIES]
    return [name for name in rules if not await query(prometheus, name)]


async def active_problems(prometheus: Prometheus) -> list[dict[str, Any]]:
    """The rows of the Fleet dashboard's Active problems table (its first query, all orgs)."""
    board = promql.load_dashboards()["mist-fleet"]
    (table,) = (
        p for p in promql.panels(board) if p.get("title") == ACTIVE_PROBLEMS and p.get("targets")
    )
    values = await promql.resolve_variables(lambda expr: query(prometheus, expr), board)
    return await query(prometheus, promql.substitute(table["targets"][0]["expr"], values))


async def empty_panel_queries(prometheus: Prometheus) -> list[str]:
    async def run(expr: str) -> list[dict[str, Any]]:
        return await query(prometheus, expr)

    preferred = await promql.preferred_values(run)
    # The Site dashboard's impact panels need a site hurt on WAN links (peer paths) or on
    # applications: a panel is empty when it has data for neither kind of site.
    apps = await run("count by (site_id) (mist_site_sle_impacted_application_degraded_seconds > 0)")
    choices = [preferred] + [{**preferred, "site_id": r["metric"]["site_id"]} for r in apps[:1]]
    empty = []
    for uid, board in promql.load_dashboards().items():
        found: set[tuple[str, str]] = set()
        missing: dict[tuple[str, str], str] = {}
        for chosen in choices if uid == "mist-site" else choices[:1]:
            values = await promql.resolve_variables(run, board, chosen)
            for target in promql.panel_queries(board):
                key = (target.panel, target.ref)
                expr = promql.substitute(target.expr, values)
                if await run(expr):
                    found.add(key)
                else:
                    missing.setdefault(key, expr)
        empty += [f"{uid} / {p} / {r}: {e}" for (p, r), e in missing.items() if (p, r) not in found]
    return empty


@pytest.mark.slow
async def test_dashboards_rules_and_alerts_on_real_prometheus(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(CONFIG, encoding="utf-8")
    # The events are org 0's (the simulator's default org); org 1 runs undisturbed.
    sim_config = SimConfig(sites=SITES, seed=3, orgs=2, events=wanted_events(SITES, 3))
    async with serve(sim_config, port=0) as sim, aiohttp.ClientSession() as session:
        exporter: Process = start_exporter(
            tmp_path, exporter_env(sim.base_url), args=["--config", str(config)]
        )
        try:
            await wait_ready(session, exporter)
            target = exporter.url.removeprefix("http://")
            async with running_prometheus(
                target, tmp_path, interval="1s", alert_for="2s"
            ) as prometheus:
                await prometheus.wait_for("mist_up == 1", within=30)
                await prometheus.wait_for("mist_site_sle_total_seconds", within=60)
                # Rates and availability need a few scrapes of counters.
                await prometheus.wait_for("mist_wan_port:utilisation:ratio_rate5m", within=60)
                # Rules evaluate from rules: a few evaluation rounds until all have data.
                await until(
                    lambda: empty_rules(prometheus),
                    lambda empty: empty == [],
                    within=60,
                    what="every recording rule returns data",
                    every=1.0,
                )
                orgs = await query(prometheus, "mist_org_info")
                assert len(orgs) == 2
                shared = await query(prometheus, "count by (region) (mist_region:sites:count) > 1")
                assert shared, "no region name shared by the two orgs"
                await until(
                    lambda: empty_panel_queries(prometheus),
                    lambda empty: empty == [],
                    within=60,
                    what="every panel query returns data",
                    every=1.0,
                )

                rows = await until(
                    lambda: active_problems(prometheus),
                    lambda found: (
                        {"GatewayOffline", "CircuitDown", "WanTunnelDown"}
                        <= {r["metric"].get("alertname") for r in found}
                    ),
                    within=60,
                    what="Active problems lists the offline gateway, the down circuit and the "
                    "secure-edge tunnel over it",
                    every=1.0,
                )
                assert "Watchdog" not in {r["metric"].get("alertname") for r in rows}
                site_alerts = [r["metric"] for r in rows if "site_id" in r["metric"]]
                assert site_alerts
                assert all(m.get("org_id") and m.get("org_name") for m in site_alerts)

                fault = {"mode": "5xx", "endpoint": "*ports/search*"}
                async with session.post(f"{sim.base_url}/__sim/faults", json=fault) as r:
                    assert r.status in (200, 201)
                firing = await prometheus.wait_for(
                    'ALERTS{alertname="MistApiUnreachable", alertstate="firing"}', within=90
                )
                assert firing
        finally:
            assert exporter.stop() == 0
