"""The fleet is deterministic for a seed and a time, and it evolves as the clock moves."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

from exporter.clock import ManualClock
from exporter.simulator import RunningSimulator, SimConfig
from tests.simulator.support import T0, TIDY, Client, simulator


def _paths(running: RunningSimulator, site_id: str) -> list[tuple[str, dict[str, Any]]]:
    org = f"/api/v1/orgs/{running.simulator.org_id}"
    site = f"/api/v1/sites/{site_id}/sle/site/{site_id}"
    deep = ("summary-trend", "histogram", "threshold", "impact-summary", "impacted-gateways")
    return [
        ("/api/v1/self", {}),
        (org, {}),
        (f"{org}/sites", {}),
        (f"{org}/sitegroups", {}),
        (f"{org}/stats/devices", {"type": "gateway"}),
        (f"{org}/stats/ports/search", {"limit": 1000}),
        (f"{org}/stats/vpn_peers/search", {"limit": 1000}),
        (f"{org}/insights/sites-sle", {"sle": "wan"}),
        (f"{org}/insights/worst-sites-by-sle", {"sle": "wan"}),
        (f"{org}/alarms/search", {"duration": "7d", "limit": 1000}),
        (f"{site}/metrics", {}),
        *((f"{site}/metric/wan-link-health/{name}", {}) for name in deep),
        (f"{site}/metric/wan-link-health/impacted-interfaces", {}),
    ]


async def _bodies(config: SimConfig, now: float) -> list[str]:
    async with simulator(config, ManualClock(now)) as (running, client):
        site_id = running.simulator.truth().sites[0]
        bodies = []
        for path, query in _paths(running, site_id):
            response = await client.get(path, **query)
            assert response.status == 200, path
            bodies.append(response.text)
        return bodies


async def test_same_seed_and_time_give_the_same_bytes_and_another_seed_does_not() -> None:
    first = await _bodies(SimConfig(sites=60, seed=3), T0 + 1234.5)
    assert first == await _bodies(SimConfig(sites=60, seed=3), T0 + 1234.5)
    other = await _bodies(SimConfig(sites=60, seed=4), T0 + 1234.5)
    same = [i for i, (a, b) in enumerate(zip(first, other, strict=True)) if a == b]
    assert same == [10, 13]  # the lists of enabled metrics and the thresholds do not vary


async def _ports(client: Client, org_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows = await client.walk_search(f"/api/v1/orgs/{org_id}/stats/ports/search", 1000)
    return {(row["mac"], row["port_id"]): row for row in rows}


async def test_counters_grow_and_ports_flap_over_time() -> None:
    clock = ManualClock(T0)
    # Tidy: the walk checks paging totals, and repeated rows would show their older state.
    async with simulator(SimConfig(sites=300, live=TIDY), clock) as (running, client):
        org_id = running.simulator.org_id
        snapshots = []
        uptimes = []
        for _ in range(8):
            snapshots.append(await _ports(client, org_id))
            devices = await client.walk_headers(
                f"/api/v1/orgs/{org_id}/stats/devices", 1000, type="gateway"
            )
            uptimes.append({d["mac"]: d["uptime"] for d in devices if d["status"] == "connected"})
            clock.advance(10800)
        grew = rebooted = 0
        for i, (before, after) in enumerate(itertools.pairwise(snapshots)):
            for key, row in before.items():
                if uptimes[i + 1].get(key[0], 10800) < 10800:
                    rebooted += 1
                    assert after[key]["rx_bytes"] < row["rx_bytes"]
                    continue
                assert after[key]["rx_bytes"] >= row["rx_bytes"]
                assert after[key]["last_flapped"] >= row["last_flapped"]
                grew += after[key]["rx_bytes"] > row["rx_bytes"]
        assert rebooted > 0
        assert grew > 0.9 * 7 * len(snapshots[0])
        flapped = {
            k
            for k, row in snapshots[0].items()
            if snapshots[-1][k]["last_flapped"] != row["last_flapped"]
        }
        assert flapped
        ups = defaultdict(set)
        for snapshot in snapshots:
            for key, row in snapshot.items():
                ups[key].add(row["up"])
        assert any(states == {True, False} for states in ups.values())
        rates = [row["rx_bps"] for row in snapshots[0].values() if row["up"]]
        assert len(set(rates)) > len(rates) // 2


async def test_degradations_come_and_go_and_match_the_ground_truth() -> None:
    clock = ManualClock(T0)
    async with simulator(SimConfig(sites=300), clock) as (running, client):
        path = f"/api/v1/orgs/{running.simulator.org_id}/insights/sites-sle"
        seen = []
        for _ in range(4):
            rows = await client.walk_body(path, 1000, sle="wan", duration="1h")
            degraded = {
                (row["site_id"], key.replace("_", "-"))
                for row in rows
                for key, value in row.items()
                if not key.startswith("num_") and key != "site_id" and value < 0.9
            }
            assert degraded == running.simulator.truth().degraded
            assert 0 < len(degraded) < 0.2 * 300
            seen.append(degraded)
            clock.advance(3 * 3600)
        assert seen[0] != seen[1] != seen[2]
        assert seen[0] - seen[2]


async def test_alarms_arrive_over_time() -> None:
    clock = ManualClock(T0)
    async with simulator(SimConfig(sites=300), clock) as (running, client):
        path = f"/api/v1/orgs/{running.simulator.org_id}/alarms/search"
        before = await client.walk_search(path, 1000, start=int(T0 - 86400))
        clock.advance(3600)
        after = await client.walk_search(path, 1000, start=int(T0 - 86400))
        assert {a["id"] for a in before} < {a["id"] for a in after}
        new = [a for a in after if a["timestamp"] >= T0]
        assert new
        assert {a["group"] for a in after} == {"infrastructure", "marvis", "security"}
        assert {a["severity"] for a in after} == {"critical", "warn", "info"}


async def test_paths_fail_over_and_gateways_disconnect() -> None:
    clock = ManualClock(T0)
    # Tidy: failover is read from the rows of one walk, each path once and current.
    async with simulator(SimConfig(sites=300, live=TIDY), clock) as (running, client):
        org = f"/api/v1/orgs/{running.simulator.org_id}"
        failovers = disconnected = without_quality = 0
        for _ in range(6):
            rows = await client.walk_search(f"{org}/stats/vpn_peers/search", 1000)
            pairs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
            for row in rows:
                pairs[(row["mac"], row["peer_mac"])].append(row)
            for paths in pairs.values():
                up = [p for p in paths if p["up"]]
                active = [p for p in paths if p["is_active"]]
                assert active == up[:1]
                failovers += bool(up) and not paths[0]["up"]
            without_quality += sum(1 for r in rows if r["up"] and "latency" not in r)
            devices = await client.walk_headers(f"{org}/stats/devices", 1000, type="gateway")
            disconnected += sum(1 for d in devices if d["status"] == "disconnected")
            clock.advance(4 * 3600)
        assert failovers > 0
        assert disconnected > 0
        assert without_quality > 0
