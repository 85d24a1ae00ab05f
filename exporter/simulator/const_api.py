"""``/const/alarm_defs`` and ``/const/device_events``: the simulated fleet's definitions.

The alarm definitions are the types the simulated alarm stream raises; the device event
catalogue is the gateway events the webhook sender pushes plus a few Mist defines besides.
"""

from __future__ import annotations

from typing import Any

from exporter.simulator import alarms
from exporter.simulator.api import Api
from exporter.simulator.replies import Call, Reply

DEVICE_EVENTS = (
    ("GW_CONNECTED", "Gateway connected"),
    ("GW_DISCONNECTED", "Gateway disconnected"),
    ("GW_PORT_DOWN", "Gateway port down"),
    ("GW_PORT_UP", "Gateway port up"),
    ("GW_CONFIGURED", "Gateway configured"),
    ("GW_VPN_PATH_DOWN", "Gateway VPN path down"),
    ("GW_VPN_PATH_UP", "Gateway VPN path up"),
    ("AP_ASSIGNED", "AP assigned"),
)


def alarm_defs() -> list[dict[str, Any]]:
    return [
        {"key": alarm_type, "display": alarm_type.replace("_", " "), "group": group,
         "severity": severity, "fields": ["gateways"]}
        for (group, severity, alarm_type), _ in alarms._KINDS
    ]  # fmt: skip


def get_alarm_defs(api: Api, call: Call) -> Reply:
    return Reply(alarm_defs())


def get_device_events(api: Api, call: Call) -> Reply:
    return Reply([{"key": key, "display": display} for key, display in DEVICE_EVENTS])
