"""The live cloud's habits (``exporter.simulator.live``): each one on, and off."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

import pytest

from exporter.clock import ManualClock
from exporter.simulator import SimConfig, add_arguments
from exporter.simulator import live as habits
from exporter.simulator.events import Event
from exporter.simulator.flags import config_from_args
from tests.simulator.support import T0, TIDY, Client, simulator

ORG = "/api/v1/orgs/{org}"
PathKey = tuple[str, str, str, str, str]


async def walk(client: Client, path: str, limit: int = 1000, **params: Any) -> list[Any]:
    """Every row of a search walk as served, repeats included (``next`` until absent)."""
    body = await client.ok(path, limit=limit, **params)
    rows = list(body["results"])
    while "next" in body:
        body = await client.ok(body["next"])
        rows.extend(body["results"])
    return rows


def path_key(row: dict[str, Any]) -> PathKey:
    """A path's identity ("" for a row without ``peer_port_id``, which cannot be named)."""
    return (
        row["site_id"],
        row["mac"],
        row["port_id"],
        row["peer_mac"],
        row.get("peer_port_id", ""),
    )


def port_key(row: dict[str, Any]) -> tuple[str, str]:
    return (row["mac"], row["port_id"])


def newest(rows: list[dict[str, Any]], key: Any, stamp: str | None = None) -> dict[Any, Any]:
    """What a reader keeps: per identity the newest row (later rows win ties)."""
    kept: dict[Any, dict[str, Any]] = {}
    for row in rows:
        k = key(row)
        if k in kept and stamp and row[stamp] < kept[k][stamp]:
            continue
        kept[k] = row
    return kept


async def _both(
    live: frozenset[str], path: str, clock_at: float = T0, sites: int = 300, **params: Any
) -> tuple[list[Any], list[Any]]:
    """The rows of one walk with ``live`` and with the tidy simulator, at the same time."""
    found = []
    for config in (SimConfig(sites=sites, live=live), SimConfig(sites=sites, live=TIDY)):
        async with simulator(config, ManualClock(clock_at)) as (running, client):
            found.append(await walk(client, path.format(org=running.simulator.org_id), **params))
    return found[0], found[1]


def test_all_habits_are_on_by_default_and_switch_off_by_name() -> None:
    assert SimConfig().live == habits.ALL
    assert len(habits.ALL) == 11
    assert habits.without(["page_repeats"]) == habits.ALL - {"page_repeats"}
    assert habits.without(["all"]) == frozenset()
    with pytest.raises(ValueError, match="unknown live behaviour"):
        habits.without(["page_repeat"])
    with pytest.raises(ValueError, match="alarm_start"):
        SimConfig(alarm_start="created")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--no-live", "ha_nodes", "--no-live", "stale_paths", "--alarm-start", "last_seen"]
    )
    config = config_from_args(args)
    assert config.live == habits.ALL - {"ha_nodes", "stale_paths"}
    assert config.alarm_start == "last_seen"
    assert config_from_args(parser.parse_args(["--no-live", "all"])).live == TIDY


@pytest.mark.slow
async def test_rows_changed_mid_walk_come_again_on_the_next_page_newer() -> None:
    for search, key, stamp in (
        ("/stats/ports/search", port_key, None),
        ("/stats/vpn_peers/search", path_key, "last_seen"),
    ):
        rows, tidy = await _both(frozenset({habits.PAGE_REPEATS}), ORG + search, limit=100)
        counts = Counter(key(row) for row in rows)
        twice = [k for k, n in counts.items() if n == 2]
        assert twice, search
        assert max(counts.values()) == 2
        assert len(rows) == len(tidy) + len(twice)
        for k in twice:
            first, again = [row for row in rows if key(row) == k]
            assert first["up"] != again["up"], "the older copy has the state before the change"
            if stamp:
                assert first[stamp] < again[stamp]
        assert newest(rows, key, stamp) == newest(tidy, key)
        off, _ = await _both(TIDY, ORG + search, limit=100)
        assert len(off) == len({key(row) for row in off})


async def test_some_paths_come_twice_like_the_spec_example() -> None:
    rows, tidy = await _both(frozenset({habits.DUPLICATE_PATHS}), ORG + "/stats/vpn_peers/search")
    counts = Counter(path_key(row) for row in rows)
    twice = [k for k, n in counts.items() if n == 2]
    assert 0 < len(twice) < 0.05 * len(counts)
    for k in twice:
        i = next(i for i, row in enumerate(rows) if path_key(row) == k)
        first, second = rows[i], rows[i + 1]
        assert path_key(second) == k
        assert first["last_seen"] == second["last_seen"]
        assert "latency" not in first
        assert "mos" not in first
    assert newest(rows, path_key, "last_seen") == newest(tidy, path_key)


@pytest.mark.slow
async def test_optional_fields_are_missing_on_some_rows_only_when_on() -> None:
    async with simulator(SimConfig(sites=300, live=frozenset({habits.MISSING_FIELDS}))) as (
        running,
        client,
    ):
        org = ORG.format(org=running.simulator.org_id)
        peers = await walk(client, f"{org}/stats/vpn_peers/search")
        ports = await walk(client, f"{org}/stats/ports/search")
        devices = await client.ok(f"{org}/stats/devices", type="gateway", limit=1000)
        no_peer_port = sum("peer_port_id" not in row for row in peers)
        assert 0 < no_peer_port < 0.02 * len(peers)
        assert 0 < sum("uptime" not in row for row in peers) < 0.1 * len(peers)
        assert all({"mac", "port_id", "peer_mac", "site_id", "up"} <= row.keys() for row in peers)
        assert 0 < sum("speed" not in row for row in ports) < 0.1 * len(ports)
        assert 0 < sum("serial" not in row for row in devices) < 0.1 * len(devices)
        truth = running.simulator.truth()
        assert len(truth.live.unnamed_paths) == no_peer_port
        site = running.simulator.fleet.sites[0]
        base = f"/api/v1/sites/{site.site_id}/sle/site/{site.site_id}/metric/wan-link-health"
        trend = await client.ok(f"{base}/summary-trend", duration="2h")
        bare = [c for c in trend["classifiers"] if "samples" not in c]
        assert bare
        assert all(c["name"] for c in bare)
    async with simulator(SimConfig(sites=300, live=TIDY)) as (running, client):
        org = ORG.format(org=running.simulator.org_id)
        peers = await walk(client, f"{org}/stats/vpn_peers/search")
        assert all("peer_port_id" in row and "uptime" in row for row in peers)
        assert not running.simulator.truth().live.unnamed_paths


async def test_impacted_gateways_leave_out_gateway_mac_on_some_rows() -> None:
    async with simulator(SimConfig(sites=400, live=frozenset({habits.MISSING_FIELDS}))) as (
        running,
        client,
    ):
        gateways = [
            gw for gw in running.simulator.fleet.gateways if habits.missing(gw.key, "gateway_mac")
        ]
        assert gateways
        site = running.simulator.fleet.sites[gateways[0].site_index]
        base = f"/api/v1/sites/{site.site_id}/sle/site/{site.site_id}/metric/gateway-health"
        rows = (await client.ok(f"{base}/impacted-gateways", duration="7d"))["gateways"]
        assert any("gateway_mac" not in row and row["name"] for row in rows)


@pytest.mark.slow
async def test_offline_gateways_keep_their_last_status_in_ports_and_paths() -> None:
    event = Event("gateway_down", site=1)
    for live in (habits.ALL, TIDY):
        clock = ManualClock(T0)
        config = SimConfig(sites=300, live=live, events=(event,))
        async with simulator(config, clock) as (running, client):
            sim = running.simulator
            gateway = sim.fleet.sites[1].gateways[0]
            clock.advance(1200)
            org = ORG.format(org=sim.org_id)
            ports = await walk(client, f"{org}/stats/ports/search", mac=gateway.mac)
            wan = [r for r in ports if r["port_usage"] == "wan"]
            paths = await walk(client, f"{org}/stats/vpn_peers/search", mac=gateway.mac)
            recent = await walk(
                client, f"{org}/stats/vpn_peers/search", start=int(clock.time() - 900)
            )
            everything = await walk(client, f"{org}/stats/vpn_peers/search")
            truth = sim.truth()
        assert {(gateway.mac, r["port_id"]) for r in wan} <= truth.wan_ports_down
        named = {path_key(r) for r in paths if "peer_port_id" in r}
        assert named <= truth.live.offline_paths
        assert not {path_key(r) for r in recent if "peer_port_id" in r} & truth.live.ghost_paths
        if live:
            assert any(r["up"] and r["rx_bps"] > 0 for r in wan), "the last status before"
            assert all(r["last_seen"] == T0 - 1 for r in paths)
            assert any(r["up"] for r in paths)
            assert gateway.mac not in {r["mac"] for r in recent}, "older than the window"
            ghosts = [r for r in everything if path_key(r) in truth.live.ghost_paths]
            assert ghosts
            assert all(
                clock.time() - 86400 <= r["last_seen"] <= clock.time() - 3600 for r in ghosts
            )
        else:
            assert all(not r["up"] and r["rx_bps"] == 0 for r in wan)
            assert all(not r["up"] and r["last_seen"] == clock.time() for r in paths)
            assert not truth.live.ghost_paths


async def test_summary_trend_starts_off_the_hour_with_a_partial_last_bucket() -> None:
    start, end = T0 - 86400 + 1200, T0 + 1800
    totals = {}
    for live in (frozenset({habits.TREND_OFFSET}), TIDY):
        async with simulator(SimConfig(sites=20, live=live)) as (running, client):
            site = running.simulator.fleet.sites[3].site_id
            trend = await client.ok(
                f"/api/v1/sites/{site}/sle/site/{site}/metric/wan-link-health/summary-trend",
                start=int(start),
                end=int(end),
            )
            totals[bool(live)] = trend["sle"]["samples"]["total"]
            if live:
                assert trend["start"] == start
                assert len(totals[True]) == 25  # 24 whole hours from start, then 10 minutes
                assert totals[True][-1] < min(totals[True][:-1])
            else:
                assert trend["start"] == T0 - 86400
    assert sum(totals[True]) == pytest.approx(
        sum(totals[False]) - totals[False][0] * 1200 / 3600, rel=1e-3
    )


async def test_short_windows_and_gateway_interfaces_are_refused() -> None:
    for live in (frozenset({habits.SHORT_WINDOW_400}), TIDY):
        async with simulator(SimConfig(sites=20, live=live)) as (running, client):
            site = running.simulator.fleet.sites[0].site_id
            base = f"/api/v1/sites/{site}/sle/site/{site}/metric"
            statuses = [
                (await client.get(f"{base}/wan-link-health/{what}", duration=duration)).status
                for what, duration in (
                    ("summary-trend", "30m"),
                    ("histogram", "30m"),
                    ("impacted-interfaces", "30m"),
                    ("summary-trend", "1h"),
                    ("classifiers", "30m"),
                )
            ]
            gateway = await client.get(f"{base}/gateway-health/impacted-interfaces")
            if live:
                assert statuses == [400, 400, 400, 200, 200]
                assert gateway.status == 400
            else:
                assert statuses == [200] * 5
                assert (gateway.status, gateway.json()["interfaces"]) == (200, [])


async def test_wan_link_health_v2_is_zero_without_monitored_paths() -> None:
    for live in (frozenset({habits.NO_PATHS_ZERO}), TIDY):
        async with simulator(SimConfig(sites=300, spelling="live", live=live)) as (running, client):
            org = ORG.format(org=running.simulator.org_id)
            rows = (await client.ok(f"{org}/insights/sites-sle", sle="wan", limit=1000))["results"]
            zero = {r["site_id"] for r in rows if r["wan-link-health-v2"] == 0}
            degraded = running.simulator.truth().degraded
        if live:
            assert 0 < len(zero) < 0.1 * len(rows)
            assert all(r["wan-link-health"] > 0 for r in rows if r["site_id"] in zero)
            assert not {(site, "wan-link-health-v2") for site in zero} & degraded
        else:
            assert not zero
            assert all(r["wan-link-health-v2"] == r["wan-link-health"] for r in rows)
        assert not {m for _, m in degraded} - habits_health()


def habits_health() -> set[str]:
    return {"gateway-health", "wan-link-health", "wan-link-health-v2", "application-health"}


async def test_worst_sites_refuse_what_they_do_not_rank() -> None:
    for live in (frozenset({habits.WORST_SITES_REFUSAL}), TIDY):
        async with simulator(SimConfig(sites=30, spelling="live", live=live)) as (running, client):
            path = f"{ORG.format(org=running.simulator.org_id)}/insights/worst-sites-by-sle"
            statuses = [
                (await client.get(path, sle=sle)).status
                for sle in ("gateway-bandwidth", "wan-link-health-v2", "wan-link-health", "wan")
            ]
        assert statuses == ([400, 400, 200, 200] if live else [200] * 4)


async def _alarm_rows(config: SimConfig, at: float, **query: Any) -> list[dict[str, Any]]:
    async with simulator(config, ManualClock(at)) as (running, client):
        return await walk(
            client, f"{ORG.format(org=running.simulator.org_id)}/alarms/search", **query
        )


async def test_open_alarms_grow_and_the_truth_counts_their_incidents() -> None:
    config = SimConfig(sites=600, live=frozenset({habits.ALARM_GROWTH}))
    early = await _alarm_rows(config, T0, start=int(T0 - 3 * 3600))
    late = await _alarm_rows(config, T0 + 7200, start=int(T0 - 3 * 3600), end=int(T0))
    tidy = await _alarm_rows(
        SimConfig(sites=600, live=TIDY), T0 + 7200, start=int(T0 - 3 * 3600), end=int(T0)
    )
    before = {a["id"]: a for a in early}
    grown = [a for a in late if a["count"] > before[a["id"]]["count"]]
    assert grown
    for alarm in grown:
        assert alarm["last_seen"] > before[alarm["id"]]["last_seen"]
        assert alarm["timestamp"] == before[alarm["id"]]["timestamp"]
    assert {a["id"]: a["count"] for a in late} == {a["id"]: a["count"] for a in tidy}
    assert any(a["count"] > 1 and a["timestamp"] > T0 - 600 for a in tidy), "tidy: final at once"
    async with simulator(config, ManualClock(T0)) as (running, _):
        truth = running.simulator.truth(alarms_since=T0 - 3 * 3600)
    assert sum(truth.live.incidents().values()) == sum(a["count"] for a in early)
    assert len(truth.alarm_ids) == len(early)


async def test_alarm_start_filters_on_timestamp_or_last_seen() -> None:
    found = {}
    for field in ("timestamp", "last_seen"):
        config = SimConfig(sites=300, alarm_start=field)
        found[field] = await _alarm_rows(config, T0, start=int(T0 - 3600))
    by_ts = {a["id"] for a in found["timestamp"]}
    by_seen = {a["id"] for a in found["last_seen"]}
    assert all(a["timestamp"] >= T0 - 3600 for a in found["timestamp"])
    assert all(a["last_seen"] >= T0 - 3600 for a in found["last_seen"])
    assert by_seen - by_ts, "alarms raised before the window that recurred inside it"


async def test_alarm_volume_follows_alarms_per_site_hour() -> None:
    async with simulator(SimConfig(sites=500, alarms_per_site_hour=1.0)) as (running, client):
        truth = running.simulator.truth()
        body = await client.ok(
            f"{ORG.format(org=running.simulator.org_id)}/alarms/search", limit=10
        )
    assert 11_000 < len(truth.alarm_ids) < 13_000  # 500 sites x 24 h
    assert body["total"] == len(truth.alarm_ids)


async def test_ha_clusters_report_their_second_node() -> None:
    for live in (frozenset({habits.HA_NODES}), TIDY):
        async with simulator(SimConfig(sites=100, live=live)) as (running, client):
            org = ORG.format(org=running.simulator.org_id)
            devices = await client.ok(f"{org}/stats/devices", type="gateway", limit=1000)
            ports = await walk(client, f"{org}/stats/ports/search")
            truth = running.simulator.truth()
        ha = {gw.mac for gw in running.simulator.fleet.gateways if gw.ha}
        assert ha
        assert {mac for mac, _, _ in truth.live.ha_ports} == ha
        pairs = [d for d in devices if d["mac"] in ha]
        if live:
            for device in pairs:
                assert {"if2_stat", "cpu2_stat", "memory2_stat"} <= device.keys()
                assert device["if2_stat"]
                assert not device["if_stat"].keys() & device["if2_stat"].keys()
            nodes = {(r["mac"], r["port_id"], r["node"]) for r in ports if "node" in r}
            assert nodes == truth.live.ha_ports | {
                (r["mac"], r["port_id"], "node0")
                for r in ports
                if r["mac"] in ha and r["port_usage"] == "lan"
            }
            assert all("node" not in r for r in ports if r["mac"] not in ha)
        else:
            assert not any("if2_stat" in d or "cpu2_stat" in d for d in devices)
            assert all("node" not in r for r in ports)
