"""``/__sim/events``: a test asks for an alarm, a degraded site or a down gateway or port, and
every endpoint and the ground truth show it at once; clearing the events restores the fleet."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from exporter.clock import ManualClock
from exporter.simulator import SimConfig, add_arguments
from exporter.simulator.events import Event
from exporter.simulator.flags import config_from_args
from exporter.simulator.server import serve
from tests.simulator.support import T0, TIDY, Client, simulator

WAN = "wan-link-health"


async def _post(client: Client, **event: Any) -> tuple[int, Any]:
    async with client.session.post("/__sim/events", json=event) as resp:
        return resp.status, await resp.json()


async def _add(client: Client, **event: Any) -> dict[str, Any]:
    status, body = await _post(client, **event)
    assert status == 201, body
    assert isinstance(body, dict)
    return body


async def _clear(client: Client) -> int:
    async with client.session.delete("/__sim/events") as resp:
        assert resp.status == 200
        return int((await resp.json())["cleared"])


async def _listed(client: Client) -> list[dict[str, Any]]:
    async with client.session.get("/__sim/events") as resp:
        assert resp.status == 200
        events: list[dict[str, Any]] = (await resp.json())["events"]
        return events


async def test_a_raised_alarm_is_searched_counted_and_cleared() -> None:
    clock = ManualClock(T0)
    async with simulator(SimConfig(sites=10), clock) as (running, client):
        sim = running.simulator
        site = sim.fleet.sites[3]
        path = f"/api/v1/orgs/{sim.org_id}/alarms/search"
        before = await client.walk_search(path, 1000)
        raised = await _add(
            client, kind="alarm", site=3, type="wan_port_down", group="marvis", severity="warn"
        )
        assert raised["site_id"] == site.site_id
        assert raised["gateway_mac"] == site.gateways[0].mac
        assert (raised["since"], raised["count"]) == (T0, 1)
        clock.advance(60)
        after = await client.walk_search(path, 1000, site_id=site.site_id)
        (row,) = [r for r in after if r["id"] not in {b["id"] for b in before}]
        assert (row["type"], row["group"], row["severity"]) == ("wan_port_down", "marvis", "warn")
        assert (row["timestamp"], row["count"], row["site_id"]) == (T0, 1, site.site_id)
        assert row["id"] in sim.truth().alarm_ids
        assert [e["id"] for e in await _listed(client)] == [raised["id"]]
        assert await _clear(client) == 1
        assert await _listed(client) == []
        assert row["id"] not in {r["id"] for r in await client.walk_search(path, 1000)}
        assert row["id"] not in sim.truth().alarm_ids


async def test_a_degraded_site_shows_in_every_sle_view_and_the_truth() -> None:
    clock = ManualClock(T0)
    async with simulator(SimConfig(sites=30), clock) as (running, client):
        sim = running.simulator
        healthy = [s for s in sim.fleet.sites if (s.site_id, WAN) not in sim.truth().degraded]
        site = healthy[0]
        org = f"/api/v1/orgs/{sim.org_id}"
        await _add(client, kind="degraded", site=site.site_id, classifier="network-loss")
        assert (site.site_id, WAN) in sim.truth().degraded
        rows = await client.walk_body(f"{org}/insights/sites-sle", 1000, duration="1h")
        (row,) = [r for r in rows if r["site_id"] == site.site_id]
        assert row[WAN] < 0.6
        worst = await client.ok(f"{org}/insights/worst-sites-by-sle", sle=WAN, duration="1h")
        assert site.site_id in [r["site_id"] for r in worst["results"][:5]]
        sle = f"/api/v1/sites/{site.site_id}/sle/site/{site.site_id}/metric/{WAN}"
        trend = await client.ok(f"{sle}/summary-trend", duration="1d")
        (loss,) = [c for c in trend["classifiers"] if c["name"] == "network-loss"]
        totals = trend["sle"]["samples"]["total"]
        shares = [d / t for d, t in zip(loss["samples"]["degraded"], totals, strict=True)]
        assert min(shares) == pytest.approx(0.5, abs=0.01), "every hour of the day, severity 0.5"
        ports = await client.ok(f"{org}/stats/ports/search", site_id=site.site_id, limit=1000)
        mac, wan = site.gateways[0].mac, site.gateways[0].wan_ports[0].port_id
        (port,) = [p for p in ports["results"] if (p["mac"], p["port_id"]) == (mac, wan)]
        assert port["loss"] >= 2
        impacted = await client.ok(f"{sle}/impacted-interfaces", duration="1h")
        assert wan in {i["interface_name"] for i in impacted["interfaces"]}
        await _clear(client)
        assert (site.site_id, WAN) not in sim.truth().degraded


async def test_a_downed_gateway_and_port_show_in_stats_paths_and_the_truth() -> None:
    clock = ManualClock(T0)
    # Tidy: the events' own effect; with the live habits the offline gateway's paths keep
    # their last status (tests/simulator/test_live.py).
    async with simulator(SimConfig(sites=10, live=TIDY), clock) as (running, client):
        sim = running.simulator
        org = f"/api/v1/orgs/{sim.org_id}"
        gateway = sim.fleet.sites[1].gateways[0]
        port = sim.fleet.sites[2].gateways[0].wan_ports[1]
        port_mac = sim.fleet.sites[2].gateways[0].mac
        await _add(client, kind="gateway_down", site=1)
        added = await _add(client, kind="port_down", site=2, port=port.port_id)
        assert (added["gateway_mac"], added["port_id"]) == (port_mac, port.port_id)
        clock.advance(90)
        truth = sim.truth()
        assert gateway.mac in truth.gateways_down
        assert (port_mac, port.port_id) in truth.wan_ports_down
        devices = await client.walk_headers(f"{org}/stats/devices", 1000, type="gateway")
        by_mac = {d["mac"]: d for d in devices}
        assert by_mac[gateway.mac]["status"] == "disconnected"
        assert by_mac[port_mac]["if_stat"][port.if_name]["up"] is False
        rows = await client.walk_search(f"{org}/stats/ports/search", 1000, mac=port_mac)
        (row,) = [r for r in rows if r["port_id"] == port.port_id]
        assert (row["up"], row["rx_bps"], row["last_flapped"]) == (False, 0, T0)
        paths = await client.walk_search(f"{org}/stats/vpn_peers/search", 1000)
        assert all(not p["up"] for p in paths if p["mac"] == gateway.mac)
        through = [p for p in paths if (p["mac"], p["port_id"]) == (port_mac, port.port_id)]
        assert through
        assert all(not p["up"] and not p["is_active"] for p in through)
        assert await _clear(client) == 2
        assert sim.truth().gateways_down == sim.truth(T0 + 90).gateways_down - {gateway.mac}


@pytest.mark.parametrize(
    ("event", "error"),
    [
        ({"kind": "flood"}, "kind"),
        ({"site": 0}, "kind"),
        ({"kind": "alarm", "metric": WAN}, "unknown key"),
        ({"kind": "alarm", "site": 99}, "out of range"),
        ({"kind": "alarm", "site": "nope"}, "no site"),
        ({"kind": "alarm", "severity": "fatal"}, "severity"),
        ({"kind": "alarm", "count": 0}, "count"),
        ({"kind": "gateway_down", "gateway": 7}, "gateway"),
        ({"kind": "port_down", "port": "xe-9/9/9"}, "no WAN port"),
        ({"kind": "degraded", "metric": "wifi"}, "metric"),
        ({"kind": "degraded", "classifier": "system-memory"}, "not a classifier"),
        ({"kind": "degraded", "severity": 0}, "severity"),
        ({"kind": "degraded", "severity": "high"}, "number"),
        ({"kind": "port_down", "site": True}, "integer"),
    ],
)
async def test_events_are_validated(event: dict[str, Any], error: str) -> None:
    async with simulator(SimConfig(sites=3)) as (_, client):
        status, body = await _post(client, **event)
        assert status == 400
        assert error in body["detail"]
        assert await _listed(client) == []


async def test_events_given_at_start_by_config_or_flag() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--sites", "5", "--event", '{"kind": "degraded", "site": 1, "metric": "gateway-health"}']
    )
    config = config_from_args(args)
    assert config.events == (Event("degraded", site=1, metric="gateway-health"),)
    with pytest.raises(SystemExit):
        parser.parse_args(["--event", '{"kind": "alarm", "count": -1}'])
    async with serve(config, clock=ManualClock(T0)) as running:
        (placed,) = running.simulator.world.events
        assert placed.event.classifier == "gateway-disconnected"
        site = running.simulator.fleet.sites[1]
        assert (site.site_id, "gateway-health") in running.simulator.truth().degraded
        assert site.gateways[0].mac in running.simulator.truth().gateways_down
    with pytest.raises(ValueError, match="out of range"):
        async with serve(SimConfig(sites=2, events=(Event("alarm", site=2),))):
            pass
