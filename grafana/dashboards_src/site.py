"""The site dashboard: SLE deep-dive, gateways, circuits, peer paths and alarms."""

from __future__ import annotations

from . import Json
from .board import (
    ANY_REGION_VAR,
    SERIES,
    SITE_VAR,
    SLE_VAR,
    dashboard,
    sections,
    to_circuit,
    to_region,
)
from .panels import (
    bargauge,
    colored,
    column,
    simulated_banner,
    stat,
    state_column,
    table,
    target,
    timeseries,
)
from .routing import bgp_peers_table, tunnels_table
from .shared import (
    GW_JOIN,
    PORT_JOIN,
    availability_column,
    availability_stat,
    named,
    peer_paths_table,
    sle_timeseries,
)
from .thresholds import (
    AVAILABILITY_TEXT,
    CONGESTED_SHARE,
    DEGRADED,
    FLAPS,
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

ROWS = {
    "Site": "Site: gateways, circuits, availability",
    "SLE per metric": "SLE",
    "Classifier breakdown (degraded user-time)": "SLE deep-dive: classifiers and impact",
    "Gateways": "Gateways, WAN circuits and VPN peer paths",
    "Alarms at the site (24h)": "Alarms",
}


def _impacted(
    s: str,
    kind: str,
    extra: list[tuple[str, str]] | None = None,
    *,
    w: int,
    description: str,
) -> Json:
    """Mist's impacted ``kind``s (gateway, interface) of the site selected by ``s``, most
    degraded user-time first; ``extra`` are (label, column title) beyond the gateway's."""
    extra = extra or []
    labels = ", ".join(["sle", "site_id", "gateway_mac", "gateway_name", *(k for k, _ in extra)])
    return table(
        f"Impacted {kind}s",
        [
            (
                f"max by ({labels}) (mist_site_sle_impacted_{kind}_degraded_seconds"
                f'{{{s}, sle=~"$sle"}} {GW_JOIN})',
                "seconds",
            )
        ],
        [
            column("site_id", "site id", hidden=True),
            column("gateway_mac", "MAC", hidden=True),
            column("sle", "SLE metric"),
            column("gateway_name", "Gateway"),
            *(column(label, title) for label, title in extra),
            column("seconds", "Degraded user-time", unit="s", thresholds=single("orange")),
        ],
        w=w,
        h=8,
        description=description,
        sort_by="Degraded user-time",
        descending=True,
    )


def _who_is_hurting(s: str) -> list[Json]:
    """Who suffered the degradation (clients, applications, peer paths...) and over which path."""
    sle = f'{s}, sle=~"$sle"'
    path_labels = "sle, site_id, gateway_mac, gateway_name, port_id, peer_mac, peer_port_id"
    return [
        bargauge(
            "Who is hurting (degraded user-time)",
            f'sort_desc(mist_site_sle_impact_degraded_seconds{{{sle}, field!~"gateway|interface"}}'
            " > 0)",
            "{{sle}} {{field}}: {{entity}}",
            unit="s",
            thresholds=single("orange"),
            w=12,
            description="Mist's impact summary: the most degraded clients, applications, peer "
            "paths (and any other field Mist reports) of the deep-dive window, top N per field. "
            "Many clients on one application or path point at it; start with the top bar.",
        ),
        stat(
            "Impacted clients",
            f"mist_site_sle_impacted_clients{{{sle}}}",
            legend="{{sle}}",
            text_mode="value_and_name",
            thresholds=single("orange"),
            w=4,
            h=8,
            description="How many clients suffered each SLE's degradation in the deep-dive "
            "window. Many clients on one SLE is a site-wide problem, a few is local.",
        ),
        table(
            "Impacted applications",
            [
                (
                    "max by (sle, application) "
                    f"(mist_site_sle_impacted_application_degraded_seconds{{{sle}}})",
                    "seconds",
                )
            ],
            [
                column("sle", "SLE metric"),
                column("application", "Application"),
                column("seconds", "Degraded user-time", unit="s", thresholds=single("orange")),
            ],
            w=8,
            h=8,
            description="Applications Mist found slow or lossy (application health), most "
            "degraded first. One application alone points at its SaaS or its path, all of them "
            "at the circuit.",
            sort_by="Degraded user-time",
            descending=True,
        ),
        table(
            "Impacted peer paths",
            [
                (
                    f"max by ({path_labels}) "
                    f"(mist_site_sle_impacted_peer_path_degraded_seconds{{{sle}}} {GW_JOIN})",
                    "seconds",
                )
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "MAC", hidden=True),
                column("sle", "SLE metric"),
                column("gateway_name", "Gateway"),
                column("port_id", "Port"),
                column("peer_mac", "Peer (hub) MAC"),
                column("peer_port_id", "Peer port"),
                column("seconds", "Degraded user-time", unit="s", thresholds=single("orange")),
            ],
            w=24,
            h=8,
            description="VPN peer paths Mist blames for WAN link health degradation, most "
            "first: the path that hurts, over which port to which hub. Compare with the peer "
            "paths' latency and loss below.",
            sort_by="Degraded user-time",
            descending=True,
        ),
    ]


def build() -> Json:
    """The ``mist-site`` dashboard."""
    s = 'site_id="$site_id"'
    gw_labels = "site_id, gateway_mac, gateway_name, model, version"
    gw_join = (
        "* on (site_id, gateway_mac) group_left (gateway_name, model, version) mist_gateway_info"
    )
    port_labels = "site_id, region, org_id, gateway_mac, gateway_name, port_id, wan_name, wan_type"
    port_join = f"{PORT_JOIN} {GW_JOIN} * on (site_id) group_left (region, org_id) mist_site_info"

    def port(metric: str) -> str:
        return f"max by ({port_labels}) ({metric}{{{s}}} {port_join})"

    distribution = bargauge(
        "SLE distribution: $sle",
        f'mist_site_sle_distribution_bucket{{{s}, sle=~"$sle"}}',
        "{{le}}",
        fmt="heatmap",
        w=8,
        description="Mist's histogram of the SLE metric's measurements (count per bucket); "
        "mass in the low buckets is what pulls the score below the threshold.",
    )
    distribution.update(repeat="sle", repeatDirection="h", maxPerRow=3)
    panels = [
        simulated_banner(),
        stat(
            "Site",
            named(f"mist_site_info{{{s}}}"),
            legend="{{site_name}} ({{org_name}} / {{region}}, {{country_code}})",
            text_mode="name",
            w=9,
            links=[to_region(SERIES)],
            description="The site's name, org, region and country; click to open its region.",
        ),
        stat(
            "Gateways up",
            f"sum(mist_gateway_up{{{s}}})",
            legend="up",
            w=3,
            description="Gateways of the site Mist reports connected (see Gateways down).",
        ),
        stat(
            "Gateways down",
            f"count(mist_gateway_up{{{s}}} == 0) or vector(0)",
            thresholds=nonzero(),
            description="Gateways Mist reports disconnected. When red, the site may be off the "
            "network: check power and every circuit in the Gateways and WAN circuits tables.",
        ),
        stat(
            "Circuits down",
            f"count(mist_wan_port_up{{{s}}} == 0) or vector(0)",
            thresholds=nonzero(),
            description="WAN circuits that are down. When red, open the circuit from the WAN "
            "circuits table and check with its carrier.",
        ),
        stat(
            "Critical alarms (24h)",
            f'sum(mist_alarms{{{s}, severity="critical"}}) or vector(0)',
            thresholds=nonzero(),
            description="Critical Mist alarms at the site in 24 hours. When red, see the Alarms "
            "table below for the types.",
        ),
        stat(
            "Last deep-dive",
            f"mist_site_sle_deep_dive_timestamp_seconds{{{s}}} * 1000",
            unit="dateTimeFromNow",
            thresholds=single("blue"),
            description="When the exporter last fetched the site's SLE deep-dive (classifiers, "
            "impacted gateways); older than the deep-dive interval means it is queued.",
        ),
        availability_stat(
            "Site availability (24h)",
            f"mist_site:availability:ratio_24h{{{s}}}",
            decimals=2,
            w=8,
            description="Share of the last 24 hours with at least one WAN circuit up "
            f"({AVAILABILITY_TEXT}). When red, see the circuits' availability below.",
        ),
        availability_stat(
            "Site availability (30d)",
            f"mist_site:availability:ratio_30d{{{s}}}",
            decimals=3,
            w=8,
            description="Share of the last 30 days with at least one WAN circuit up "
            f"({AVAILABILITY_TEXT}). Red over 30 days is a case for a second circuit.",
        ),
        stat(
            "Circuit flaps (24h)",
            f"mist_site:wan_port_flaps:changes24h{{{s}}}",
            thresholds=steps(FLAPS),
            w=8,
            description="State changes of the site's circuits in 24 hours. When red, find the "
            "flapping circuit in the WAN circuits table and raise it with the carrier.",
        ),
        sle_timeseries(
            "SLE per metric",
            [target(f'mist_site_sle_ratio{{{s}, sle=~"$sle"}}', "{{sle}}")],
            description=f"The site's SLE scores (1 hour) over time; red is {DEGRADED}. Then see "
            "the classifier breakdown for why.",
        ),
        bargauge(
            "Classifier breakdown (degraded user-time)",
            f'sort_desc(mist_site_sle_classifier_degraded_seconds{{{s}, sle=~"$sle"}} > 0)',
            "{{sle}}: {{classifier}}",
            unit="s",
            thresholds=single("orange"),
            w=12,
            description="Where the degraded user-time of the deep-dive window went; the top "
            "classifier is the cause to fix first (e.g. interface congestion: a bigger circuit).",
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
            description="User-time measured and degraded per SLE in the deep-dive window. A red "
            "ratio with much user-time is where users suffer: see the classifiers.",
        ),
        _impacted(
            s,
            "gateway",
            w=12,
            description="Gateways Mist blames for degraded user-time, most first; start with "
            "the top one.",
        ),
        distribution,
        _impacted(
            s,
            "interface",
            [("interface", "Interface")],
            w=24,
            description="Interfaces Mist blames for degraded user-time, most first; the top one "
            "is usually the WAN circuit to look at.",
        ),
        *_who_is_hurting(s),
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
                state_column(),
                column("uptime", "Uptime", unit="s"),
                colored("cpu", "CPU", steps(UTILISATION), unit="percentunit"),
                colored("memory", "Memory", steps(UTILISATION), unit="percentunit"),
                availability_column("availability", "Availability (24h)"),
            ],
            h=6,
            description="The site's gateways: state, uptime, CPU, memory, firmware, 24 h "
            f"availability ({AVAILABILITY_TEXT}). A red gateway: check power and uplinks; "
            "high CPU or memory: check the firmware.",
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
                (port("mist_wan_port:availability:ratio_30d"), "availability_30d"),
                (port("mist_wan_port:congested:ratio_24h"), "congested"),
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "gateway", hidden=True),
                column("region", "region", hidden=True),
                column("org_id", "org id", hidden=True),
                column("gateway_name", "Gateway"),
                column("port_id", "Port"),
                column("wan_name", "Circuit", links=[to_circuit()]),
                column("wan_type", "Type"),
                state_column(),
                column("speed", "Speed", unit="bps"),
                column(
                    "utilisation",
                    "Utilisation",
                    unit="percentunit",
                    thresholds=steps(UTILISATION),
                    cell="color-background",
                ),
                colored("loss", "Loss", steps(LOSS), unit="percentunit"),
                colored("jitter", "Jitter", steps(JITTER), unit="s"),
                colored("latency", "Latency", steps(LATENCY), unit="s"),
                availability_column("availability", "Availability (24h)"),
                availability_column("availability_30d", "Availability (30d)"),
                colored(
                    "congested",
                    "Time congested (24h)",
                    bad_above(CONGESTED_SHARE),
                    unit="percentunit",
                ),
            ],
            h=8,
            description="The site's WAN circuits: state, speed, utilisation, quality, "
            f"availability ({AVAILABILITY_TEXT}) and time congested. Click a red circuit to "
            "open it.",
        ),
        peer_paths_table(
            "VPN peer paths (active and standby)",
            s,
            description="Every VPN peer path of the site to its hubs: state, role and quality. "
            "No path up means the site is isolated from the hubs; one hub down from many "
            "sites is the hub.",
        ),
        bgp_peers_table(
            "BGP sessions",
            s,
            description="Every BGP session of the site's gateways: overlay sessions to the hubs "
            "and provider-edge sessions over MPLS, with state, uptime, routes and flaps in 24 "
            "hours. A session down while its circuit is up is the neighbor or its config.",
        ),
        tunnels_table(
            "Secure-edge tunnels",
            s,
            description="The gateways' IPsec/GRE tunnels to cloud security (Zscaler, Prisma "
            "Access...): state, uptime, last flap and traffic. With the primary down, traffic "
            "moves to the secondary; both down and it fails or leaves unprotected.",
        ),
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
            description="Mist alarms at the site in 24 hours by group, severity and type; "
            "critical ones first explain a site going red.",
        ),
        timeseries(
            "Alarms at the site by severity",
            [target(f"sum by (severity) (mist_alarms{{{s}}})", "{{severity}}")],
            w=12,
            description="Alarms of the trailing 24 hours at the site by severity over time; a "
            "step up dates when the trouble began.",
        ),
    ]
    return dashboard(
        "mist-site",
        "Mist WAN / Site",
        "One site: SLE deep-dive, gateways, WAN circuits, VPN peer paths, BGP sessions, "
        "secure-edge tunnels and alarms.",
        sections(panels, ROWS, collapsed=[ROWS["Classifier breakdown (degraded user-time)"]]),
        [ANY_REGION_VAR, SITE_VAR, SLE_VAR],
    )
