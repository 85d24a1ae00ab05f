"""An exporter process receiving Mist webhooks from the simulator's sender.

A gateway taken down in the simulator is pushed as a signed ``device-events`` delivery and
shows in ``/metrics`` long before the gateways job's next poll (two minutes); a new alarm
likewise. Forged, unsigned and replayed deliveries change nothing. The latencies printed are
measured figures (the goal is under 2 s); the deadlines only bound a failure.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from exporter.simulator import SimConfig, serve
from exporter.simulator.events import Event
from exporter.simulator.webhooks import WebhookSender
from tests.reliability.support import wait_ready
from tests.support.processes import exporter_env, start_exporter
from tests.support.wait import running, until

SECRET = "e2e-webhook-secret-4f1c"


async def samples(session: aiohttp.ClientSession, url: str, name: str) -> dict[str, float]:
    """``name``'s samples in /metrics keyed by their labels joined with ``|``."""
    async with session.get(f"{url}/metrics") as response:
        body = await response.text()
    return {
        "|".join(f"{k}={v}" for k, v in sorted(s.labels.items())): s.value
        for f in text_string_to_metric_families(body)
        for s in f.samples
        if s.name == name
    }


@pytest.mark.slow
async def test_a_pushed_gateway_down_and_alarm_show_at_once(tmp_path: Path) -> None:
    async with serve(SimConfig(sites=60, seed=11), port=0) as sim:
        env = exporter_env(sim.base_url) | {"MIST_WEBHOOK_SECRET": SECRET}
        proc = start_exporter(tmp_path, env)
        try:
            async with aiohttp.ClientSession() as session:
                await wait_ready(session, proc)
                world = sim.simulator.world
                hook = f"{proc.url}/webhooks/mist"
                sender = WebhookSender(world, hook, SECRET)
                start = sim.simulator.clock.time()
                sender.device_events(start)  # the baseline
                placed = sim.simulator.add_event(Event("gateway_down", site=2))
                key = f"gateway_mac={dict(placed.names)['gateway_mac']}|site_id="
                key += dict(placed.names)["site_id"]
                up = await samples(session, proc.url, "mist_gateway_up")
                assert up[key] == 1.0

                forged = WebhookSender(world, hook, SECRET, forge=True)
                forged.device_events(start)
                assert await forged.step(session, start, sim.simulator.clock.time()) == [401]
                async with session.post(hook, data=forged.sent[0][0].body) as unsigned:
                    assert unsigned.status == 401
                await asyncio.sleep(1.5)  # a scrape renders any new snapshot at once; none came
                assert (await samples(session, proc.url, "mist_gateway_up"))[key] == 1.0

                sent = time.monotonic()
                assert await sender.step(session, start, sim.simulator.clock.time()) == [200]
                await until(
                    lambda: samples(session, proc.url, "mist_gateway_up"),
                    lambda found: found.get(key) == 0.0,
                    within=30,
                    what="the pushed gateway down in /metrics",
                    every=0.02,
                    alive=running(proc.popen, proc.log),
                )
                gateway_latency = time.monotonic() - sent

                sender.redeliver = True  # the same signed bytes, twice more
                assert await sender.post(session, sender.sent[-1][0]) == 200
                sender.redeliver = False

                before = await samples(session, proc.url, "mist_alarm_incidents_total")
                raised_at = sim.simulator.clock.time()
                sim.simulator.add_event(Event("alarm", site=4, count=3))
                sent = time.monotonic()
                statuses = await sender.step(session, raised_at - 1, raised_at + 1)
                assert statuses == [200]
                await until(
                    lambda: samples(session, proc.url, "mist_alarm_incidents_total"),
                    lambda found: sum(found.values()) == sum(before.values()) + 3,
                    within=30,
                    what="the pushed alarm in /metrics",
                    every=0.02,
                    alive=running(proc.popen, proc.log),
                )
                alarm_latency = time.monotonic() - sent
                outcomes = await samples(session, proc.url, "mist_webhook_events_total")
                pushed_at = await samples(
                    session, proc.url, "mist_webhook_last_event_timestamp_seconds"
                )
        finally:
            assert proc.stop() == 0
    print(f"webhook -> /metrics: gateway down {gateway_latency:.3f} s, alarm {alarm_latency:.3f} s")
    assert outcomes["outcome=rejected|topic=unknown"] == 2
    assert outcomes["outcome=applied|topic=device-events"] == 1
    assert outcomes["outcome=duplicate|topic=device-events"] == 2
    assert outcomes["outcome=applied|topic=alarms"] == 1
    assert set(pushed_at) == {"topic=alarms", "topic=device-events"}
    assert SECRET not in proc.log()
