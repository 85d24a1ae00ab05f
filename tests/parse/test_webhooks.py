"""Webhook deliveries and the const catalogues, shaped as the spec's schemas and examples."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from exporter.mist import parse
from exporter.mist.errors import MistPayloadError
from exporter.model import AlarmDefinition

# Spec schema ``webhook_alarm_event`` (required: id, org_id, site_id, timestamp, type).
ALARM_EVENT: dict[str, Any] = {
    "id": "f70c308f-7007-4866-9ecd-0d01842979ea",
    "org_id": "09dac91f-6e73-4100-89f7-698e0fafbb1b",
    "site_id": "dcfb31a1-d615-4361-8c95-b9dde05aa704",
    "timestamp": 1629753888,
    "last_seen": 1629753950,
    "type": "device_down",
    "count": 2,
    "event_id": "7a1e0f47-5b0e-4a43-9b66-0e2f1c2e8d10",
    "update": False,
}
# Spec schema ``device_event`` (required: org_id, timestamp, type), a gateway port event.
DEVICE_EVENT: dict[str, Any] = {
    "org_id": "09dac91f-6e73-4100-89f7-698e0fafbb1b",
    "site_id": "dcfb31a1-d615-4361-8c95-b9dde05aa704",
    "mac": "00:0C:29:AA:BB:CC",
    "device_type": "gateway",
    "device_name": "store-1-gw",
    "type": "GW_PORT_DOWN",
    "port_id": "ge-0/0/1",
    "timestamp": 1629753890.5,
    "text": "ge-0/0/1 down",
}
# Spec examples ``ConstAlarmDefinitionsExample`` and ``ConstDeviceEventsExample``.
ALARM_DEFS: list[dict[str, Any]] = [
    {
        "display": "Device offline",
        "fields": ["aps", "hostnames"],
        "group": "infrastructure",
        "key": "device_down",
        "marvis_suggestion_category": "string",
        "severity": "warn",
    }
]
DEVICE_EVENT_DEFS: list[dict[str, Any]] = [
    {"description": "AP was assigned to a site", "display": "AP Assigned", "key": "AP_ASSIGNED"}
]
DEFS = {d.alarm_type: d for d in parse.parse_alarm_defs(ALARM_DEFS)}


def delivery(topic: str, *events: dict[str, Any]) -> dict[str, Any]:
    return {"topic": topic, "events": [copy.deepcopy(e) for e in events]}


def test_a_delivery_is_a_topic_and_its_events() -> None:
    assert parse.parse_delivery(delivery("alarms", ALARM_EVENT)) == ("alarms", [ALARM_EVENT])
    body: object
    for body in ([], {"topic": "alarms"}, {"events": []}, {"topic": 1, "events": []}, None):
        with pytest.raises(MistPayloadError):
            parse.parse_delivery(body)


def test_alarm_events_take_group_and_severity_from_the_definitions() -> None:
    (alarm,) = parse.parse_alarm_events([ALARM_EVENT], DEFS)
    assert (alarm.alarm_id, alarm.group, alarm.severity, alarm.alarm_type) == (
        ALARM_EVENT["id"],
        "infrastructure",
        "warn",
        "device_down",
    )
    assert (alarm.incident_count, alarm.timestamp, alarm.last_seen) == (2, 1629753888, 1629753950)
    (unknown,) = parse.parse_alarm_events([ALARM_EVENT | {"type": "new_thing"}], DEFS)
    assert (unknown.group, unknown.severity) == ("unknown", "unknown")


def test_an_unreadable_alarm_event_is_left_out_and_counted() -> None:
    skips = parse.Skips()
    rows = [ALARM_EVENT, {"type": "x"}, ALARM_EVENT | {"count": 0}, "junk"]
    assert len(parse.parse_alarm_events(rows, DEFS, skips)) == 1
    assert sum(skips.counts().values()) == 3
    assert {e for e, _ in skips.counts()} == {"/webhooks/mist alarms"}


def test_gateway_events_map_to_changes() -> None:
    (event,) = parse.parse_device_events([DEVICE_EVENT])
    assert (event.mac, event.port_id, event.change) == ("000c29aabbcc", "ge-0/0/1", "port_down")
    changes = {
        t: parse.parse_device_events([DEVICE_EVENT | {"type": t}])[0].change
        for t in ("GW_DISCONNECTED", "GW_CONNECTED", "GW_RECONNECTED", "GW_PORT_UP", "GW_ARP")
    }
    assert changes == {
        "GW_DISCONNECTED": "gateway_down",
        "GW_CONNECTED": "gateway_up",
        "GW_RECONNECTED": "gateway_up",
        "GW_PORT_UP": "port_up",
        "GW_ARP": "",
    }
    (ap,) = parse.parse_device_events([DEVICE_EVENT | {"device_type": "ap"}])
    assert ap.change == ""


def test_a_port_event_without_a_port_is_left_out() -> None:
    row = {k: v for k, v in DEVICE_EVENT.items() if k != "port_id"}
    skips = parse.Skips()
    assert parse.parse_device_events([row], skips) == ()
    assert skips.counts() == {("/webhooks/mist device-events", "missing port_id"): 1}


def test_catalogues() -> None:
    assert parse.parse_alarm_defs(ALARM_DEFS) == (
        AlarmDefinition("device_down", "infrastructure", "warn"),
    )
    assert parse.parse_device_event_defs(DEVICE_EVENT_DEFS + DEVICE_EVENT_DEFS) == ("AP_ASSIGNED",)
    with pytest.raises(MistPayloadError):
        parse.parse_alarm_defs({"key": "x"})
