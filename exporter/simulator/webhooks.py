"""Mist's webhooks, simulated: the fleet's changes between two times, pushed as signed deliveries.

:class:`WebhookSender` watches a :class:`World`: alarms raised (and, with alarm growth, their
count growing) and gateways and WAN ports going down and up. Each topic's events are batched
into deliveries of at most ``batch`` events, ``{topic, events[]}`` signed with
``X-Mist-Signature-v2`` (hex HMAC-SHA256 of the raw body). A sender can be told to redeliver
every delivery or to sign with the wrong secret, as tests of the receiver need. A sender
watches one org; :func:`deliver_forever` runs one per org, each delivery carrying its org's id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from exporter.clock import Clock
from exporter.simulator.dynamics import World
from exporter.simulator.fleet import GatewaySpec

SIGNATURE_HEADER = "X-Mist-Signature-v2"
# Alarms recur for at most this long after they are raised: older ones are not watched.
ALARM_LOOKBACK = 6 * 3600.0
log = logging.getLogger(__name__)


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Delivery:
    topic: str
    body: bytes

    @property
    def events(self) -> int:
        return len(json.loads(self.body)["events"])


class WebhookSender:
    """Turns the world's changes into deliveries and posts them to ``url``."""

    def __init__(
        self,
        world: World,
        url: str,
        secret: str,
        *,
        batch: int = 100,
        redeliver: bool = False,
        forge: bool = False,
    ) -> None:
        self.world = world
        self.url = url
        self._secret = secret
        self.batch = batch
        self.redeliver = redeliver
        self.forge = forge
        self._alarms: dict[str, tuple[int, float]] = {}
        self._links: dict[tuple[str, str], bool] = {}
        self.sent: list[tuple[Delivery, int]] = []

    def alarm_events(self, start: float, end: float) -> list[dict[str, Any]]:
        """Alarms raised in [start, end), and known ones whose count grew (``update``)."""
        org_id = self.world.fleet.org_id
        events = []
        for alarm in self.world.alarms_between(start - ALARM_LOOKBACK, end):
            state = (alarm.count, alarm.last_seen)
            known = self._alarms.get(alarm.alarm_id)
            new = known is None and start <= alarm.timestamp < end
            if not new and (known is None or known == state):
                continue
            self._alarms[alarm.alarm_id] = state
            site = self.world.fleet.sites[alarm.site_index]
            events.append(
                {
                    "id": alarm.alarm_id,
                    "org_id": org_id,
                    "site_id": site.site_id,
                    "type": alarm.alarm_type,
                    "timestamp": alarm.timestamp,
                    "last_seen": alarm.last_seen,
                    "count": alarm.count,
                    "update": not new,
                    "for_site": True,
                }
            )
        horizon = end - ALARM_LOOKBACK - 86400.0
        self._alarms = {k: v for k, v in self._alarms.items() if v[1] >= horizon}
        return events

    def device_events(self, now: float) -> list[dict[str, Any]]:
        """Gateways and WAN ports whose state changed since the last call (none the first)."""
        events = []
        for gateway in self.world.fleet.gateways:
            for key, up, event in self._links_of(gateway, now):
                before = self._links.get(key)
                self._links[key] = up
                if before is not None and before != up:
                    events.append(event)
        return events

    def _links_of(
        self, gateway: GatewaySpec, now: float
    ) -> Iterator[tuple[tuple[str, str], bool, dict[str, Any]]]:
        base = {
            "org_id": self.world.fleet.org_id,
            "site_id": gateway.site_id,
            "mac": gateway.mac,
            "device_type": "gateway",
            "device_name": gateway.name,
            "model": gateway.model,
            "timestamp": round(now, 3),
        }
        connected = self.world.gateway_state(gateway, now).connected
        kind = "GW_CONNECTED" if connected else "GW_DISCONNECTED"
        yield (gateway.mac, ""), connected, base | {"type": kind}
        if not connected:
            return  # Mist sends no port events for a gateway it cannot reach
        for port in gateway.wan_ports:
            state = self.world.port_state(gateway, port, now)
            kind = "GW_PORT_UP" if state.up else "GW_PORT_DOWN"
            event = base | {"type": kind, "port_id": port.port_id}
            yield (gateway.mac, port.port_id), state.up, event

    def deliveries(self, start: float, end: float) -> list[Delivery]:
        """The signed-to-be bodies of the changes in [start, end), batched per topic."""
        found = []
        for topic, events in (
            ("alarms", self.alarm_events(start, end)),
            ("device-events", self.device_events(end)),
        ):
            for i in range(0, len(events), self.batch):
                chunk = events[i : i + self.batch]
                body = json.dumps({"topic": topic, "events": chunk}, separators=(",", ":"))
                found.append(Delivery(topic, body.encode()))
        return found

    def headers(self, body: bytes) -> dict[str, str]:
        secret = self._secret + "-forged" if self.forge else self._secret
        return {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)}

    async def post(self, session: aiohttp.ClientSession, delivery: Delivery) -> int:
        """One delivery (twice when redelivering); the last HTTP status, 0 when unreachable."""
        status = 0
        for _ in range(2 if self.redeliver else 1):
            try:
                async with session.post(
                    self.url, data=delivery.body, headers=self.headers(delivery.body)
                ) as response:
                    status = response.status
            except (TimeoutError, aiohttp.ClientError) as exc:
                log.warning("webhook delivery to %s failed: %s", self.url, type(exc).__name__)
            self.sent.append((delivery, status))
        return status

    async def step(self, session: aiohttp.ClientSession, start: float, end: float) -> list[int]:
        return [await self.post(session, d) for d in self.deliveries(start, end)]


async def deliver_forever(
    senders: Sequence[WebhookSender], clock: Clock, period: float = 2.0
) -> None:
    """Every ``period`` seconds, each sender (one per org) delivers what changed in its org
    since the last round; the same windows for every org, over one session."""
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        last = clock.time()
        for sender in senders:
            sender.device_events(last)  # the baseline: no events for the state at start
        while True:
            await clock.sleep(period)
            now = clock.time()
            for sender in senders:
                await sender.step(session, last, now)
            last = now
