"""Many orgs in one exporter: a two-org simulator, tokens scoped two ways, one /metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest
from prometheus_client.samples import Sample

from exporter.clock import ManualClock
from exporter.collect.merged import MergedSource
from exporter.collect.orgs import Orgs
from exporter.config import Config, load_config
from exporter.metrics.render import Format, MetricsRenderer
from exporter.metrics.requests import RequestRecorder
from exporter.mist.errors import OrgDiscoveryError
from exporter.service import collection, orgs_to_export, run_exporter
from exporter.simulator import SimConfig, Simulator, serve
from exporter.state.memory import MemoryStore
from exporter.web.readiness import readiness
from tests.metrics.exposition import parse

pytestmark = pytest.mark.slow  # five simulated two-org runs: the inner loop skips them

START = 1_800_000_000.0 + 1800
TOKENS = ("tok-both-orgs-0123456789", "tok-second-org-0123456789")
# token_orgs: one token reads both orgs; or one token per org.
SCOPES = {"one token, both orgs": ((0, 1),), "one token per org": ((0,), (1,))}


def config_for(base_url: str, tokens: tuple[str, ...], org_id: str = "") -> Config:
    env = {"MIST_HOST": base_url, "MIST_APITOKEN": ",".join(tokens), "MIST_ORG_ID": org_id}
    config = load_config(None, env)
    return replace(config, mist=replace(config.mist, max_retries=1))


@asynccontextmanager
async def two_orgs(
    scope: tuple[tuple[int, ...], ...],
) -> AsyncIterator[tuple[Simulator, Orgs, ManualClock]]:
    """Both orgs collected once (every job), from a simulator of two orgs of 30 sites."""
    clock = ManualClock(START)
    tokens = TOKENS[: len(scope)]
    sim_config = SimConfig(sites=30, seed=11, orgs=2, tokens=tokens, token_orgs=scope)
    async with serve(sim_config, clock=clock) as sim:
        config = config_for(sim.base_url, tokens)
        readable = await orgs_to_export(config, clock)
        stores = {org_id: MemoryStore(clock) for org_id in readable}
        async with collection(config, readable, stores, clock) as orgs:
            for stack in orgs.stacks:
                await stack.scheduler.tick()
            yield sim.simulator, orgs, clock


def by_org(samples: list[Sample], sites: dict[str, str]) -> dict[str, list[Sample]]:
    """Samples keyed by the org of their site (``mist_site_info`` joins site_id to org_id)."""
    grouped: dict[str, list[Sample]] = {}
    for s in samples:
        grouped.setdefault(sites[s.labels["site_id"]], []).append(s)
    return grouped


@pytest.mark.parametrize("scope", SCOPES.values(), ids=SCOPES.keys())
async def test_every_org_is_published_as_the_simulator_has_it(
    scope: tuple[tuple[int, ...], ...],
) -> None:
    async with two_orgs(scope) as (simulator, orgs, clock):
        source = MergedSource(orgs)
        text = b"".join(await MetricsRenderer(source, RequestRecorder()).body(Format.TEXT))
        status = source.status()
        truths = {o.org_id: o.truth(clock.time()) for o in simulator.orgs}
        names = {o.org_id: o.org_name for o in simulator.orgs}
        capacity = sum(s.client.calls_per_hour_capacity for s in orgs.stacks)
        targets = sum(s.scheduler.plan.target_calls_per_hour for s in orgs.stacks)
        budget_share = orgs.config.collect.budget_share
    families = parse(text.decode())
    org_info = families["mist_org_info"].samples
    assert {s.labels["org_id"]: s.labels["org_name"] for s in org_info} == names
    sites = {s.labels["site_id"]: s.labels["org_id"] for s in families["mist_site_info"].samples}
    gateways = by_org(families["mist_gateway_info"].samples, sites)
    alarms = by_org(families["mist_alarms"].samples, sites)
    for org_id, truth in truths.items():
        assert sorted(s for s, o in sites.items() if o == org_id) == sorted(truth.sites)
        published = {(g.labels["site_id"], g.labels["gateway_mac"]) for g in gateways[org_id]}
        assert published == set(truth.gateways)
        assert sum(a.value for a in alarms.get(org_id, [])) == len(truth.alarm_ids)
    incidents = {s.labels["org_id"] for s in families["mist_alarm_incidents"].samples}
    assert incidents <= set(truths)
    # One budget: the orgs' plans together within the target share of the tokens' hours.
    planned = families["mist_api_planned_calls_per_hour"].samples
    assert {s.labels["org_id"] for s in planned} == set(truths)
    assert capacity == pytest.approx(len(scope) * 5000)
    assert targets == pytest.approx(budget_share * capacity)
    assert sum(s.value for s in planned) <= budget_share * capacity + 1e-6
    assert readiness(status, clock.time()).ready
    assert {o.org_id for o in status.orgs} == set(truths)


async def test_the_merged_snapshot_is_rebuilt_only_where_an_org_changed() -> None:
    async with two_orgs(SCOPES["one token, both orgs"]) as (_, orgs, _clock):
        source = MergedSource(orgs)
        renderer = MetricsRenderer(source, RequestRecorder())
        await renderer.body(Format.TEXT)
        first = source.snapshot
        assert source.snapshot is first
        second_org = orgs.stacks[1]
        await second_org.scheduler.run_job(second_org.scheduler.jobs["alarms"])
        rendered = renderer.part_renders
        await renderer.body(Format.TEXT)
        after = source.snapshot
    assert after is not first
    assert renderer.part_renders == rendered + 1  # the alarms part alone
    for name in ("inventories", "gateways", "wan_ports", "peer_paths", "sle_scores"):
        assert getattr(after, name) is getattr(first, name), name


async def test_webhook_events_go_to_their_org_and_unknown_orgs_are_counted() -> None:
    async with two_orgs(SCOPES["one token per org"]) as (simulator, orgs, _clock):
        first, second = (o.org_id for o in simulator.orgs)
        event = {
            "type": "GW_CONFIGURED",
            "mac": "5c5b35000001",
            "device_type": "gateway",
            "site_id": "s1",
            "timestamp": START,
        }
        events = [{**event, "org_id": first}, {**event, "org_id": "not-ours"}, event]
        await orgs.router.deliver("device-events", events)
        counted = {(s.org_id, t, o): n for s in orgs.stacks for t, o, n in s.intake.counts()}
        merged = {(t, o): n for t, o, n in orgs.status().webhook_events}
    assert counted == {(first, "device-events", "ignored"): 1}
    assert second not in {org for org, _, _ in counted}
    assert merged == {("device-events", "ignored"): 1, ("device-events", "unknown_org"): 2}


async def test_a_listed_org_no_token_reads_stops_the_exporter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = ManualClock(START)
    sim_config = SimConfig(sites=5, seed=11, orgs=2, tokens=TOKENS[:1], token_orgs=((0,),))
    async with serve(sim_config, clock=clock) as sim:
        readable_org, other_org = (o.org_id for o in sim.simulator.orgs)
        config = config_for(sim.base_url, TOKENS[:1], f"{readable_org},{other_org}")
        with pytest.raises(OrgDiscoveryError) as caught:
            await orgs_to_export(config, clock)
        assert caught.value.missing == (other_org,)
        assert await run_exporter(config, clock=clock) == 2
    assert f"no API token reads org {other_org}" in capsys.readouterr().err
