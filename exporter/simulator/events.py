"""Events a test asks for instead of hoping the seeded fleet has one at the current time.

``POST /__sim/events`` adds one, ``DELETE /__sim/events`` clears them all; ``SimConfig.events``
holds those in force from the start. Kinds: an ``alarm`` raised at a site, a ``degraded``
(site, metric) with a classifier and severity, a ``gateway_down``, a ``port_down`` (a WAN port).
``World.place`` resolves an event against the fleet; the world applies the placed events
everywhere they show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EVENT_KINDS = ("alarm", "degraded", "gateway_down", "port_down")
ALARM_GROUPS = ("infrastructure", "marvis", "security")
ALARM_SEVERITIES = ("critical", "warn", "info")
_KEYS: dict[str, frozenset[str]] = {
    "alarm": frozenset({"site", "gateway", "type", "group", "severity", "count"}),
    "degraded": frozenset({"site", "metric", "classifier", "severity", "gateway", "port"}),
    "gateway_down": frozenset({"site", "gateway"}),
    "port_down": frozenset({"site", "gateway", "port"}),
}


@dataclass(frozen=True, slots=True)
class Event:
    """One event as asked for; ``site`` is an index or a site id, ``port`` a WAN port index
    or a port id. ``classifier`` "" means the metric's most common episode classifier;
    ``severity`` is the degraded share of user-minutes (0 < severity <= 1)."""

    kind: str
    site: int | str = 0
    gateway: int = 0
    port: int | str = 0
    metric: str = "wan-link-health"
    classifier: str = ""
    severity: float = 0.5
    alarm_type: str = "device_down"
    group: str = "infrastructure"
    alarm_severity: str = "critical"
    count: int = 1

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(
                f"unknown event kind {self.kind!r}; use one of {', '.join(EVENT_KINDS)}"
            )
        if (isinstance(self.site, int) and self.site < 0) or self.gateway < 0:
            raise ValueError("site and gateway indices must not be negative")
        if isinstance(self.port, int) and self.port < 0:
            raise ValueError("port index must not be negative")
        if not 0.0 < self.severity <= 1.0:
            raise ValueError(f"severity must be in (0, 1], got {self.severity}")
        if self.group not in ALARM_GROUPS:
            raise ValueError(f"group must be one of {', '.join(ALARM_GROUPS)}")
        if self.alarm_severity not in ALARM_SEVERITIES:
            raise ValueError(f"alarm severity must be one of {', '.join(ALARM_SEVERITIES)}")
        if not self.alarm_type:
            raise ValueError("alarm type must not be empty")
        if self.count < 1:
            raise ValueError(f"count must be at least 1, got {self.count}")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Event:
        """An event from the JSON body of ``POST /__sim/events``."""
        kind = data.get("kind")
        if kind not in _KEYS:
            raise ValueError(f"event needs a 'kind', one of {', '.join(EVENT_KINDS)}")
        unknown = set(data) - _KEYS[kind] - {"kind"}
        if unknown:
            raise ValueError(f"unknown key(s) for {kind}: {', '.join(sorted(unknown))}")
        fields: dict[str, Any] = {"kind": kind}
        if "site" in data:
            fields["site"] = _index_or_name(data, "site")
        if "gateway" in data:
            fields["gateway"] = _integer(data, "gateway")
        if "port" in data:
            fields["port"] = _index_or_name(data, "port")
        for key in ("metric", "classifier"):
            if key in data:
                fields[key] = _text(data, key)
        if kind == "alarm":
            for key, field in (("type", "alarm_type"), ("group", "group")):
                if key in data:
                    fields[field] = _text(data, key)
            if "severity" in data:
                fields["alarm_severity"] = _text(data, "severity")
            if "count" in data:
                fields["count"] = _integer(data, "count")
        elif "severity" in data:
            value = data["severity"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"severity must be a number, got {value!r}")
            fields["severity"] = float(value)
        return cls(**fields)


def _index_or_name(data: Mapping[str, Any], key: str) -> int | str:
    value = data[key]
    if isinstance(value, str) and value:
        return value
    return _integer(data, key)


def _integer(data: Mapping[str, Any], key: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be an integer, got {value!r}")
    return value


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Placed:
    """An event resolved against the fleet, in force from ``since`` (the simulator's clock).

    ``site``, ``gateway`` and ``port`` are indices (the site's gateway, the gateway's WAN
    port); ``event`` has its classifier filled in.
    """

    event_id: str
    event: Event
    since: float
    site: int
    gateway: int
    port: int
    names: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        event = self.event
        body: dict[str, Any] = {"id": self.event_id, "kind": event.kind, "since": self.since}
        body.update(self.names)
        if event.kind == "alarm":
            body.update(
                type=event.alarm_type,
                group=event.group,
                severity=event.alarm_severity,
                count=event.count,
            )
        elif event.kind == "degraded":
            body.update(metric=event.metric, classifier=event.classifier, severity=event.severity)
        return body
