"""Webhook alarms share the ledger with polling: each alarm is counted once whichever comes
first, also when a walk and deliveries interleave; alarm webhooks stretch alarm polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from exporter.clock import ManualClock
from exporter.collect.plan import WEBHOOK_FRESH_SECONDS, WEBHOOK_STRETCH, make_plan
from exporter.collect.table import DEFAULT_INTERVALS, OrgShape
from exporter.mist import parse
from exporter.model import AlarmIncidents, Snapshot
from exporter.service import Stack
from exporter.simulator import SimConfig, serve
from exporter.simulator.const_api import alarm_defs
from exporter.simulator.webhooks import WebhookSender
from exporter.state.memory import MemoryStore
from tests.collect.harness import collection

START = 1_800_000_000.0 + 1800


@asynccontextmanager
async def stack_and_sender() -> AsyncIterator[tuple[Stack, WebhookSender, ManualClock]]:
    clock = ManualClock(START)
    async with (
        serve(SimConfig(sites=300, seed=5), clock=clock) as sim,
        collection(sim.base_url, sim.simulator.org_id, MemoryStore(clock), clock) as st,
    ):
        defs = parse.parse_alarm_defs(alarm_defs())
        st.publisher.publish("alarm_defs", Snapshot(alarm_defs=defs))
        yield st, WebhookSender(sim.simulator.world, "", "secret"), clock


async def poll_alarms(stack: Stack) -> None:
    await stack.scheduler.run_job(stack.scheduler.jobs["alarms"])


def outcomes(stack: Stack) -> dict[str, int]:
    return {o: n for t, o, n in stack.intake.counts() if t == "alarms"}


async def polled_only() -> tuple[AlarmIncidents, ...]:
    async with stack_and_sender() as (stack, _, _):
        await poll_alarms(stack)
        return stack.publisher.snapshot.alarm_incidents


async def test_a_pushed_alarm_is_not_counted_again_by_the_poll() -> None:
    control = await polled_only()
    async with stack_and_sender() as (stack, sender, _):
        events = sender.alarm_events(START - 7200, START)
        assert len(events) >= 5
        await stack.intake.deliver("alarms", events)
        pushed = stack.publisher.snapshot.alarm_incidents
        assert sum(i.total for i in pushed) == sum(e["count"] for e in events)
        await poll_alarms(stack)
        assert stack.publisher.snapshot.alarm_incidents == control
        assert outcomes(stack) == {"applied": len(events)}


async def test_a_polled_alarm_pushed_later_changes_nothing() -> None:
    async with stack_and_sender() as (stack, sender, _):
        await poll_alarms(stack)
        before = stack.publisher.snapshot
        events = sender.alarm_events(START - 7200, START)
        await stack.intake.deliver("alarms", events)
        await stack.intake.deliver("alarms", events)
        assert stack.publisher.snapshot is before
        assert outcomes(stack) == {"duplicate": 2 * len(events)}


async def test_deliveries_during_a_walk_are_neither_lost_nor_counted_twice() -> None:
    control = await polled_only()
    async with stack_and_sender() as (stack, sender, _):
        events = sender.alarm_events(START - 7200, START)

        async def deliver_in_pieces() -> None:
            for event in events:
                await stack.intake.deliver("alarms", [event])
                await asyncio.sleep(0)

        await asyncio.gather(poll_alarms(stack), deliver_in_pieces())
        await poll_alarms(stack)
        assert stack.publisher.snapshot.alarm_incidents == control


async def test_alarm_webhooks_stretch_alarm_polling_until_they_stop() -> None:
    shape = OrgShape.estimate(3208)
    plan = make_plan(
        shape, DEFAULT_INTERVALS, capacity_calls_per_hour=5000, budget_share=0.7, pushed={"alarms"}
    )
    assert plan.entry("alarms").interval_seconds == DEFAULT_INTERVALS["alarms"] * WEBHOOK_STRETCH
    async with stack_and_sender() as (stack, _, clock):
        interval = {s.job: s.interval_seconds for s in stack.scheduler.statuses()}
        assert interval["alarms"] == DEFAULT_INTERVALS["alarms"]
        await stack.intake.deliver("device-events", [])
        assert stack.scheduler.plan.entry("alarms").interval_seconds == interval["alarms"]
        await stack.intake.deliver("alarms", [])
        stretched = {s.job: s.interval_seconds for s in stack.scheduler.statuses()}
        assert stretched["alarms"] == interval["alarms"] * WEBHOOK_STRETCH
        clock.advance(WEBHOOK_FRESH_SECONDS + 1)
        stack.scheduler.replan()  # after every run of any job
        back = {s.job: s.interval_seconds for s in stack.scheduler.statuses()}
        assert back["alarms"] == interval["alarms"]
