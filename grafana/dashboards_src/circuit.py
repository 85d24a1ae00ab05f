"""The circuit dashboard: one WAN port, its quality, congestion and peer paths."""

from __future__ import annotations

from . import Json
from .board import (
    ANY_REGION_VAR,
    GATEWAY_VAR,
    PORT_VAR,
    SERIES,
    SITE_VAR,
    dashboard,
    sections,
    to_site,
)
from .panels import (
    ACTIVE_MAPPING,
    UP_MAPPING,
    simulated_banner,
    stat,
    state_timeline,
    target,
    timeseries,
)
from .routing import bgp_peers_table, tunnels_table
from .shared import PORT_SEL, SITE_JOIN, peer_paths_table
from .thresholds import (
    AVAILABILITY_TEXT,
    CONGESTED,
    FLAPS,
    JITTER,
    LATENCY,
    LOSS,
    UTILISATION,
    availability_steps,
    nonzero,
    percent,
    steps,
)


def build() -> Json:
    """The ``mist-circuit`` dashboard."""
    s = PORT_SEL

    def quality(title: str, metric: str, unit: str, levels: tuple[float, float, float]) -> Json:
        return timeseries(
            title,
            [
                target(f"{metric}{{{s}}}", "circuit"),
                target(
                    f"max by (peer_mac, peer_port_id) "
                    f"({metric.replace('mist_wan_port', 'mist_vpn_peer_path')}{{{s}}})",
                    "peer {{peer_mac}} {{peer_port_id}}",
                    ref="B",
                ),
            ],
            unit=unit,
            thresholds=steps(levels),
            w=8,
            description=f"{title} of the circuit and of the VPN peer paths over it; the red "
            "area is the critical threshold. Red on the circuit and its paths alike is the "
            "carrier: raise it with them.",
        )

    def availability(window: str) -> Json:
        return stat(
            f"Availability ({window})",
            f"mist_wan_port:availability:ratio_{window}{{{s}}}",
            unit="percentunit",
            thresholds=availability_steps(),
            decimals=2,
            description=f"Share of the last {window} the circuit was up ({AVAILABILITY_TEXT}). "
            "When red, check Flaps and the Up / down timeline, then the carrier's SLA.",
        )

    panels = [
        simulated_banner(),
        stat(
            "Circuit",
            f"mist_wan_port_info{{{s}}} {SITE_JOIN}",
            legend="{{wan_name}} ({{wan_type}}, port {{port_id}}) at {{site_name}}",
            text_mode="name",
            w=9,
            links=[to_site(SERIES)],
            description="The circuit (WAN name, type, port) and its site; click to open the site.",
        ),
        stat(
            "State",
            f"mist_wan_port_up{{{s}}}",
            mappings=UP_MAPPING,
            description="Whether the port is up now. When down, check the gateway on the site "
            "dashboard, then the carrier.",
        ),
        stat(
            "Speed",
            f"mist_wan_port_speed_bytes_per_second{{{s}}} * 8",
            unit="bps",
            description="Negotiated speed of the port; lower than ordered means a duplex or "
            "cabling problem.",
        ),
        availability("24h"),
        availability("7d"),
        availability("30d"),
        stat(
            "Flaps (24h)",
            f"mist_wan_port:flaps:changes24h{{{s}}}",
            thresholds=steps(FLAPS),
            w=4,
            description="State changes in 24 hours. When red, the circuit is unstable: see Flaps "
            "per hour for when, and raise it with the carrier.",
        ),
        stat(
            "Time congested (time range)",
            f"avg_over_time(mist_wan_port:congested:bool{{{s}}}[$__range]) * $__range_s",
            unit="s",
            thresholds=nonzero(),
            w=5,
            description=f"Cumulative time the busier direction's utilisation was {CONGESTED}. "
            "When red for long, the circuit needs more bandwidth or traffic shaping.",
        ),
        stat(
            "Longest congested run (time range)",
            f"max_over_time(mist_wan_port:congestion_run:seconds{{{s}}}[$__range])",
            unit="s",
            thresholds=nonzero(),
            w=5,
            description="The longest continuous run above the utilisation threshold in the time "
            "range; long runs (not short bursts) justify an upgrade.",
        ),
        stat(
            "Receive utilisation",
            f"mist_wan_port:receive_utilisation:ratio_rate5m{{{s}}}",
            unit="percentunit",
            thresholds=steps(UTILISATION),
            w=5,
            description="Download rate over the speed (5 minutes). When red, see Utilisation "
            "over time and the time congested.",
        ),
        stat(
            "Transmit utilisation",
            f"mist_wan_port:transmit_utilisation:ratio_rate5m{{{s}}}",
            unit="percentunit",
            thresholds=steps(UTILISATION),
            w=5,
            description="Upload rate over the speed (5 minutes). When red, see Utilisation "
            "over time and the time congested.",
        ),
        timeseries(
            "Utilisation",
            [
                target(f"mist_wan_port:receive_utilisation:ratio_rate5m{{{s}}}", "receive"),
                target(
                    f"mist_wan_port:transmit_utilisation:ratio_rate5m{{{s}}}", "transmit", ref="B"
                ),
            ],
            unit="percentunit",
            thresholds=steps(UTILISATION),
            description="rate(bytes) over 5 minutes / speed; default thresholds "
            f"{' / '.join(map(percent, UTILISATION))}. In the red area for long, the circuit "
            "is too small for the site.",
        ),
        timeseries(
            "Throughput",
            [
                target(
                    f"rate(mist_wan_port_receive_bytes_total{{{s}}}[$__rate_interval]) * 8",
                    "receive",
                ),
                target(
                    f"rate(mist_wan_port_transmit_bytes_total{{{s}}}[$__rate_interval]) * 8",
                    "transmit",
                    ref="B",
                ),
                target(
                    f"mist_wan_port_receive_rate_bytes_per_second{{{s}}} * 8",
                    "receive (last rate reported by Mist)",
                    ref="C",
                ),
                target(
                    f"mist_wan_port_transmit_rate_bytes_per_second{{{s}}} * 8",
                    "transmit (last rate reported by Mist)",
                    ref="D",
                ),
            ],
            unit="bps",
            description="Bits per second each way, from the byte counters and as last reported "
            "by Mist; compare with the speed when the utilisation is red.",
        ),
        timeseries(
            "Current congested run",
            [target(f"mist_wan_port:congestion_run:seconds{{{s}}}", "seconds in the current run")],
            unit="s",
            w=24,
            h=6,
            description="Length of the current run above the utilisation threshold (0 below "
            "it); a rising line is ongoing congestion.",
        ),
        state_timeline(
            "Up / down",
            [target(f"mist_wan_port_up{{{s}}}", "{{port_id}}")],
            w=12,
            h=5,
            mappings=UP_MAPPING,
            description="When the port was up (green) or down (red); red stretches are the "
            "outages to raise with the carrier.",
        ),
        timeseries(
            "Flaps per hour",
            [target(f"mist_wan_port:flaps:changes1h{{{s}}}", "flaps in the last hour")],
            w=12,
            h=5,
            description="State changes in the trailing hour; repeated flaps are a line or "
            "carrier problem even when the circuit is up now.",
        ),
        quality("Latency", "mist_wan_port_latency_seconds", "s", LATENCY),
        quality("Jitter", "mist_wan_port_jitter_seconds", "s", JITTER),
        quality("Loss", "mist_wan_port_loss_ratio", "percentunit", LOSS),
        state_timeline(
            "Failover: active and standby peer paths",
            [target(f"mist_vpn_peer_path_active{{{s}}}", "{{peer_mac}} {{peer_port_id}}")],
            w=8,
            h=8,
            mappings=ACTIVE_MAPPING,
            description="Which peer paths over this circuit carried traffic (active) or stood "
            "by; a switch to standby is a failover: check this circuit's quality at that time.",
        ),
        timeseries(
            "Active path changes per hour",
            [
                target(
                    f"sum(mist_vpn_peer_path:active:changes1h{{{s}}})", "changes in the last hour"
                )
            ],
            w=8,
            description="Changes of the active peer path in the trailing hour; repeated "
            "failovers mean the circuit flaps or its quality crosses the path's SLA.",
        ),
        peer_paths_table(
            "VPN peer paths over this circuit",
            s,
            description="Every VPN peer path over the circuit: state, role and quality. A red "
            "path to one hub while others are fine is the hub's side; all red is this circuit.",
        ),
        tunnels_table(
            "Secure-edge tunnels of this gateway",
            'site_id="$site_id", gateway_mac="$gateway_mac"',
            description="The gateway's tunnels to cloud security and the circuit each runs "
            "over: state, uptime, last flap and traffic. Down with its circuit up points at the "
            "provider's POP or the IKE negotiation.",
        ),
        bgp_peers_table(
            "BGP sessions of this gateway",
            'site_id="$site_id", gateway_mac="$gateway_mac"',
            description="The gateway's BGP sessions (overlay to the hubs, provider edge over "
            "MPLS): a provider-edge session down with this MPLS circuit is the circuit.",
        ),
    ]
    rows = {
        "Circuit": "Circuit: state, availability, congestion",
        "Utilisation": "Utilisation and throughput",
        "Up / down": "Up / down and flaps",
        "Latency": "Quality: latency, jitter, loss",
        "Failover: active and standby peer paths": "VPN peer paths and failover",
    }
    return dashboard(
        "mist-circuit",
        "Mist WAN / Circuit",
        "One WAN circuit: utilisation, availability, flaps, quality and the peer paths over it.",
        sections(panels, rows),
        [ANY_REGION_VAR, SITE_VAR, GATEWAY_VAR, PORT_VAR],
    )
