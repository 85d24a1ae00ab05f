"""The only package that knows Mist's JSON: decoded responses in, frozen model dataclasses out.

Every function takes what ``json.loads`` gave (the body, or the ``results`` rows of a paged
endpoint). A payload whose envelope has the wrong shape raises :class:`MistPayloadError`
naming the endpoint template and the field; a single row that cannot be read is left out and
counted in :class:`Skips` (``mist_parse_skipped_rows_total``). Optional fields Mist leaves out
become ``None``; known spelling variants are accepted; values are converted to base units.
"""

from __future__ import annotations

from exporter.mist.parse.alarms import parse_alarms
from exporter.mist.parse.devices import parse_gateways, parse_peer_paths, parse_wan_ports
from exporter.mist.parse.fields import Skips, normalise_mac, sle_name
from exporter.mist.parse.impact import (
    ImpactSummary,
    parse_impact_summary,
    parse_impacted_applications,
    parse_impacted_clients,
    parse_impacted_peer_paths,
)
from exporter.mist.parse.inventory import parse_org, parse_sitegroups, parse_sites
from exporter.mist.parse.sle import (
    WAN_LINK_HEALTH_V2,
    parse_histogram,
    parse_impacted_gateways,
    parse_impacted_interfaces,
    parse_sites_sle,
    parse_sle_metrics,
    parse_summary_trend,
    parse_threshold,
    parse_worst_sites,
)
from exporter.mist.parse.webhooks import (
    parse_alarm_defs,
    parse_alarm_events,
    parse_delivery,
    parse_device_event_defs,
    parse_device_events,
)

__all__ = [
    "WAN_LINK_HEALTH_V2",
    "ImpactSummary",
    "Skips",
    "normalise_mac",
    "parse_alarm_defs",
    "parse_alarm_events",
    "parse_alarms",
    "parse_delivery",
    "parse_device_event_defs",
    "parse_device_events",
    "parse_gateways",
    "parse_histogram",
    "parse_impact_summary",
    "parse_impacted_applications",
    "parse_impacted_clients",
    "parse_impacted_gateways",
    "parse_impacted_interfaces",
    "parse_impacted_peer_paths",
    "parse_org",
    "parse_peer_paths",
    "parse_sitegroups",
    "parse_sites",
    "parse_sites_sle",
    "parse_sle_metrics",
    "parse_summary_trend",
    "parse_threshold",
    "parse_wan_ports",
    "parse_worst_sites",
    "sle_name",
]
