"""Every endpoint of the catalogue answers through the client, and org discovery."""

from __future__ import annotations

import pytest
from aiohttp import web

from exporter.clock import ManualClock
from exporter.config import MistConfig
from exporter.mist import endpoints as ep
from exporter.mist.client import MistClient
from exporter.mist.endpoints import Paging
from exporter.mist.errors import OrgDiscoveryError
from exporter.mist.parse import sle_name
from exporter.model import RequestEvent
from exporter.simulator.live import no_monitored_paths

from .harness import HOUR_START, TOKEN, TOKEN_B, client_for, loopback, sim_stats, simulated

SIM_SLE = "/api/v1/sites/{site_id}/sle/{scope}/{scope_id}"


async def test_every_single_call_endpoint_answers() -> None:
    clock = ManualClock(HOUR_START + 1800)
    events: list[RequestEvent] = []
    async with simulated(clock, sites=100) as sim:
        truth = sim.simulator.truth()
        site_id, metric = sorted(truth.degraded)[0]
        monitored = next(
            s.site_id for s in sim.simulator.fleet.sites if not no_monitored_paths(s.key)
        )
        async with client_for(sim, clock, events=events) as client:
            assert (await client.get(ep.SELF))["privileges"][0]["org_id"] == truth.org_id
            assert (await client.get(ep.ORG))["id"] == truth.org_id
            worst = await client.get(ep.ORG_INSIGHT, sle=metric, duration="1h")
            metrics = await client.get(ep.SLE_METRICS, site_id=site_id)
            window = {"start": int(clock.time()) - 3600, "end": int(clock.time())}
            deep = {
                e.name: await client.get(e, site_id=site_id, metric=metric, **window)
                for e in (
                    ep.SLE_SUMMARY_TREND,
                    ep.SLE_HISTOGRAM,
                    ep.SLE_IMPACTED_GATEWAYS,
                    ep.SLE_IMPACTED_INTERFACES,
                    ep.SLE_IMPACT_SUMMARY,
                    ep.SLE_IMPACTED_CLIENTS,
                    ep.SLE_IMPACTED_APPLICATIONS,
                )
            }
            paths = await client.get(
                ep.SLE_IMPACTED_PEER_PATHS, site_id=monitored, metric="wan-link-health", **window
            )
            threshold = await client.get(ep.SLE_THRESHOLD, site_id=site_id, metric=metric)
            alarm_defs = await client.get(ep.ALARM_DEFS)
            event_defs = await client.get(ep.DEVICE_EVENT_DEFS)
        stats = await sim_stats(sim)
    assert site_id in {row["site_id"] for row in worst["results"]}
    assert metric in {sle_name(m) for m in metrics["enabled"]}
    assert all(isinstance(body, dict) and body for body in deep.values())
    assert deep["sle_summary_trend"]["sle"]["samples"]
    assert deep["sle_impacted_gateways"]["gateways"]
    assert deep["sle_impact_summary"]["gateway"]
    assert deep["sle_impacted_clients"]["total_count"] > 0
    assert "peer_paths" in paths
    assert isinstance(threshold, dict)
    assert {"key", "group", "severity"} <= set(alarm_defs[0])
    assert "GW_PORT_DOWN" in {row["key"] for row in event_defs}
    single = [e for e in ep.ALL if e.paging is Paging.NONE]
    assert {e.endpoint for e in events} == {e.template for e in single}
    assert sum(stats["calls"].values()) == len(single) == len(events)
    assert stats["calls"][f"{SIM_SLE}/metric/{{metric}}/summary-trend"] == 1


async def test_discovers_the_one_org_the_tokens_see() -> None:
    clock = ManualClock(HOUR_START)
    two = (TOKEN, TOKEN_B)
    async with simulated(clock, tokens=two) as sim:
        async with client_for(sim, clock, tokens=two, org=False) as client:
            assert client.org_id is None
            assert await client.discover_org() == sim.simulator.org_id
            sites = [page async for page in client.pages(ep.SITES)]
        stats = await sim_stats(sim)
    assert len(sites[0].records) == 12
    assert stats["calls"]["/api/v1/self"] == 2
    assert stats["by_token"] == {"token-0": 2, "token-1": 1}


@pytest.mark.parametrize(
    ("privileges", "message"),
    [
        (
            [
                {"scope": "org", "org_id": "id-b", "name": "Beta Retail", "role": "read"},
                {"scope": "site", "org_id": "id-a", "org_name": "Alpha Foods", "site_id": "s"},
                {"scope": "org", "org_id": "id-b", "name": "Beta Retail", "role": "admin"},
            ],
            "the API tokens see 2 orgs, set MIST_ORG_ID to one of: "
            "Alpha Foods (id-a); Beta Retail (id-b)",
        ),
        ([{"scope": "msp", "msp_id": "m", "name": "An MSP"}], "the API tokens see no org"),
    ],
)
async def test_discovery_lists_the_orgs_when_not_exactly_one(
    privileges: list[dict[str, str]], message: str
) -> None:
    async def handle(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == f"Token {TOKEN}"
        return web.json_response({"email": "a@example.com", "privileges": privileges})

    async with loopback("/api/v1/self", handle) as base_url:
        config = MistConfig(base_url=base_url, org_id=None, tokens=(TOKEN,))
        async with MistClient(config, clock=ManualClock()) as client:
            with pytest.raises(OrgDiscoveryError) as caught:
                await client.discover_org()
    assert message in str(caught.value)
    assert caught.value.endpoint == "/api/v1/self"
    assert TOKEN not in str(caught.value)
