"""Mist's alarm and device event definitions, fetched once a day for the webhook intake.

Webhook alarm events carry no group or severity (they come from ``/const/alarm_defs``), and
device event types are named by ``/const/device_events``. A 4xx (a capture replayed without
them, a cloud that refuses) is an empty answer, counted as skipped, not a failed run.
"""

from __future__ import annotations

from typing import Any

from exporter.collect.jobs import Collected, Context, Job, refused, registered
from exporter.mist import endpoints as ep
from exporter.mist import parse
from exporter.mist.endpoints import Endpoint
from exporter.mist.errors import MistError
from exporter.model import Snapshot


async def _get(ctx: Context, endpoint: Endpoint) -> Any:
    try:
        return await ctx.client.get(endpoint)
    except MistError as exc:
        if not refused(exc):
            raise
        ctx.skips.skip(endpoint.template, "refused")
        return []


@registered
class DefinitionsJob(Job):
    name = "alarm_defs"

    async def collect(self, ctx: Context) -> Collected:
        alarm_defs = parse.parse_alarm_defs(await _get(ctx, ep.ALARM_DEFS), ctx.skips)
        event_types = parse.parse_device_event_defs(
            await _get(ctx, ep.DEVICE_EVENT_DEFS), ctx.skips
        )
        return Collected(Snapshot(alarm_defs=alarm_defs, device_event_types=event_types))
