"""Who suffered a site's SLE degradation: ``impact-summary``, ``impacted-applications``,
``impacted-clients`` and ``impacted-peer-paths`` (live only: in neither the spec nor mistapi).

``impact-summary`` holds one list of rows per field (the spec's example is Wi-Fi: ``ap``,
``band``, ``wlan``...; a WAN site adds ``gateway``, ``interface``, ``peer_path``,
``application``, ``client``): every list is read, whatever its field. A row's entity is its
MAC or id (``<field>_mac``, ``<field>_id``, ``<field>``, ``mac``, ``id``), else its ``name``;
a name on a device (a row that also names ``gateway_mac`` or ``switch_mac``) is prefixed with
the device's MAC and a space, as interfaces are (``aabbccddeeff ge-0/0/1``). Degraded
user-minutes leave here in user-seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from exporter.mist import endpoints
from exporter.mist.parse.devices import port_of
from exporter.mist.parse.fields import MINUTE, Fields, Skips, count, each_row, newest, normalise_mac
from exporter.mist.parse.sle import gateway_row, interface_row
from exporter.model import (
    ImpactedApplication,
    ImpactedGateway,
    ImpactedInterface,
    ImpactedPeerPath,
    ImpactEntity,
)

IMPACT_SUMMARY = endpoints.SLE_IMPACT_SUMMARY.template
IMPACTED_APPLICATIONS = endpoints.SLE_IMPACTED_APPLICATIONS.template
IMPACTED_CLIENTS = endpoints.SLE_IMPACTED_CLIENTS.template
IMPACTED_PEER_PATHS = endpoints.SLE_IMPACTED_PEER_PATHS.template
_DEVICE_MACS = ("gateway_mac", "switch_mac")
_PEER_PATH_ROWS = ("peer_paths", "paths", "results")


@dataclass(frozen=True, slots=True)
class ImpactSummary:
    """Every field's entities, and the gateway and interface rows as their own families read
    them (so ``impact-summary`` stands in for ``impacted-gateways`` and ``-interfaces``)."""

    entities: tuple[ImpactEntity, ...]
    gateways: tuple[ImpactedGateway, ...]
    interfaces: tuple[ImpactedInterface, ...]


def parse_impact_summary(
    data: Any, hostnames: Mapping[str, str] | None = None, skips: Skips | None = None
) -> ImpactSummary:
    """Every list in the body is a field of rows; scalars (``start``, ``metric``...) are not."""
    body = Fields(IMPACT_SUMMARY, data, "body")
    entities: list[ImpactEntity] = []
    gateways: tuple[ImpactedGateway, ...] = ()
    interfaces: tuple[ImpactedInterface, ...] = ()
    for field, rows in body.data.items():
        if not isinstance(rows, list):
            continue
        path = f"body.{field}"
        if field == "gateway":
            gateways = newest(
                IMPACT_SUMMARY, each_row(IMPACT_SUMMARY, rows, gateway_row, skips, path), skips
            )
            entities += (ImpactEntity(field, g.gateway_mac, g.degraded_seconds) for g in gateways)
        elif field == "interface":
            read = partial(interface_row, hostnames=hostnames or {})
            interfaces = newest(
                IMPACT_SUMMARY, each_row(IMPACT_SUMMARY, rows, read, skips, path), skips
            )
            entities += (
                ImpactEntity(field, f"{i.gateway_mac} {i.interface}", i.degraded_seconds)
                for i in interfaces
            )
        else:
            found = each_row(IMPACT_SUMMARY, rows, partial(_entity_row, field), skips, path)
            entities += newest(IMPACT_SUMMARY, found, skips)
    return ImpactSummary(tuple(entities), gateways, interfaces)


def _entity_row(field: str, row: Fields) -> tuple[str, float, ImpactEntity]:
    for key in (f"{field}_mac", f"{field}_id", field, "mac", "id"):
        ident = _label(row.data.get(key))
        if ident:
            if key.endswith("mac"):
                ident = normalise_mac(ident)
            break
    else:
        ident = _label(row.data.get("name"))
        if not ident:
            raise row.error("name", "no name, MAC or id")
        device = next((row.text(k) for k in _DEVICE_MACS if row.has(k)), None)
        if device is not None:
            ident = f"{normalise_mac(device)} {ident}"
    return ident, 0.0, ImpactEntity(field, ident, row.count("degraded") * MINUTE)


def _label(value: Any) -> str:
    """A row's identity as text: strings as they are, integers (a VLAN) in full, else ""."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def parse_impacted_applications(
    data: Any, skips: Skips | None = None
) -> tuple[ImpactedApplication, ...]:
    """Rows of ``apps``, each named by ``app`` (else ``name``)."""
    body = Fields(IMPACTED_APPLICATIONS, data, "body")
    if not body.has("apps"):
        return ()

    def read(row: Fields) -> tuple[str, float, ImpactedApplication]:
        app = ImpactedApplication(row.first_text("app", "name"), row.count("degraded") * MINUTE)
        return app.application, 0.0, app

    rows = each_row(IMPACTED_APPLICATIONS, body.data["apps"], read, skips, "body.apps")
    return newest(IMPACTED_APPLICATIONS, rows, skips)


def parse_impacted_clients(data: Any) -> float | None:
    """How many clients were impacted: ``total_count`` (every page's), else the rows on this
    page; None when the answer has neither. No client is ever named."""
    body = Fields(IMPACTED_CLIENTS, data, "body")
    rows = len(body.items("clients")) if body.has("clients") else None
    if body.has("total_count"):
        total = count(IMPACTED_CLIENTS, "body.total_count", body.data["total_count"])
        return max(total, float(rows or 0))
    return None if rows is None else float(rows)


def parse_impacted_peer_paths(
    data: Any, skips: Skips | None = None
) -> tuple[ImpactedPeerPath, ...]:
    """Rows of ``peer_paths`` (or ``paths``, ``results``), leniently: the endpoint is not
    documented, so an unknown shape is an empty answer (counted), never an error."""
    if not isinstance(data, dict):
        if skips is not None:
            skips.skip(IMPACTED_PEER_PATHS, "unknown shape")
        return ()
    key = next((k for k in _PEER_PATH_ROWS if isinstance(data.get(k), list)), None)
    if key is None:
        if skips is not None and any(isinstance(v, list) and v for v in data.values()):
            skips.skip(IMPACTED_PEER_PATHS, "unknown shape")
        return ()

    def read(row: Fields) -> tuple[tuple[str, str, str, str], float, ImpactedPeerPath]:
        path = ImpactedPeerPath(
            gateway_mac=normalise_mac(row.first_text("gateway_mac", "mac")),
            port_id=port_of(row.first_text("port_id", "interface_name", "interface")),
            peer_mac=normalise_mac(row.text("peer_mac")),
            peer_port_id=port_of(row.text("peer_port_id")),
            degraded_seconds=row.count("degraded") * MINUTE,
        )
        return (path.gateway_mac, path.port_id, path.peer_mac, path.peer_port_id), 0.0, path

    rows = each_row(IMPACTED_PEER_PATHS, data[key], read, skips, f"body.{key}")
    return newest(IMPACTED_PEER_PATHS, rows, skips)
