"""Every metric the exporter exposes: name, type, help and label names, in one place.

Value series carry IDs as labels; names, models and regions live in ``*_info`` series (value 1).
The HELP of data polled from Mist names the job that refreshes it (its interval, which the
planner may stretch, is ``mist_job_interval_seconds``). The golden test in ``tests/metrics`` and
the metrics table of ``docs/metrics.md`` are generated from :data:`METRICS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from exporter.collect import table

MetricType = Literal["gauge", "counter", "gaugehistogram"]

PORT = ("site_id", "gateway_mac", "port_id")
PATH = (*PORT, "peer_mac", "peer_port_id")
GATEWAY = ("site_id", "gateway_mac")
BGP_PEER = (*GATEWAY, "neighbor", "vrf")
TUNNEL = (*GATEWAY, "tunnel_name", "peer_host", "node")
SLE = ("site_id", "sle")


@dataclass(frozen=True, slots=True)
class MetricDef:
    """One metric family as exposed; counters' names end in ``_total`` as scraped."""

    name: str
    type: MetricType
    help: str
    labels: tuple[str, ...] = ()
    job: str | None = None


def _polled(job: str, text: str) -> str:
    return f"{text} Refreshed by the {table.BY_NAME[job].name} job (see mist_job_interval_seconds)."


def _data(name: str, type_: MetricType, job: str, text: str, labels: tuple[str, ...]) -> MetricDef:
    return MetricDef(name, type_, _polled(job, text), labels, job)


def _self(name: str, type_: MetricType, text: str, labels: tuple[str, ...] = ()) -> MetricDef:
    return MetricDef(name, type_, text, labels)


METRICS: tuple[MetricDef, ...] = (
    # Inventory
    _data(
        "mist_org_info",
        "gauge",
        "inventory",
        "Each Mist org exported (value 1).",
        ("org_id", "org_name"),
    ),
    _data(
        "mist_site_info",
        "gauge",
        "inventory",
        "Org, name, region (site group) and country of each site (value 1).",
        ("org_id", "site_id", "site_name", "region", "country_code"),
    ),
    # Gateways
    _data(
        "mist_gateway_info",
        "gauge",
        "gateways",
        "Name, model and firmware version of each WAN gateway (value 1).",
        (*GATEWAY, "gateway_name", "model", "version"),
    ),
    _data(
        "mist_gateway_up",
        "gauge",
        "gateways",
        "1 when Mist reports the gateway connected, else 0.",
        GATEWAY,
    ),
    _data(
        "mist_gateway_uptime_seconds",
        "gauge",
        "gateways",
        "Seconds since the gateway booted.",
        GATEWAY,
    ),
    _data(
        "mist_gateway_cpu_ratio",
        "gauge",
        "gateways",
        "CPU utilisation of the gateway, 0..1 (per node of an HA pair: node label node0/node1).",
        (*GATEWAY, "node"),
    ),
    _data(
        "mist_gateway_memory_ratio",
        "gauge",
        "gateways",
        "Memory utilisation of the gateway, 0..1 (per node of an HA pair: node label).",
        (*GATEWAY, "node"),
    ),
    # WAN ports
    _data(
        "mist_wan_port_info",
        "gauge",
        "gateways",
        "WAN name and type (broadband, mpls, lte, ...) of each WAN port, and its HA node "
        "(node0/node1, on HA pairs only) (value 1).",
        (*PORT, "wan_name", "wan_type", "node"),
    ),
    _data("mist_wan_port_up", "gauge", "gateways", "1 when the WAN port is up, else 0.", PORT),
    _data(
        "mist_wan_port_speed_bytes_per_second",
        "gauge",
        "wan_ports",
        "Negotiated speed of the WAN port in bytes per second.",
        PORT,
    ),
    _data(
        "mist_wan_port_receive_bytes_total",
        "counter",
        "gateways",
        "Bytes received on the WAN port since the gateway booted.",
        PORT,
    ),
    _data(
        "mist_wan_port_transmit_bytes_total",
        "counter",
        "gateways",
        "Bytes transmitted on the WAN port since the gateway booted.",
        PORT,
    ),
    _data(
        "mist_wan_port_receive_rate_bytes_per_second",
        "gauge",
        "wan_ports",
        "Receive rate of the WAN port as last reported by Mist, bytes per second.",
        PORT,
    ),
    _data(
        "mist_wan_port_transmit_rate_bytes_per_second",
        "gauge",
        "wan_ports",
        "Transmit rate of the WAN port as last reported by Mist, bytes per second.",
        PORT,
    ),
    _data(
        "mist_wan_port_latency_seconds",
        "gauge",
        "wan_ports",
        "Latency measured on the WAN port in seconds.",
        PORT,
    ),
    _data(
        "mist_wan_port_jitter_seconds",
        "gauge",
        "wan_ports",
        "Jitter measured on the WAN port in seconds.",
        PORT,
    ),
    _data(
        "mist_wan_port_loss_ratio",
        "gauge",
        "wan_ports",
        "Packet loss measured on the WAN port, 0..1.",
        PORT,
    ),
    _data(
        "mist_wan_port_last_flap_timestamp_seconds",
        "gauge",
        "wan_ports",
        "Unix time the WAN port last changed state.",
        PORT,
    ),
    # VPN peer paths
    _data(
        "mist_vpn_peer_path_up",
        "gauge",
        "peer_paths",
        "1 when the VPN peer path is up, else 0.",
        PATH,
    ),
    _data(
        "mist_vpn_peer_path_active",
        "gauge",
        "peer_paths",
        "1 when the peer path is the active one of its redundant set (failover state), else 0.",
        PATH,
    ),
    _data(
        "mist_vpn_peer_path_latency_seconds",
        "gauge",
        "peer_paths",
        "Latency of the VPN peer path in seconds.",
        PATH,
    ),
    _data(
        "mist_vpn_peer_path_jitter_seconds",
        "gauge",
        "peer_paths",
        "Jitter of the VPN peer path in seconds.",
        PATH,
    ),
    _data(
        "mist_vpn_peer_path_loss_ratio",
        "gauge",
        "peer_paths",
        "Packet loss of the VPN peer path, 0..1.",
        PATH,
    ),
    _data(
        "mist_vpn_peer_path_mos",
        "gauge",
        "peer_paths",
        "Mean opinion score of the VPN peer path, 1..5.",
        PATH,
    ),
    # BGP peers
    _data(
        "mist_bgp_peer_up", "gauge", "bgp_peers", "1 when the BGP session is up, else 0.", BGP_PEER
    ),
    _data(
        "mist_bgp_peer_state",
        "gauge",
        "bgp_peers",
        "The BGP session's current state (value 1; one series per session): established, "
        "active, connect, idle, open_sent, open_config, or unknown when its gateway is offline "
        "or Mist stopped reporting it.",
        (*BGP_PEER, "state"),
    ),
    _data(
        "mist_bgp_peer_uptime_seconds",
        "gauge",
        "bgp_peers",
        "Seconds the BGP session has been established (0 while it is down).",
        BGP_PEER,
    ),
    _data(
        "mist_bgp_peer_received_routes",
        "gauge",
        "bgp_peers",
        "Routes received from the BGP neighbor.",
        BGP_PEER,
    ),
    _data(
        "mist_bgp_peer_advertised_routes",
        "gauge",
        "bgp_peers",
        "Routes advertised to the BGP neighbor.",
        BGP_PEER,
    ),
    _data(
        "mist_bgp_peer_flaps_total",
        "counter",
        "bgp_peers",
        "Times the BGP session flapped, as Mist counts them (resets when the gateway reboots).",
        BGP_PEER,
    ),
    # Secure-edge tunnels
    _data(
        "mist_wan_tunnel_info",
        "gauge",
        "tunnels",
        "Peer IP, protocol (ipsec, gre), priority (primary, secondary) and WAN of each "
        "secure-edge tunnel (value 1).",
        (*TUNNEL, "peer_ip", "protocol", "priority", "wan_name"),
    ),
    _data("mist_wan_tunnel_up", "gauge", "tunnels", "1 when the tunnel is up, else 0.", TUNNEL),
    _data(
        "mist_wan_tunnel_uptime_seconds",
        "gauge",
        "tunnels",
        "Seconds since the tunnel's security association was established (0 while down).",
        TUNNEL,
    ),
    _data(
        "mist_wan_tunnel_receive_bytes_total",
        "counter",
        "tunnels",
        "Bytes received on the tunnel, as Mist counts them.",
        TUNNEL,
    ),
    _data(
        "mist_wan_tunnel_transmit_bytes_total",
        "counter",
        "tunnels",
        "Bytes transmitted on the tunnel, as Mist counts them.",
        TUNNEL,
    ),
    _data(
        "mist_wan_tunnel_receive_packets_total",
        "counter",
        "tunnels",
        "Packets received on the tunnel, as Mist counts them.",
        TUNNEL,
    ),
    _data(
        "mist_wan_tunnel_transmit_packets_total",
        "counter",
        "tunnels",
        "Packets transmitted on the tunnel, as Mist counts them.",
        TUNNEL,
    ),
    _data(
        "mist_wan_tunnel_last_flap_timestamp_seconds",
        "gauge",
        "tunnels",
        "Unix time the tunnel last came up (its uptime's start) or was first seen down.",
        TUNNEL,
    ),
    # SLE
    _data(
        "mist_site_sle_ratio",
        "gauge",
        "org_sle",
        "Org-level SLE score of the site over the last hour, 0..1.",
        SLE,
    ),
    _data(
        "mist_site_sle_total_seconds",
        "gauge",
        "deep_dive",
        "User-seconds measured for the SLE in the site's deep-dive window (Mist's user-minutes).",
        SLE,
    ),
    _data(
        "mist_site_sle_degraded_seconds",
        "gauge",
        "deep_dive",
        "Degraded user-seconds of the SLE in the site's deep-dive window.",
        SLE,
    ),
    _data(
        "mist_site_sle_classifier_degraded_seconds",
        "gauge",
        "deep_dive",
        "Degraded user-seconds attributed to each classifier in the deep-dive window.",
        (*SLE, "classifier"),
    ),
    _data(
        "mist_site_sle_threshold",
        "gauge",
        "deep_dive",
        "Threshold configured for the SLE at the site, in the SLE's own unit.",
        SLE,
    ),
    _data(
        "mist_site_sle_distribution",
        "gaugehistogram",
        "deep_dive",
        "Distribution of the SLE's measured values from Mist's histogram (cumulative counts).",
        SLE,
    ),
    _data(
        "mist_site_sle_impacted_gateway_degraded_seconds",
        "gauge",
        "deep_dive",
        "Degraded user-seconds of the SLE attributed to each gateway in the deep-dive window.",
        (*SLE, "gateway_mac"),
    ),
    _data(
        "mist_site_sle_impacted_interface_degraded_seconds",
        "gauge",
        "deep_dive",
        "Degraded user-seconds of the SLE attributed to each interface in the deep-dive window.",
        (*SLE, "gateway_mac", "interface"),
    ),
    _data(
        "mist_site_sle_impact_degraded_seconds",
        "gauge",
        "deep_dive",
        "Degraded user-seconds of the SLE by impact-summary field (gateway, interface, peer_path, "
        "application, client...) and entity, the top N entities per field.",
        (*SLE, "field", "entity"),
    ),
    _data(
        "mist_site_sle_impacted_application_degraded_seconds",
        "gauge",
        "deep_dive",
        "Degraded user-seconds of application health attributed to each application (top N).",
        (*SLE, "application"),
    ),
    _data(
        "mist_site_sle_impacted_clients",
        "gauge",
        "deep_dive",
        "Clients impacted by the SLE's degradation in the deep-dive window (a count).",
        SLE,
    ),
    _data(
        "mist_site_sle_impacted_peer_path_degraded_seconds",
        "gauge",
        "deep_dive",
        "Degraded user-seconds of WAN link health attributed to each VPN peer path (top N).",
        (*SLE, *PATH[1:]),
    ),
    _data(
        "mist_site_sle_deep_dive_timestamp_seconds",
        "gauge",
        "deep_dive",
        "Unix time the site's SLE deep-dive was last fetched (worst sites first).",
        ("site_id",),
    ),
    # Alarms
    _data(
        "mist_alarms",
        "gauge",
        "alarms",
        "Alarms seen in the alarm window (default 24 h) by site, group, severity and type.",
        ("site_id", "group", "severity", "alarm_type"),
    ),
    _data(
        "mist_alarm_incidents_total",
        "counter",
        "alarms",
        "Alarm incidents counted since the exporter's ledger began.",
        ("org_id", "group", "severity", "alarm_type"),
    ),
    # The exporter itself
    _self(
        "mist_up",
        "gauge",
        "1 when the last run of every essential job (gateways, WAN ports, alarms) succeeded, "
        "else 0: the exporter cannot poll Mist and serves its last good data.",
    ),
    _self(
        "mist_simulated",
        "gauge",
        "1 when the data comes from the built-in simulator, not from Mist.",
    ),
    _self(
        "mist_job_last_success_timestamp_seconds",
        "gauge",
        "Unix time the job last finished a run successfully.",
        ("org_id", "mist_job"),
    ),
    _self(
        "mist_job_duration_seconds",
        "gauge",
        "Seconds the job's last run took.",
        ("org_id", "mist_job"),
    ),
    _self(
        "mist_job_interval_seconds",
        "gauge",
        "Seconds between runs of the job as currently planned.",
        ("org_id", "mist_job"),
    ),
    _self(
        "mist_job_errors_total",
        "counter",
        "Failed runs of the job since the exporter started.",
        ("org_id", "mist_job"),
    ),
    _self(
        "mist_api_requests_total",
        "counter",
        "Mist API requests by endpoint template and HTTP status code (0: no response).",
        ("endpoint", "code"),
    ),
    _self(
        "mist_parse_skipped_rows_total",
        "counter",
        "Rows of Mist's answers left out by the parser (a field missing or unreadable, a "
        "duplicate, no data), by endpoint template and reason; the rest of the answer is used.",
        ("endpoint", "reason"),
    ),
    _self(
        "mist_api_auth_failures_total",
        "counter",
        "Answers of 401/403 per token (an index, never the secret): the token expired, was "
        "revoked or lacks a privilege.",
        ("token",),
    ),
    _self(
        "mist_api_budget_remaining",
        "gauge",
        "API calls left for the token this clock hour (token is an index, never the secret).",
        ("token",),
    ),
    _self(
        "mist_api_budget_reset_timestamp_seconds",
        "gauge",
        "Unix time the token's hourly budget resets.",
        ("token",),
    ),
    _self(
        "mist_api_planned_calls_per_hour",
        "gauge",
        "API calls per hour the scheduler plans for the job.",
        ("org_id", "mist_job"),
    ),
    _self(
        "mist_state_store_up",
        "gauge",
        "1 when the state store (Redis) is reachable, 0 while running from memory only.",
    ),
    _self(
        "mist_scrape_render_seconds",
        "gauge",
        "Seconds the last render of the org's metric families took (once per data change).",
    ),
    _self(
        "mist_webhook_events_total",
        "counter",
        "Events of Mist webhook deliveries by topic (alarms, device-events, other) and outcome "
        "(applied, duplicate, stale, unmatched, ignored, unknown_type, invalid); refused "
        "deliveries (signature, size, JSON) count as topic unknown, outcome rejected.",
        ("topic", "outcome"),
    ),
    _self(
        "mist_webhook_last_event_timestamp_seconds",
        "gauge",
        "Unix time the last verified webhook delivery of the topic arrived.",
        ("topic",),
    ),
    _self("mist_exporter_build_info", "gauge", "Version of the exporter (value 1).", ("version",)),
    _self(
        "mist_sle_degraded_threshold_ratio",
        "gauge",
        "SLE score below which a site's SLE counts as degraded (collect.degraded_threshold).",
    ),
    _self(
        "mist_kpi_threshold",
        "gauge",
        "Configured threshold of a KPI at each level (notice, warning, critical), base units.",
        ("kpi", "level"),
    ),
)

BY_NAME: dict[str, MetricDef] = {m.name: m for m in METRICS}
