"""Webhook deliveries (``{topic, events[]}``) and the two catalogues that make sense of them.

Alarm events (spec ``webhook_alarm_event``) carry no group or severity: they come from
``/const/alarm_defs``; a type Mist does not define is counted under group and severity
``unknown``. Device events (spec ``device_event``) are named by ``/const/device_events``;
:data:`GATEWAY_CHANGES` maps the gateway event types that change ``mist_gateway_up`` or
``mist_wan_port_up`` (docs/webhooks.md). Timestamps are epoch seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporter.mist import endpoints
from exporter.mist.parse.fields import Fields, Skips, each_row, normalise_mac
from exporter.model import Alarm, AlarmDefinition, DeviceEvent

ALARM_DEFS = endpoints.ALARM_DEFS.template
DEVICE_EVENT_DEFS = endpoints.DEVICE_EVENT_DEFS.template
WEBHOOK = "/webhooks/mist"
UNKNOWN = "unknown"
TOPICS = ("alarms", "device-events")
# Gateway event type -> what it changes. Names as /const/device_events lists them.
GATEWAY_CHANGES: Mapping[str, str] = {
    "GW_DISCONNECTED": "gateway_down",
    "GW_CONNECTED": "gateway_up",
    "GW_RECONNECTED": "gateway_up",
    "GW_PORT_DOWN": "port_down",
    "GW_PORT_UP": "port_up",
}


def parse_delivery(data: Any) -> tuple[str, list[Any]]:
    """(topic, events) of a delivery; MistPayloadError when it is not ``{topic, events[]}``."""
    body = Fields(WEBHOOK, data, "body")
    return body.text("topic"), body.items("events")


def webhook_endpoint(topic: str) -> str:
    """The name skipped events are counted under (``mist_parse_skipped_rows_total``)."""
    return f"{WEBHOOK} {topic if topic in TOPICS else 'other'}"


def parse_alarm_events(
    rows: Any, defs: Mapping[str, AlarmDefinition], skips: Skips | None = None
) -> tuple[Alarm, ...]:
    """Events of an ``alarms`` delivery as alarms; ``count`` is the incidents so far."""
    where = webhook_endpoint("alarms")

    def read(row: Fields) -> Alarm:
        alarm_type = row.text("type")
        timestamp = row.number("timestamp")
        known = defs.get(alarm_type)
        count = row.integer("count") if row.has("count") else 1
        if count < 1:
            raise row.error("count", "expected a positive count")
        return Alarm(
            alarm_id=row.text("id"),
            site_id=row.opt_text("site_id"),
            group=known.group if known else UNKNOWN,
            severity=known.severity if known else UNKNOWN,
            alarm_type=alarm_type,
            timestamp=timestamp,
            incident_count=count,
            last_seen=max(row.opt_number("last_seen") or timestamp, timestamp),
        )

    return tuple(each_row(where, rows, read, skips, "events"))


def parse_device_events(rows: Any, skips: Skips | None = None) -> tuple[DeviceEvent, ...]:
    """Events of a ``device-events`` delivery; events without a device MAC are left out."""
    where = webhook_endpoint("device-events")

    def read(row: Fields) -> DeviceEvent:
        device_type = row.opt_text("device_type")
        event_type = row.text("type")
        port_id = row.opt_text("port_id")
        change = GATEWAY_CHANGES.get(event_type, "") if device_type == "gateway" else ""
        if change.startswith("port") and not port_id:
            raise row.error("port_id", "missing")
        return DeviceEvent(
            mac=normalise_mac(row.text("mac")),
            site_id=row.opt_text("site_id"),
            device_type=device_type,
            event_type=event_type,
            timestamp=row.number("timestamp"),
            port_id=port_id,
            change=change,
        )

    return tuple(each_row(where, rows, read, skips, "events"))


def parse_alarm_defs(rows: Any, skips: Skips | None = None) -> tuple[AlarmDefinition, ...]:
    """``/const/alarm_defs``: one definition per alarm type key (the last one wins)."""

    def read(row: Fields) -> AlarmDefinition:
        return AlarmDefinition(row.text("key"), row.text("group"), row.text("severity"))

    kept = {d.alarm_type: d for d in each_row(ALARM_DEFS, rows, read, skips)}
    return tuple(kept[k] for k in sorted(kept))


def parse_device_event_defs(rows: Any, skips: Skips | None = None) -> tuple[str, ...]:
    """``/const/device_events``: the event type keys Mist defines, sorted."""
    return tuple(sorted(set(each_row(DEVICE_EVENT_DEFS, rows, lambda r: r.text("key"), skips))))
