"""What is broken now: the Active problems table, its counters and the lists they open (Fleet)."""

from __future__ import annotations

from . import Json
from .board import to_circuit, to_panel, to_region, to_site
from .panels import SEVERITY_MAPPING, colored, column, stat, state_column, table
from .shared import (
    GW_JOIN,
    ORGS,
    PORT_JOIN,
    SITE_JOIN,
    availability_column,
    degraded_sites,
    named,
    org_sites,
)
from .thresholds import (
    AVAILABILITY_TEXT,
    DEGRADED,
    nonzero,
    sle_steps,
)

FLEET = "mist-fleet"
ACTIVE = "Active problems"
DEGRADED_LIST = "Degraded sites (every one)"
GATEWAYS_LIST = "Gateways offline"
CIRCUITS_LIST = "Circuits down"

# Firing alerts; Watchdog fires always (it proves the alert path) and is no problem. Alerts of
# the chosen orgs (label org_id) and those of no org (the exporter's own).
OF_ORGS = 'org_id=~"$org|"'
FIRING = f'ALERTS{{alertstate="firing", alertname!="Watchdog", {OF_ORGS}}}'
# ALERTS_FOR_STATE holds the time an alert became active (pending included): firing ones only.
ACTIVE_SINCE = (
    f'ALERTS_FOR_STATE{{alertname!="Watchdog", {OF_ORGS}}} '
    'and ignoring (alertstate) ALERTS{alertstate="firing"}'
)
# Severity as a number to sort on: critical 3, warning 2, anything else 1.
SEVERITY_RANK = (
    "max without (alertstate) ("
    f'3 * {FIRING[:-1]}, severity="critical"}} '
    f'or 2 * {FIRING[:-1]}, severity="warning"}} '
    f"or {FIRING})"
)


def with_site(expr: str) -> str:
    """``expr`` (alerts) with the site name and region of its site_id; alerts without one kept."""
    return (
        f"({expr}) * on (site_id) group_left (site_name, region) mist_site_info "
        f"or on (site_id) ({expr})"
    )


def active_problems() -> Json:
    """Firing alerts, most severe and then oldest first, each linking to its site and circuit."""
    since = f"max without (alertstate) ({ACTIVE_SINCE})"
    return table(
        ACTIVE,
        [
            (with_site(SEVERITY_RANK), "rank"),
            (with_site(f"time() - {since}"), "age"),
            (with_site(f"{since} * 1000"), "since"),
        ],
        [
            column("rank", "Severity", mappings=SEVERITY_MAPPING, cell="color-background"),
            column("alertname", "Alert"),
            column("site_name", "Site", links=[to_site()]),
            column("org_name", "Org"),
            column("region", "Region", links=[to_region()]),
            column("port_id", "Circuit (port)", links=[to_circuit()]),
            column("peer_mac", "Hub (peer MAC)"),
            column("age", "Firing for", unit="s"),
            column("since", "Since", unit="dateTimeAsLocal"),
            column("severity", "severity", hidden=True),
            column("site_id", "site id", hidden=True),
            column("org_id", "org id", hidden=True),
            column("gateway_mac", "gateway", hidden=True),
            column("alertstate", "state", hidden=True),
        ],
        h=10,
        sort=[("Severity", True), ("Firing for", True)],
        description="Every firing Prometheus alert of the chosen orgs and of the exporter "
        "(Watchdog left out), most severe and then longest firing first, with the site name, "
        "org and region of its site; click the site or "
        "circuit to open its dashboard. Empty is good: every row is a problem to work on, "
        "starting at the top (the runbooks are in docs/alerts.md).",
    )


def _down(kind: str) -> str:
    """How many of the chosen orgs' ``kind`` (gateways, wan_ports) are down (region rollups)."""
    total, up = (f"sum(mist_region:{kind}{suffix}{{{ORGS}}})" for suffix in (":count", "_up:sum"))
    return f"({total} - {up}) or vector(0)"


def counters() -> list[Json]:
    """Counts of what is broken, each opening the table or list that names them."""
    return [
        stat(
            "Problems firing",
            f"count({FIRING}) or vector(0)",
            thresholds=nonzero(),
            w=6,
            links=[to_panel("List them", FLEET, ACTIVE)],
            description="Firing alerts (Watchdog left out). When red, open the Active problems "
            "table (click) and work from its top row.",
        ),
        stat(
            "Degraded sites",
            degraded_sites(org_sites()),
            thresholds=nonzero(),
            w=6,
            links=[to_panel("List them", FLEET, DEGRADED_LIST)],
            description=f"Sites with at least one SLE metric {DEGRADED}. When red, click for "
            "the list and open the worst site to see which classifier degrades it.",
        ),
        stat(
            "Gateways offline",
            _down("gateways"),
            thresholds=nonzero(),
            w=6,
            links=[to_panel("List them", FLEET, GATEWAYS_LIST)],
            description="Gateways Mist reports disconnected. When red, click for the list; "
            "many in one region at once points at a regional ISP or power event.",
        ),
        stat(
            "Circuits down",
            _down("wan_ports"),
            thresholds=nonzero(),
            w=6,
            links=[to_panel("List them", FLEET, CIRCUITS_LIST)],
            description="WAN circuits (ports) that are down. When red, click for the list and "
            "check with the carrier of the circuits that are down.",
        ),
    ]


def lists() -> list[Json]:
    """Every degraded site, offline gateway and down circuit (what the counters count)."""
    site_labels = "site_id, site_name, region, org_id"
    gw_labels = f"{site_labels}, gateway_mac, gateway_name"
    port_labels = f"{gw_labels}, port_id, wan_name, wan_type"
    gateways_down = f"(mist_gateway_up == 0) {GW_JOIN} {SITE_JOIN}"
    ports_down = f"(mist_wan_port_up == 0) {PORT_JOIN} {GW_JOIN} {SITE_JOIN}"

    def of_down_port(metric: str) -> str:
        return named(
            f"max by ({port_labels}) ({metric} {PORT_JOIN} {GW_JOIN} {SITE_JOIN} "
            "and on (site_id, gateway_mac, port_id) (mist_wan_port_up == 0))"
        )

    site_columns = [
        column("site_id", "site id", hidden=True),
        column("org_id", "org id", hidden=True),
        column("site_name", "Site", links=[to_site()]),
        column("org_name", "Org"),
        column("region", "Region", links=[to_region()]),
    ]
    return [
        table(
            DEGRADED_LIST,
            [
                (
                    named(
                        f"min by ({site_labels}, sle) (mist_site_sle_ratio {SITE_JOIN}) "
                        "< on () group_left () mist_sle_degraded_threshold_ratio"
                    ),
                    "sle_value",
                )
            ],
            [
                *site_columns,
                column("sle", "SLE metric"),
                column(
                    "sle_value",
                    "SLE (1h)",
                    unit="percentunit",
                    thresholds=sle_steps(),
                    cell="color-background",
                ),
            ],
            w=8,
            h=12,
            sort_by="SLE (1h)",
            description=f"Every site with an SLE metric {DEGRADED}, worst first (no top-N cut). "
            "Open a site to see the classifiers, impacted gateways and interfaces.",
        ),
        table(
            GATEWAYS_LIST,
            [
                (named(f"max by ({gw_labels}) ({gateways_down})"), "up"),
                (
                    named(
                        f"max by ({gw_labels}) (mist_gateway:availability:ratio_24h {GW_JOIN} "
                        f"{SITE_JOIN} and on (site_id, gateway_mac) (mist_gateway_up == 0))"
                    ),
                    "availability",
                ),
            ],
            [
                *site_columns,
                column("gateway_mac", "MAC"),
                column("gateway_name", "Gateway"),
                state_column(),
                availability_column("availability", "Availability (24h)"),
            ],
            w=8,
            h=12,
            sort_by="Availability (24h)",
            description="Every gateway Mist reports disconnected, with its 24 h availability "
            f"({AVAILABILITY_TEXT}). Open the site; if the whole region is listed, suspect "
            "the region's ISP or power before the gateways.",
        ),
        table(
            CIRCUITS_LIST,
            [
                (named(f"max by ({port_labels}) ({ports_down})"), "up"),
                (of_down_port("mist_wan_port:availability:ratio_24h"), "availability"),
                (of_down_port("mist_wan_port:flaps:changes24h"), "flaps"),
            ],
            [
                *site_columns,
                column("gateway_mac", "gateway", hidden=True),
                column("port_id", "port", hidden=True),
                column("gateway_name", "Gateway"),
                column("wan_name", "Circuit", links=[to_circuit()]),
                column("wan_type", "Type"),
                state_column(),
                availability_column("availability", "Availability (24h)"),
                colored("flaps", "Flaps (24h)", nonzero()),
            ],
            w=8,
            h=12,
            sort_by="Availability (24h)",
            description="Every WAN circuit that is down, with its 24 h availability "
            f"({AVAILABILITY_TEXT}) and flaps. Open the circuit; a circuit down with a healthy "
            "gateway is a carrier ticket.",
        ),
    ]
