"""BGP peers and secure-edge tunnels: what the searches serve, how it moves, the ground truth."""

from __future__ import annotations

import pytest

from exporter.clock import ManualClock
from exporter.simulator import SimConfig
from exporter.simulator.dynamics import World
from exporter.simulator.fleet import build_fleet
from exporter.simulator.routing import OVERLAY_VRF, States, of, routing_truth
from tests.simulator.support import T0, simulator

HOUR = 3600.0


async def test_walks_page_every_session_and_tunnel_and_match_the_truth() -> None:
    async with simulator(SimConfig(sites=60)) as (running, client):
        sim = running.simulator
        org = f"/api/v1/orgs/{sim.org_id}"
        peers = await client.walk_search(f"{org}/stats/bgp_peers/search", 50)
        tunnels = await client.walk_search(f"{org}/stats/tunnels/search", 50, type="wan")
        truth = sim.truth().routing
    assert [(p["site_id"], p["mac"], p["neighbor"], p["vrf_name"]) for p in peers] == list(
        truth.bgp_peers
    )
    assert {
        (p["site_id"], p["mac"], p["neighbor"], p["vrf_name"]) for p in peers if not p["up"]
    } == (truth.bgp_peers_down)
    assert [(t["site_id"], t["mac"], t["tunnel_name"], t["peer_host"]) for t in tunnels] == list(
        truth.tunnels
    )
    assert {t["peer_host"].split(".")[-2] for t in tunnels} == {"zscaler", "gpcloudservice"}
    for gateway in sim.fleet.gateways:
        mine = [p for p in peers if p["mac"] == gateway.mac]
        overlay = [p for p in mine if p["vrf_name"] == OVERLAY_VRF]
        assert {p["neighbor_mac"] for p in overlay} == {hub.mac for hub in sim.fleet.hubs}
        has_mpls = any(port.transport == "mpls" for port in gateway.wan_ports)
        assert len(mine) - len(overlay) == has_mpls


async def test_tunnel_search_defaults_to_mist_edge_tunnels_which_the_org_has_none_of() -> None:
    async with simulator(SimConfig(sites=5)) as (running, client):
        org = f"/api/v1/orgs/{running.simulator.org_id}"
        body = await client.ok(f"{org}/stats/tunnels/search")
        bad = await client.get(f"{org}/stats/tunnels/search", type="gre")
    assert (body["total"], body["results"]) == (0, [])
    assert bad.status == 400


async def test_a_downed_gateway_takes_its_sessions_and_tunnels_down() -> None:
    clock = ManualClock(T0)
    async with simulator(SimConfig(sites=10), clock) as (running, client):
        sim = running.simulator
        org = f"/api/v1/orgs/{sim.org_id}"
        gateway = sim.fleet.sites[1].gateways[0]
        async with client.session.post(
            "/__sim/events",
            json={"kind": "gateway_down", "site": 1},
            headers={"Authorization": f"Token {client.token}"},
        ) as resp:
            assert resp.status == 201
        clock.advance(90)
        peers = await client.walk_search(f"{org}/stats/bgp_peers/search", 1000, mac=gateway.mac)
        tunnels = await client.walk_search(
            f"{org}/stats/tunnels/search", 1000, type="wan", mac=gateway.mac
        )
    assert peers
    assert tunnels
    assert all(not p["up"] and p["state"] != "established" and p["uptime"] == 0 for p in peers)
    assert all(not t["up"] and t["last_event"] == "gateway disconnected" for t in tunnels)


@pytest.mark.slow
def test_sessions_flap_and_go_down_somewhere_in_a_large_fleet_and_counters_only_grow() -> None:
    fleet = build_fleet(7, 200)
    world = World(fleet)
    links = [s.link for s in of(world).bgp] + [t.link for t in of(world).tunnels]
    down_somewhere = flapped = 0
    before = States(world, T0)
    for hour in range(2, 26, 2):
        now = T0 + hour * HOUR
        after = States(world, now)
        for link in links:
            old, new = before.link(link), after.link(link)
            reboot = world.boot_time(link.gateway, now) > T0 + (hour - 2) * HOUR
            assert reboot or new.flaps >= old.flaps
            if new.up:
                assert new.since <= now
        truth = routing_truth(world, now)
        down_somewhere += len(truth.bgp_peers_down) + len(truth.tunnels_down)
        flapped += sum(after.link(link).flaps > 0 for link in links[:200])
        before = after
    assert down_somewhere > 0
    assert flapped > 0
