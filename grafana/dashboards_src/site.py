"""The site dashboard: SLE deep-dive, gateways, circuits, peer paths and alarms."""

from __future__ import annotations

from . import Json
from .board import REGION_VAR, SITE_VAR, SLE_VAR, dashboard, link, to_circuit
from .panels import UP_MAPPING, bargauge, column, simulated_banner, stat, table, target, timeseries
from .shared import GW_JOIN, PORT_JOIN, peer_paths_table
from .thresholds import (
    CONGESTED_SHARE,
    JITTER,
    LATENCY,
    LOSS,
    UTILISATION,
    bad_above,
    nonzero,
    single,
    sle_steps,
    steps,
)


def build() -> Json:
    """The ``mist-region`` dashboard."""
    s = 'site_id="$site_id"'
    gw_labels = "site_id, gateway_mac, gateway_name, model, version"
    gw_join = (
        "* on (site_id, gateway_mac) group_left (gateway_name, model, version) mist_gateway_info"
    )
    port_labels = "site_id, gateway_mac, gateway_name, port_id, wan_name, wan_type"
    port_join = f"{PORT_JOIN} {GW_JOIN}"

    def port(metric: str) -> str:
        return f"max by ({port_labels}) ({metric}{{{s}}} {port_join})"

    distribution = bargauge(
        "SLE distribution: $sle",
        f'mist_site_sle_distribution_bucket{{{s}, sle=~"$sle"}}',
        "{{le}}",
        fmt="heatmap",
        w=8,
        description="Mist's histogram of the SLE metric's measurements (count per bucket).",
    )
    distribution.update(repeat="sle", repeatDirection="h", maxPerRow=3)
    panels = [
        simulated_banner(),
        stat(
            "Site",
            f"mist_site_info{{{s}}}",
            legend="{{site_name}} ({{region}}, {{country_code}})",
            text_mode="name",
            w=9,
            links=[link("Open region", "mist-region", ["var-region=$region"])],
        ),
        stat(
            "Gateways up",
            f"sum(mist_gateway_up{{{s}}})",
            legend="up",
            w=3,
        ),
        stat(
            "Gateways down",
            f"count(mist_gateway_up{{{s}}} == 0) or vector(0)",
            thresholds=nonzero(),
        ),
        stat(
            "Circuits down",
            f"count(mist_wan_port_up{{{s}}} == 0) or vector(0)",
            thresholds=nonzero(),
        ),
        stat(
            "Critical alarms (24h)",
            f'sum(mist_alarms{{{s}, severity="critical"}}) or vector(0)',
            thresholds=nonzero(),
        ),
        stat(
            "Last deep-dive",
            f"mist_site_sle_deep_dive_timestamp_seconds{{{s}}} * 1000",
            unit="dateTimeFromNow",
            thresholds=single("blue"),
        ),
        timeseries(
            "SLE per metric",
            [target(f'mist_site_sle_ratio{{{s}, sle=~"$sle"}}', "{{sle}}")],
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
        ),
        bargauge(
            "Classifier breakdown (degraded user-time)",
            f'sort_desc(mist_site_sle_classifier_degraded_seconds{{{s}, sle=~"$sle"}} > 0)',
            "{{sle}}: {{classifier}}",
            unit="s",
            thresholds=single("orange"),
            w=12,
            description="Where the degraded user-time of the deep-dive window went.",
        ),
        table(
            "SLE deep-dive",
            [
                (f'max by (sle) (mist_site_sle_total_seconds{{{s}, sle=~"$sle"}})', "total"),
                (f'max by (sle) (mist_site_sle_degraded_seconds{{{s}, sle=~"$sle"}})', "degraded"),
                (
                    f'max by (sle) (1 - mist_site_sle_degraded_seconds{{{s}, sle=~"$sle"}} '
                    f'/ (mist_site_sle_total_seconds{{{s}, sle=~"$sle"}} > 0))',
                    "ratio",
                ),
                (f'max by (sle) (mist_site_sle_threshold{{{s}, sle=~"$sle"}})', "threshold"),
            ],
            [
                column("sle", "SLE metric"),
                column("total", "Total user-time", unit="s"),
                column("degraded", "Degraded user-time", unit="s"),
                column(
                    "ratio",
                    "SLE (deep-dive window)",
                    unit="percentunit",
                    thresholds=sle_steps(),
                    cell="color-background",
                ),
                column("threshold", "Mist threshold"),
            ],
            w=12,
            h=8,
        ),
        table(
            "Impacted gateways",
            [
                (
                    "max by (sle, site_id, gateway_mac, gateway_name) "
                    "(mist_site_sle_impacted_gateway_degraded_seconds"
                    f'{{{s}, sle=~"$sle"}} {GW_JOIN})',
                    "seconds",
                )
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "MAC", hidden=True),
                column("sle", "SLE metric"),
                column("gateway_name", "Gateway"),
                column("seconds", "Degraded user-time", unit="s", thresholds=single("orange")),
            ],
            w=12,
            h=8,
            sort_by="Degraded user-time",
            descending=True,
        ),
        distribution,
        table(
            "Impacted interfaces",
            [
                (
                    "max by (sle, site_id, gateway_mac, gateway_name, interface) "
                    "(mist_site_sle_impacted_interface_degraded_seconds"
                    f'{{{s}, sle=~"$sle"}} {GW_JOIN})',
                    "seconds",
                )
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "MAC", hidden=True),
                column("sle", "SLE metric"),
                column("gateway_name", "Gateway"),
                column("interface", "Interface"),
                column("seconds", "Degraded user-time", unit="s", thresholds=single("orange")),
            ],
            w=24,
            h=8,
            sort_by="Degraded user-time",
            descending=True,
        ),
        table(
            "Gateways",
            [
                (f"max by ({gw_labels}) (mist_gateway_up{{{s}}} {gw_join})", "up"),
                (f"max by ({gw_labels}) (mist_gateway_uptime_seconds{{{s}}} {gw_join})", "uptime"),
                (f"max by ({gw_labels}) (mist_gateway_cpu_ratio{{{s}}} {gw_join})", "cpu"),
                (f"max by ({gw_labels}) (mist_gateway_memory_ratio{{{s}}} {gw_join})", "memory"),
                (
                    f"max by ({gw_labels}) (mist_gateway:availability:ratio_24h{{{s}}} {gw_join})",
                    "availability",
                ),
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "MAC"),
                column("gateway_name", "Gateway"),
                column("model", "Model"),
                column("version", "Firmware"),
                column("up", "State", mappings=UP_MAPPING, cell="color-text"),
                column("uptime", "Uptime", unit="s"),
                column(
                    "cpu",
                    "CPU",
                    unit="percentunit",
                    thresholds=steps(UTILISATION),
                    cell="color-text",
                ),
                column(
                    "memory",
                    "Memory",
                    unit="percentunit",
                    thresholds=steps(UTILISATION),
                    cell="color-text",
                ),
                column("availability", "Availability (24h)", unit="percentunit"),
            ],
            h=6,
        ),
        table(
            "WAN circuits",
            [
                (port("mist_wan_port_up"), "up"),
                (port("mist_wan_port_speed_bytes_per_second") + " * 8", "speed"),
                (port("mist_wan_port:utilisation:ratio_rate5m"), "utilisation"),
                (port("mist_wan_port_loss_ratio"), "loss"),
                (port("mist_wan_port_jitter_seconds"), "jitter"),
                (port("mist_wan_port_latency_seconds"), "latency"),
                (port("mist_wan_port:availability:ratio_24h"), "availability"),
                (port("mist_wan_port:congested:ratio_24h"), "congested"),
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "gateway", hidden=True),
                column("gateway_name", "Gateway"),
                column("port_id", "Port"),
                column("wan_name", "Circuit", links=[to_circuit("$region")]),
                column("wan_type", "Type"),
                column("up", "State", mappings=UP_MAPPING, cell="color-text"),
                column("speed", "Speed", unit="bps"),
                column(
                    "utilisation",
                    "Utilisation",
                    unit="percentunit",
                    thresholds=steps(UTILISATION),
                    cell="color-background",
                ),
                column(
                    "loss", "Loss", unit="percentunit", thresholds=steps(LOSS), cell="color-text"
                ),
                column("jitter", "Jitter", unit="s", thresholds=steps(JITTER), cell="color-text"),
                column(
                    "latency", "Latency", unit="s", thresholds=steps(LATENCY), cell="color-text"
                ),
                column("availability", "Availability (24h)", unit="percentunit"),
                column(
                    "congested",
                    "Time congested (24h)",
                    unit="percentunit",
                    thresholds=bad_above(CONGESTED_SHARE),
                    cell="color-text",
                ),
            ],
            h=8,
        ),
        peer_paths_table("VPN peer paths (active and standby)", s),
        table(
            "Alarms at the site (24h)",
            [(f"max by (group, severity, alarm_type) (mist_alarms{{{s}}} > 0)", "count")],
            [
                column("group", "Group"),
                column("severity", "Severity"),
                column("alarm_type", "Type"),
                column("count", "Alarms"),
            ],
            w=12,
            h=8,
            sort_by="Alarms",
            descending=True,
        ),
        timeseries(
            "Alarms at the site by severity",
            [target(f"sum by (severity) (mist_alarms{{{s}}})", "{{severity}}")],
            w=12,
        ),
    ]
    return dashboard(
        "mist-site",
        "Mist WAN / Site",
        "One site: SLE deep-dive, gateways, WAN circuits, VPN peer paths and alarms.",
        panels,
        [REGION_VAR, SITE_VAR, SLE_VAR],
    )
