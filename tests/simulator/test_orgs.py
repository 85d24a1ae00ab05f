"""A simulator of many orgs: tokens read the orgs they are scoped to, org and site paths serve
their org, events and ground truth are per org, and one org is the simulator it always was."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from exporter.clock import ManualClock
from exporter.simulator import SimConfig, Simulator, add_arguments
from exporter.simulator.flags import config_from_args
from exporter.simulator.fleet import build_fleet
from tests.simulator.support import T0, TIDY, Client, simulator

TOKENS = ("every-org", "org-one-only", "org-zero-only")
TWO_ORGS = SimConfig(sites=6, orgs=2, tokens=TOKENS, token_orgs=(None, (1,), (0,)), live=TIDY)


async def _privileges(client: Client, token: str) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/self", token=token)
    assert response.status == 200, response.text
    privileges: list[dict[str, Any]] = response.json()["privileges"]
    return privileges


async def _post(client: Client, **event: Any) -> tuple[int, Any]:
    async with client.session.post("/__sim/events", json=event) as resp:
        return resp.status, await resp.json()


async def test_self_lists_the_orgs_each_token_may_read() -> None:
    async with simulator(TWO_ORGS) as (running, client):
        zero, one = running.simulator.orgs
        assert zero.org_id != one.org_id
        assert zero.org_name != one.org_name
        listed = {token: await _privileges(client, token) for token in TOKENS}
    every = [
        {"scope": "org", "org_id": org.org_id, "name": org.org_name, "role": "admin"}
        for org in (zero, one)
    ]
    assert listed == {TOKENS[0]: every, TOKENS[1]: every[1:], TOKENS[2]: every[:1]}


async def test_org_paths_serve_their_org_and_refuse_orgs_outside_the_scope() -> None:
    async with simulator(TWO_ORGS) as (running, client):
        zero, one = running.simulator.orgs
        sites = {}
        for org in (zero, one):
            path = f"/api/v1/orgs/{org.org_id}/sites"
            rows = await client.walk_headers(path, 100, token=TOKENS[0])
            assert {row["org_id"] for row in rows} == {org.org_id}
            sites[org.index] = {row["id"] for row in rows}
            assert sites[org.index] == {site.site_id for site in org.fleet.sites}
            org_body = (await client.get(f"/api/v1/orgs/{org.org_id}", token=TOKENS[0])).json()
            assert (org_body["id"], org_body["name"]) == (org.org_id, org.org_name)
        assert len(sites[0]) == len(sites[1]) == 6
        assert not sites[0] & sites[1]
        refused = await client.get(f"/api/v1/orgs/{zero.org_id}/sites", token=TOKENS[1])
        assert refused.status == 403
        assert "detail" in refused.json()
        assert (await client.get(f"/api/v1/orgs/{one.org_id}", token=TOKENS[2])).status == 403
        assert (await client.get(f"/api/v1/orgs/{one.org_id}", token=TOKENS[1])).status == 200
        gateways = await client.walk_headers(
            f"/api/v1/orgs/{one.org_id}/stats/devices", 100, type="gateway", token=TOKENS[1]
        )
        assert {row["mac"] for row in gateways} == {gw.mac for gw in one.fleet.gateways}
        assert not {gw.mac for gw in one.fleet.gateways} & {gw.mac for gw in zero.fleet.gateways}
        const = await client.get("/api/v1/const/alarm_defs", token=TOKENS[1])
        assert const.status == 200


async def test_site_paths_route_to_the_org_owning_the_site() -> None:
    async with simulator(TWO_ORGS) as (running, client):
        zero, one = running.simulator.orgs
        site_id = one.fleet.sites[2].site_id
        path = f"/api/v1/sites/{site_id}/sle/site/{site_id}/metrics"
        assert (await client.get(path, token=TOKENS[1])).status == 200
        assert (await client.get(path, token=TOKENS[0])).status == 200
        assert (await client.get(path, token=TOKENS[2])).status == 403
        own = zero.fleet.sites[0].site_id
        assert (await client.get(path.replace(site_id, own), token=TOKENS[2])).status == 200
        unknown = "00000000-0000-4000-8000-000000000000"
        assert (await client.get(path.replace(site_id, unknown), token=TOKENS[0])).status == 404


async def test_events_go_to_the_org_named_or_owning_the_site_and_truth_is_per_org() -> None:
    clock = ManualClock(T0)
    async with simulator(TWO_ORGS, clock) as (running, client):
        zero, one = running.simulator.orgs
        status, body = await _post(client, kind="gateway_down", site=1, org_id=one.org_id)
        assert status == 201, body
        gateway = one.fleet.sites[1].gateways[0]
        assert (body["org_id"], body["gateway_mac"]) == (one.org_id, gateway.mac)
        target = one.fleet.sites[3]
        status, body = await _post(client, kind="degraded", site=target.site_id)
        assert (status, body["org_id"]) == (201, one.org_id)
        status, body = await _post(client, kind="alarm", site=0)
        assert (status, body["org_id"]) == (201, zero.org_id)
        status, body = await _post(client, kind="alarm", org_id="no-such-org")
        assert status == 400
        assert "no-such-org" in body["detail"]
        assert [e.event_id for e in one.world.events] == ["event-1", "event-2"]
        assert [e.event_id for e in zero.world.events] == ["event-3"]
        clock.advance(60)
        truth_zero, truth_one = zero.truth(), one.truth()
        assert (truth_zero.org_id, truth_one.org_id) == (zero.org_id, one.org_id)
        assert truth_one.sites == tuple(site.site_id for site in one.fleet.sites)
        assert not set(truth_zero.sites) & set(truth_one.sites)
        assert gateway.mac in truth_one.gateways_down
        assert gateway.mac not in truth_zero.gateways_down
        assert (target.site_id, "wan-link-health") in truth_one.degraded
        assert running.simulator.truth() == truth_zero
        async with client.session.delete("/__sim/events") as resp:
            assert (await resp.json())["cleared"] == 3


async def test_the_hourly_budget_is_per_token_across_the_orgs() -> None:
    config = SimConfig(sites=2, orgs=2, tokens=TOKENS[:2], calls_per_hour=3, live=TIDY)
    async with simulator(config) as (running, client):
        zero, one = running.simulator.orgs
        paths = [f"/api/v1/orgs/{org.org_id}" for org in (zero, one, zero, one)]
        statuses = [(await client.get(path, token=TOKENS[0])).status for path in paths]
        assert statuses == [200, 200, 200, 429]
        assert (await client.get(paths[1], token=TOKENS[1])).status == 200


def test_one_org_is_the_simulator_it_always_was_and_orgs_do_not_depend_on_their_count() -> None:
    clock = ManualClock(T0)
    single = Simulator(SimConfig(sites=5, seed=3), clock)
    (only,) = single.orgs
    assert only.fleet is build_fleet(3, 5)
    assert single.fleet is only.fleet
    assert (single.org_id, single.world, single.api) == (only.org_id, only.world, only.api)
    three = Simulator(SimConfig(sites=5, seed=3, orgs=3), clock)
    two = Simulator(SimConfig(sites=5, seed=3, orgs=2), clock)
    assert three.orgs[0].fleet is single.fleet
    assert [o.fleet for o in two.orgs] == [o.fleet for o in three.orgs[:2]]
    assert len({o.org_id for o in three.orgs}) == 3
    assert three.truth(T0 + 60) == single.truth(T0 + 60)


def test_flags_set_the_orgs_and_scope_tokens() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--orgs", "3", "--tokens", "a,b,c", "--token-orgs", "1=0,2", "--token-orgs", "2="]
    )
    config = config_from_args(args)
    assert (config.orgs, config.token_orgs) == (3, (None, (0, 2), ()))
    assert config_from_args(parser.parse_args([])).token_orgs == ()
    for wrong in ("1:0", "-1=0", "1=a"):
        with pytest.raises(SystemExit):
            parser.parse_args([f"--token-orgs={wrong}"])
    with pytest.raises(ValueError, match=r"org indexes are 0\.\.2"):
        config_from_args(
            parser.parse_args(["--orgs", "3", "--tokens", "a,b", "--token-orgs", "1=3"])
        )
    with pytest.raises(ValueError, match="scopes 2 tokens"):
        SimConfig(token_orgs=(None, None))
    with pytest.raises(ValueError, match="orgs must be at least 1"):
        SimConfig(orgs=0)
