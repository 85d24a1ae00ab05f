"""BGP peers and tunnels collected from the simulator over HTTP equal its ground truth."""

from __future__ import annotations

from exporter.clock import ManualClock
from exporter.simulator import SimConfig, serve
from exporter.state.memory import MemoryStore
from tests.collect.harness import collection

START = 1_800_000_000.0 + 1800


async def test_collected_peers_and_tunnels_equal_the_simulators_truth() -> None:
    clock = ManualClock(START)
    async with serve(SimConfig(sites=300, seed=7), clock=clock) as sim:
        org = sim.simulator.org_id
        async with collection(sim.base_url, org, MemoryStore(clock), clock) as stack:
            jobs = stack.scheduler.jobs
            for name in ("gateways", "bgp_peers", "tunnels"):
                await stack.scheduler.run_job(jobs[name])
            first = stack.publisher.snapshot
            truth = sim.simulator.truth(clock.time()).routing
            clock.advance(300)
            await stack.scheduler.run_job(jobs["tunnels"])
            second = stack.publisher.snapshot
            statuses = {s.job: s.last_error for s in stack.scheduler.statuses()}
    assert statuses["bgp_peers"] is None
    assert statuses["tunnels"] is None
    peers = {(p.site_id, p.gateway_mac, p.neighbor, p.vrf): p for p in first.bgp_peers}
    assert set(peers) == set(truth.bgp_peers)
    assert {k for k, p in peers.items() if not p.up} == truth.bgp_peers_down
    assert truth.bgp_peers_down
    assert all(p.state == "established" for p in peers.values() if p.up)
    tunnels = {(t.site_id, t.gateway_mac, t.tunnel_name, t.peer_host): t for t in first.wan_tunnels}
    assert set(tunnels) == set(truth.tunnels)
    assert {k for k, t in tunnels.items() if not t.up} == truth.tunnels_down
    for t in first.wan_tunnels:
        assert (t.last_flap_timestamp is not None) == t.up
    # Flap times only move forward (a flappy tunnel may flap between runs; most keep theirs);
    # a tunnel down in both runs gets no invented one.
    again = {(t.gateway_mac, t.tunnel_name): t for t in second.wan_tunnels}
    kept = 0
    for t in first.wan_tunnels:
        later = again[(t.gateway_mac, t.tunnel_name)]
        if t.up and later.up:
            assert (later.last_flap_timestamp or 0) >= (t.last_flap_timestamp or 0)
            kept += later.last_flap_timestamp == t.last_flap_timestamp
        if not t.up and not later.up:
            assert later.last_flap_timestamp is None
    assert kept > 0.9 * len(first.wan_tunnels)
