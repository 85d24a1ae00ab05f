"""What verified webhook deliveries change: alarms in the ledger, gateways and ports at once.

Polling stays the source of truth: a pushed change replaces fields of the current snapshot
(:meth:`Publisher.amend`) until the next run of the job that fills them. Every event is
counted by topic and outcome (``mist_webhook_events_total``):

- ``applied``: it changed the published data;
- ``duplicate``: a redelivery (an alarm the ledger already counted as far, a device event with
  the same device, type, port and time as one of the last :data:`RECENT` applied);
- ``stale``: older than the last poll of that data or than an event already applied to it;
- ``unmatched``: a gateway or port the exporter does not know (yet);
- ``ignored``: an event that changes no metric (another device type, a known other type);
- ``unknown_type``: a type neither mapped nor in Mist's ``/const/device_events``;
- ``invalid``: an event that could not be read (also in ``mist_parse_skipped_rows_total``);
- ``rejected``: a delivery refused before reading it (signature, size, JSON), topic
  ``unknown``;
- ``unknown_org``: an event of an org the exporter does not export (:class:`WebhookRouter`).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from exporter.clock import Clock
from exporter.collect.alarms import record_pushed
from exporter.collect.publisher import Publisher
from exporter.collect.wan_view import down as offline_port  # an offline gateway's port
from exporter.config import CollectConfig
from exporter.mist import parse
from exporter.mist.parse.webhooks import TOPICS
from exporter.model import DeviceEvent, Gateway, Snapshot, WanPort
from exporter.state.store import StateStore

RECENT = 8192
REJECTED = ("unknown", "rejected")
_GATEWAY_FIELDS = ("gateways", "wan_ports")
_ALARM_FIELDS = ("alarm_counts", "alarm_incidents")


def topic_label(topic: str) -> str:
    return topic if topic in TOPICS else "other"


class _Tally:
    """Deliveries and events counted by (topic, outcome), and each topic's last delivery."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._counts: Counter[tuple[str, str]] = Counter()
        self._last: dict[str, float] = {}

    def counts(self) -> tuple[tuple[str, str, int], ...]:
        return tuple((t, o, n) for (t, o), n in sorted(self._counts.items()))

    def last_delivery(self) -> tuple[tuple[str, float], ...]:
        return tuple(sorted(self._last.items()))

    def rejected(self) -> None:
        """A delivery refused unread (bad signature, too large, not JSON)."""
        self._counts[REJECTED] += 1


class WebhookIntake(_Tally):
    """Applies the events of verified deliveries; counts them for the self-metrics."""

    def __init__(
        self,
        *,
        publisher: Publisher,
        store: StateStore,
        clock: Clock,
        collect: CollectConfig,
        skips: parse.Skips,
        on_delivery: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(clock)
        self._publisher = publisher
        self._store = store
        self._collect = collect
        self._skips = skips
        self._on_delivery = on_delivery
        self._recent: OrderedDict[tuple[str, str, float, str], None] = OrderedDict()
        self._applied_at: dict[tuple[str, str], float] = {}

    async def deliver(self, topic: str, events: list[Any]) -> None:
        """Apply the events of one verified delivery of ``topic``."""
        label = topic_label(topic)
        self._last[label] = self._clock.time()
        if self._on_delivery is not None:
            self._on_delivery(label)
        if topic == "alarms":
            outcomes = await self._alarms(events)
        elif topic == "device-events":
            outcomes = self._device_events(events)
        else:
            outcomes = ["ignored"] * len(events)
        outcomes += ["invalid"] * (len(events) - len(outcomes))
        self._counts.update((label, outcome) for outcome in outcomes)

    async def _alarms(self, events: list[Any]) -> list[str]:
        defs = {d.alarm_type: d for d in self._publisher.snapshot.alarm_defs}
        alarms = parse.parse_alarm_events(events, defs, self._skips)
        if not alarms:
            return []
        parts, changed = await record_pushed(self._store, self._clock, self._collect, alarms)
        if any(changed):
            self._publisher.amend(parts, _ALARM_FIELDS)
        return ["applied" if c else "duplicate" for c in changed]

    def _device_events(self, events: list[Any]) -> list[str]:
        snapshot = self._publisher.snapshot
        known = frozenset(snapshot.device_event_types)
        polled = {s.job: s.last_success or 0.0 for s in self._publisher.status().jobs}
        gateways = {g.mac: g for g in snapshot.gateways}
        ports = {(p.gateway_mac, p.port_id): p for p in snapshot.wan_ports}
        outcomes = []
        for event in parse.parse_device_events(events, self._skips):
            outcome = self._classify(event, known)
            if outcome == "apply":
                outcome = _apply(event, gateways, ports, polled, self._applied_at)
            outcomes.append(outcome)
        if "applied" in outcomes:
            self._publisher.amend(
                Snapshot(gateways=tuple(gateways.values()), wan_ports=tuple(ports.values())),
                _GATEWAY_FIELDS,
            )
        return outcomes

    def _classify(self, event: DeviceEvent, known: frozenset[str]) -> str:
        """``apply``, or the outcome of an event that changes nothing."""
        key = (event.mac, event.event_type, event.timestamp, event.port_id)
        if key in self._recent:
            return "duplicate"
        self._recent[key] = None
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        if event.change:
            return "apply"
        return "unknown_type" if known and event.event_type not in known else "ignored"


class WebhookRouter(_Tally):
    """The one webhook endpoint of many orgs: each event goes to the intake of its ``org_id``
    (with one org, an event naming no org goes to it); others are counted ``unknown_org``."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self._intakes: dict[str, WebhookIntake] = {}

    def route(self, org_id: str, intake: WebhookIntake) -> None:
        self._intakes[org_id] = intake

    async def deliver(self, topic: str, events: list[Any]) -> None:
        only = next(iter(self._intakes)) if len(self._intakes) == 1 else None
        routed: dict[str, list[Any]] = {only: []} if only is not None else {}
        unknown = 0
        for event in events:
            org_id = event.get("org_id") if isinstance(event, dict) else None
            org_id = only if org_id is None else org_id
            if isinstance(org_id, str) and org_id in self._intakes:
                routed.setdefault(org_id, []).append(event)
            else:
                unknown += 1
        for org_id, mine in routed.items():
            await self._intakes[org_id].deliver(topic, mine)
        if unknown:
            label = topic_label(topic)
            self._counts[label, "unknown_org"] += unknown
            self._last[label] = self._clock.time()


def _apply(
    event: DeviceEvent,
    gateways: dict[str, Gateway],
    ports: dict[tuple[str, str], WanPort],
    polled: dict[str, float],
    applied_at: dict[tuple[str, str], float],
) -> str:
    """Change ``gateways`` or ``ports`` in place for one event; its outcome."""
    on_port = event.change.startswith("port")
    target = (event.mac, event.port_id if on_port else "")
    if event.mac not in gateways or (on_port and (event.mac, event.port_id) not in ports):
        return "unmatched"
    newest = max(polled.get("wan_ports" if on_port else "gateways", 0.0), applied_at.get(target, 0))
    if event.timestamp < newest:
        return "stale"
    applied_at[target] = event.timestamp
    up = event.change.endswith("_up")
    if on_port:
        port = ports[(event.mac, event.port_id)]
        ports[(event.mac, event.port_id)] = replace(
            port, up=up, last_flap_timestamp=event.timestamp
        )
        return "applied"
    gateways[event.mac] = replace(gateways[event.mac], up=up)
    if not up:
        for key, port in ports.items():
            if key[0] == event.mac:
                ports[key] = offline_port(port)
    return "applied"
