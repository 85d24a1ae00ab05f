"""The simulator's webhook sender: the fleet's changes as signed, batched Mist deliveries."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from exporter.clock import ManualClock
from exporter.simulator import SimConfig, add_arguments, serve
from exporter.simulator.app import Simulator
from exporter.simulator.events import Event
from exporter.simulator.server import _webhooks
from exporter.simulator.webhooks import SIGNATURE_HEADER, WebhookSender
from tests.support.wait import until
from tests.web.server import running

SECRET = "sender-secret"
START = 1_800_000_000.0 + 1800


@asynccontextmanager
async def receiver() -> AsyncIterator[tuple[str, list[tuple[bool, Any]]]]:
    """A webhook endpoint recording (signature valid, body) of every delivery."""
    got: list[tuple[bool, Any]] = []

    async def receive(request: web.Request) -> web.Response:
        raw = await request.read()
        expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        got.append((request.headers.get(SIGNATURE_HEADER) == expected, json.loads(raw)))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", receive)
    async with running(app) as url:
        yield f"{url}/hook", got


async def test_a_gateway_going_down_and_an_alarm_are_pushed_signed() -> None:
    clock = ManualClock(START)
    sim = Simulator(SimConfig(sites=30, seed=2), clock)
    async with receiver() as (url, got), aiohttp.ClientSession() as session:
        sender = WebhookSender(sim.world, url, SECRET, batch=1)
        assert sender.device_events(START) == []  # the baseline
        placed = sim.add_event(Event("gateway_down", site=1))
        sim.add_event(Event("alarm", site=2, count=2))
        clock.advance(10)
        assert set(await sender.step(session, START, clock.time())) == {200}
        by_topic: dict[str, list[Any]] = {}
        for valid, body in got:
            assert valid
            assert len(body["events"]) == 1  # batch=1
            by_topic.setdefault(body["topic"], []).extend(body["events"])
        mac = dict(placed.names)["gateway_mac"]
        downs = [e for e in by_topic["device-events"] if e["type"] == "GW_DISCONNECTED"]
        assert [(e["mac"], e["device_type"]) for e in downs] == [(mac, "gateway")]
        raised = [e for e in by_topic["alarms"] if e["count"] == 2 and e["type"] == "device_down"]
        assert raised
        assert not raised[0]["update"]
        got.clear()
        assert await sender.step(session, clock.time(), clock.time() + 1) == []  # nothing new


async def test_redelivery_repeats_the_bytes_and_forging_breaks_the_signature() -> None:
    clock = ManualClock(START)
    sim = Simulator(SimConfig(sites=30, seed=2), clock)
    async with receiver() as (url, got), aiohttp.ClientSession() as session:
        sender = WebhookSender(sim.world, url, SECRET, redeliver=True)
        sender.device_events(START)
        sim.add_event(Event("port_down", site=3, port=0))
        clock.advance(5)
        await sender.step(session, clock.time(), clock.time())
        assert len(got) == 2
        assert got[0] == got[1]
        assert got[0][0]
        assert got[0][1]["events"][0]["type"] == "GW_PORT_DOWN"
        got.clear()
        forger = WebhookSender(sim.world, url, SECRET, forge=True)
        forger.device_events(clock.time())
        sim.clear_events()
        clock.advance(5)
        await forger.step(session, clock.time(), clock.time())
        assert got
        assert not any(valid for valid, _ in got)


async def test_simulate_pushes_each_orgs_changes_with_its_org_id() -> None:
    clock = ManualClock(START)  # autojump: the delivery loop steps the clock itself
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    config = SimConfig(sites=10, seed=2, orgs=2, alarms_per_site_hour=0)
    async with receiver() as (url, got), serve(config, clock=clock) as sim:
        zero, one = sim.simulator.orgs
        owner = {site.site_id: org.org_id for org in (zero, one) for site in org.fleet.sites}
        one.add_event(Event("alarm", site=1))
        zero.add_event(Event("alarm", site=2))
        args = parser.parse_args(["--webhook-url", url, "--webhook-secret", SECRET])

        def alarms() -> list[Any]:
            return [e for _, body in got if body["topic"] == "alarms" for e in body["events"]]

        async with _webhooks(args, sim):
            raised = await until(alarms, lambda found: len(found) >= 2, within=30, what="alarms")
    assert {(e["org_id"], e["site_id"]) for e in raised} == {
        (one.org_id, one.fleet.sites[1].site_id),
        (zero.org_id, zero.fleet.sites[2].site_id),
    }
    assert all(valid for valid, _ in got)
    for _, body in got:
        assert {e["org_id"] for e in body["events"]} == {
            owner[e["site_id"]] for e in body["events"]
        }
        assert len({e["org_id"] for e in body["events"]}) == 1  # a delivery is one org's
