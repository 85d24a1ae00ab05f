"""The exporter as users run it: a separate process scraping the real simulator over HTTP.

The deep-dive and alarm families need a degraded site and an alarm: the simulator is asked for
both at start, so every family has samples at any time of day.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from exporter.config import DEMO_TOKEN
from exporter.metrics.catalogue import METRICS
from exporter.simulator import SimConfig, serve
from exporter.simulator.events import Event
from exporter.simulator.fleet import build_fleet
from exporter.simulator.live import no_monitored_paths
from tests.reliability.support import wait_ready
from tests.support.processes import exporter_env, start_exporter
from tests.support.wait import running, until

# Impact families come from degraded pairs only, impacted peer paths only where the site's
# paths are monitored, and a simulated site has one episode at a time: three sites, one each.
_MONITORED = [s.index for s in build_fleet(4, 120).sites if not no_monitored_paths(s.key)]
EVENTS = (
    Event(
        "degraded", site=_MONITORED[0], metric="wan-link-health", classifier="interface-congestion"
    ),
    Event(
        "degraded", site=_MONITORED[1], metric="gateway-health", classifier="system-cpu-data-plane"
    ),
    Event("degraded", site=_MONITORED[2], metric="application-health"),
    Event("alarm", site=_MONITORED[0]),
)


# Only once a webhook delivery arrives (tests/e2e/test_webhooks.py).
PUSHED = ("mist_webhook_events_total", "mist_webhook_last_event_timestamp_seconds")


def missing(body: str) -> list[str]:
    """Catalogue families absent from ``body`` or without samples (errors may be none)."""
    families = {f.name: f for f in text_string_to_metric_families(body)}
    absent = []
    for metric in (m for m in METRICS if m.name not in PUSHED):
        name = metric.name.removesuffix("_total") if metric.type == "counter" else metric.name
        family = families.get(name)
        if family is None or (not family.samples and metric.name != "mist_collector_errors_total"):
            absent.append(metric.name)
    return absent


async def scrape(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url) as response:
        assert response.status == 200
        return await response.text()


@pytest.mark.slow
async def test_exporter_serves_every_family_matching_the_simulator(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("collect: {intervals: {deep_dive: 60}}\n", encoding="utf-8")
    async with serve(SimConfig(sites=120, seed=4, events=EVENTS), port=0) as sim:
        proc = start_exporter(tmp_path, exporter_env(sim.base_url), args=["--config", str(config)])
        try:
            async with aiohttp.ClientSession() as session:
                await wait_ready(session, proc)
                body = await until(
                    lambda: scrape(session, f"{proc.url}/metrics"),
                    lambda text: not missing(text),
                    within=180,
                    what="every catalogue family has samples",
                    every=0.2,
                    alive=running(proc.popen, proc.log),
                )
                page = await scrape(session, f"{proc.url}/")
                truth = sim.simulator.truth()
        finally:
            assert proc.stop() == 0
    assert missing(body) == []
    families = {f.name: f for f in text_string_to_metric_families(body)}
    samples = Counter(s.name for f in families.values() for s in f.samples)
    assert samples["mist_wan_port_up"] == len(truth.wan_ports)
    assert samples["mist_wan_port_info"] == len(truth.wan_ports)
    assert samples["mist_gateway_up"] == len(truth.gateways)
    assert samples["mist_site_info"] == len(truth.sites)
    # Live simulator: rows without peer_port_id cannot be named, and paths of gateways gone
    # before the exporter's recent peer window are not answered (tests/collect/test_live_org.py).
    named = len(truth.peer_paths) - len(truth.live.unnamed_paths)
    assert named - len(truth.live.offline_paths) <= samples["mist_vpn_peer_path_up"] <= named
    up = {
        s.labels["port_id"] + s.labels["gateway_mac"]: s.value
        for s in families["mist_wan_port_up"].samples
    }
    assert set(up.values()) <= {0.0, 1.0}
    for sample in families["mist_site_sle_ratio"].samples:
        assert 0.0 <= sample.value <= 1.0
    assert families["mist_up"].samples[0].value == 1.0
    assert families["mist_simulated"].samples[0].value == 1.0
    assert DEMO_TOKEN not in body
    assert DEMO_TOKEN not in page
    assert DEMO_TOKEN not in proc.log()
