"""The circuit dashboard: one WAN port, its quality, congestion and peer paths."""

from __future__ import annotations

from . import Json
from .board import GATEWAY_VAR, PORT_VAR, REGION_VAR, SITE_VAR, dashboard, link
from .panels import (
    ACTIVE_MAPPING,
    UP_MAPPING,
    simulated_banner,
    stat,
    state_timeline,
    target,
    timeseries,
)
from .shared import PORT_SEL, peer_paths_table
from .thresholds import (
    CONGESTED,
    FLAPS,
    JITTER,
    LATENCY,
    LOSS,
    UTILISATION,
    nonzero,
    percent,
    sle_steps,
    steps,
)


def build() -> Json:
    """The ``mist-site`` dashboard."""
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
        )

    panels = [
        simulated_banner(),
        stat(
            "Circuit",
            f"mist_wan_port_info{{{s}}} * on (site_id) group_left (site_name) mist_site_info",
            legend="{{wan_name}} ({{wan_type}}, port {{port_id}}) at {{site_name}}",
            text_mode="name",
            w=9,
            links=[link("Open site", "mist-site", ["var-region=$region", "var-site_id=$site_id"])],
        ),
        stat("State", f"mist_wan_port_up{{{s}}}", mappings=UP_MAPPING),
        stat("Speed", f"mist_wan_port_speed_bytes_per_second{{{s}}} * 8", unit="bps"),
        stat(
            "Availability (24h)",
            f"mist_wan_port:availability:ratio_24h{{{s}}}",
            unit="percentunit",
            thresholds=sle_steps(),
            decimals=2,
        ),
        stat(
            "Availability (7d)",
            f"mist_wan_port:availability:ratio_7d{{{s}}}",
            unit="percentunit",
            thresholds=sle_steps(),
            decimals=2,
        ),
        stat(
            "Availability (30d)",
            f"mist_wan_port:availability:ratio_30d{{{s}}}",
            unit="percentunit",
            thresholds=sle_steps(),
            decimals=2,
        ),
        stat(
            "Flaps (24h)",
            f"mist_wan_port:flaps:changes24h{{{s}}}",
            thresholds=steps(FLAPS),
            w=4,
        ),
        stat(
            "Time congested (time range)",
            f"avg_over_time(mist_wan_port:congested:bool{{{s}}}[$__range]) * $__range_s",
            unit="s",
            thresholds=nonzero(),
            w=5,
            description=f"Cumulative time the busier direction's utilisation was {CONGESTED}.",
        ),
        stat(
            "Longest congested run (time range)",
            f"max_over_time(mist_wan_port:congestion_run:seconds{{{s}}}[$__range])",
            unit="s",
            thresholds=nonzero(),
            w=5,
        ),
        stat(
            "Receive utilisation",
            f"mist_wan_port:receive_utilisation:ratio_rate5m{{{s}}}",
            unit="percentunit",
            thresholds=steps(UTILISATION),
            w=5,
        ),
        stat(
            "Transmit utilisation",
            f"mist_wan_port:transmit_utilisation:ratio_rate5m{{{s}}}",
            unit="percentunit",
            thresholds=steps(UTILISATION),
            w=5,
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
            f"{' / '.join(map(percent, UTILISATION))}.",
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
        ),
        state_timeline(
            "Up / down",
            [target(f"mist_wan_port_up{{{s}}}", "{{port_id}}")],
            w=12,
            h=5,
            mappings=UP_MAPPING,
        ),
        timeseries(
            "Flaps per hour",
            [target(f"mist_wan_port:flaps:changes1h{{{s}}}", "flaps in the last hour")],
            w=12,
            h=5,
        ),
        quality("Latency", "mist_wan_port_latency_seconds", "s", LATENCY),
        quality("Jitter", "mist_wan_port_jitter_seconds", "s", JITTER),
        quality("Loss", "mist_wan_port_loss_ratio", "percentunit", LOSS),
        timeseries(
            "Current congested run",
            [target(f"mist_wan_port:congestion_run:seconds{{{s}}}", "seconds in the current run")],
            unit="s",
            w=8,
        ),
        state_timeline(
            "Failover: active and standby peer paths",
            [target(f"mist_vpn_peer_path_active{{{s}}}", "{{peer_mac}} {{peer_port_id}}")],
            w=8,
            h=8,
            mappings=ACTIVE_MAPPING,
        ),
        timeseries(
            "Active path changes per hour",
            [
                target(
                    f"sum(mist_vpn_peer_path:active:changes1h{{{s}}})", "changes in the last hour"
                )
            ],
            w=8,
        ),
        peer_paths_table("VPN peer paths over this circuit", s),
    ]
    return dashboard(
        "mist-circuit",
        "Mist WAN / Circuit",
        "One WAN circuit: utilisation, availability, flaps, quality and the peer paths over it.",
        panels,
        [REGION_VAR, SITE_VAR, GATEWAY_VAR, PORT_VAR],
    )
