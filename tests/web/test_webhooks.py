"""POST /webhooks/mist: only signed deliveries change anything, and a redelivery changes nothing."""

from __future__ import annotations

import io
import json
from typing import Any

import aiohttp

from exporter.clock import ManualClock
from exporter.collect.alarms import LEDGER_KEY, LEDGER_KIND
from exporter.collect.publisher import Publisher
from exporter.collect.webhooks import WebhookIntake
from exporter.config import CollectConfig
from exporter.metrics.requests import RequestRecorder
from exporter.mist.parse import Skips
from exporter.model import AlarmDefinition, Snapshot
from exporter.state.memory import MemoryStore
from exporter.web.app import build_app
from exporter.web.auth import WebAuth
from exporter.web.webhooks import MAX_BODY, SIGNATURE_HEADER, signature
from tests.parse.test_webhooks import ALARM_EVENT, DEVICE_EVENT
from tests.support.snapshots import NOW, gateway_mac, one_of_everything
from tests.web.server import running

SECRET = "s3cret-webhook"
MAC = gateway_mac(1)


class Harness:
    def __init__(self) -> None:
        self.clock = ManualClock(NOW)
        self.store = MemoryStore(self.clock)
        self.publisher = Publisher(clock=self.clock)
        defs = (AlarmDefinition("device_down", "infrastructure", "critical"),)
        self.publisher.publish("gateways", one_of_everything())
        self.publisher.publish("wan_ports", one_of_everything())
        self.publisher.publish(
            "alarm_defs", Snapshot(alarm_defs=defs, device_event_types=("GW_PORT_DOWN", "GW_ARP"))
        )
        self.delivered: list[str] = []
        self.intake = WebhookIntake(
            publisher=self.publisher,
            store=self.store,
            clock=self.clock,
            collect=CollectConfig(),
            skips=Skips(),
            on_delivery=self.delivered.append,
        )

    def app(self, auth: WebAuth | None = None) -> Any:
        return build_app(
            self.publisher, RequestRecorder(), clock=self.clock, auth=auth,
            webhooks=(SECRET, self.intake),
        )  # fmt: skip

    def outcomes(self) -> dict[tuple[str, str], int]:
        return {(t, o): n for t, o, n in self.intake.counts()}


def body(topic: str, *events: dict[str, Any]) -> bytes:
    return json.dumps({"topic": topic, "events": list(events)}).encode()


def signed(raw: bytes, secret: str = SECRET) -> dict[str, str]:
    return {SIGNATURE_HEADER: signature(secret.encode(), raw), "Content-Type": "application/json"}


async def post(h: Harness, raw: bytes, headers: dict[str, str], auth: WebAuth | None = None) -> int:
    async with (
        running(h.app(auth)) as url,
        aiohttp.ClientSession() as s,
        s.post(f"{url}/webhooks/mist", data=io.BytesIO(raw), headers=headers) as r,
    ):
        return r.status


def down_event(**changes: Any) -> dict[str, Any]:
    return DEVICE_EVENT | {"mac": MAC, "port_id": "ge-0/0/0", "timestamp": NOW + 1} | changes


async def test_a_signed_port_down_changes_the_snapshot_at_once() -> None:
    h = Harness()
    raw = body("device-events", down_event())
    assert await post(h, raw, signed(raw)) == 200
    ports = {p.port_id: p.up for p in h.publisher.snapshot.wan_ports}
    assert ports == {"ge-0/0/0": False, "ge-5/0/0": True}
    assert h.outcomes() == {("device-events", "applied"): 1}
    assert h.delivered == ["device-events"]
    assert h.publisher.snapshot.published == frozenset({"gateways", "wan_ports", "alarm_defs"})


async def test_gateway_down_takes_its_ports_down_and_up_brings_the_gateway_back() -> None:
    h = Harness()
    raw = body("device-events", down_event(type="GW_DISCONNECTED", port_id=None))
    assert await post(h, raw, signed(raw)) == 200
    snap = h.publisher.snapshot
    assert [g.up for g in snap.gateways] == [False]
    assert not any(p.up for p in snap.wan_ports)
    raw = body("device-events", down_event(type="GW_CONNECTED", port_id=None, timestamp=NOW + 2))
    assert await post(h, raw, signed(raw)) == 200
    assert [g.up for g in h.publisher.snapshot.gateways] == [True]


async def test_forged_unsigned_and_replayed_deliveries_change_nothing() -> None:
    h = Harness()
    before = h.publisher.snapshot
    raw = body("device-events", down_event())
    assert await post(h, raw, {}) == 401
    assert await post(h, raw, signed(raw, "wrong")) == 401
    assert await post(h, raw, {SIGNATURE_HEADER: "zz" * 32}) == 401
    tampered = raw.replace(b"ge-0/0/0", b"ge-5/0/0")
    assert await post(h, tampered, signed(raw)) == 401
    assert h.publisher.snapshot is before
    assert h.outcomes() == {("unknown", "rejected"): 4}
    assert h.delivered == []
    assert await post(h, raw, signed(raw)) == 200
    after = h.publisher.snapshot
    assert await post(h, raw, signed(raw)) == 200
    assert h.publisher.snapshot is after
    assert h.outcomes()[("device-events", "duplicate")] == 1


async def test_body_limit_and_malformed_json() -> None:
    h = Harness()
    huge = b'{"topic": "alarms", "events": [' + b" " * MAX_BODY + b"]}"
    assert await post(h, huge, signed(huge)) == 413
    for raw in (b"{not json", b"\xff\xfe", b"[]", b'{"topic": "alarms"}', b"[" * 100_000):
        assert await post(h, raw, signed(raw)) == 400, raw[:20]
    assert h.outcomes() == {("unknown", "rejected"): 6}


async def test_the_receiver_is_not_behind_basic_auth() -> None:
    h = Harness()
    raw = body("device-events", down_event())
    auth = WebAuth({"prom": "$2b$04$" + "x" * 53})
    assert await post(h, raw, signed(raw), auth) == 200


async def test_alarms_are_counted_once_with_the_group_and_severity_of_their_definition() -> None:
    h = Harness()
    event = ALARM_EVENT | {"timestamp": NOW - 10, "last_seen": NOW - 5, "count": 2}
    raw = body("alarms", event)
    assert await post(h, raw, signed(raw)) == 200
    assert await post(h, raw, signed(raw)) == 200
    snap = h.publisher.snapshot
    assert [(i.group, i.severity, i.alarm_type, i.total) for i in snap.alarm_incidents] == [
        ("infrastructure", "critical", "device_down", 2)
    ]
    assert [c.count for c in snap.alarm_counts] == [1]
    assert h.outcomes() == {("alarms", "applied"): 1, ("alarms", "duplicate"): 1}
    grown = body("alarms", event | {"count": 3, "last_seen": NOW})
    assert await post(h, grown, signed(grown)) == 200
    assert h.publisher.snapshot.alarm_incidents[0].total == 3
    assert await h.store.get(LEDGER_KIND, LEDGER_KEY)


async def test_unknown_stale_unmatched_and_ignored_events_are_counted_never_fatal() -> None:
    h = Harness()
    events: list[Any] = [  # the last two are not events on purpose
        down_event(type="GW_SOMETHING_NEW"),
        down_event(type="GW_ARP"),
        down_event(mac="ffffffffffff"),
        down_event(port_id="ge-9/9/9"),
        down_event(device_type="ap", type="AP_RESTARTED"),
        {"type": "GW_PORT_DOWN"},
        "junk",
    ]
    raw = body("device-events", *events)
    assert await post(h, raw, signed(raw)) == 200
    assert h.outcomes() == {
        ("device-events", "unknown_type"): 2,
        ("device-events", "ignored"): 1,
        ("device-events", "unmatched"): 2,
        ("device-events", "invalid"): 2,
    }
    older = body("device-events", down_event(type="GW_PORT_UP", timestamp=NOW + 0.5))
    newer = body("device-events", down_event(timestamp=NOW + 5))
    assert await post(h, newer, signed(newer)) == 200
    assert await post(h, older, signed(older)) == 200
    assert h.outcomes()[("device-events", "stale")] == 1
    other = body("audits", {"x": 1})
    assert await post(h, other, signed(other)) == 200
    assert h.outcomes()[("other", "ignored")] == 1
