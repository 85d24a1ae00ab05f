"""PromQL joins and the tables that several dashboards show (top circuits, peer paths)."""

from __future__ import annotations

from . import Json
from .board import to_circuit, to_site
from .panels import (
    ACTIVE_MAPPING,
    bargauge,
    colored,
    column,
    stat,
    state_column,
    table,
    timeseries,
)
from .thresholds import (
    FLAPS,
    JITTER,
    LATENCY,
    LOSS,
    UTILISATION,
    availability_steps,
    sle_steps,
    steps,
)

# The chosen orgs (the ``org`` variable): a matcher for series that carry org_id (the region and
# org rollups, the jobs), and the sites of those orgs for series that do not.
ORGS = 'org_id=~"$org"'


def org_sites(*matchers: str) -> str:
    """``mist_site_info`` of the chosen orgs' sites, narrowed by ``matchers`` (PromQL)."""
    return f"mist_site_info{{{', '.join([ORGS, *matchers])}}}"


def site_join(*matchers: str) -> str:
    """Joins site name, region and org_id to series with a site_id, keeping the chosen orgs'
    sites (narrowed by ``matchers``)."""
    return f"* on (site_id) group_left (site_name, region, org_id) {org_sites(*matchers)}"


def named(expr: str) -> str:
    """``expr`` (with an org_id) with its org's name, from mist_org_info (one series per org)."""
    return f"({expr}) * on (org_id) group_left (org_name) mist_org_info"


def site_weighted_sle(selector: str) -> str:
    """SLE per metric over the regions ``selector`` matches: sum of site scores / sites."""
    return (
        f"sum by (sle) (mist_region:site_sle_ratio:sum{{{selector}}}) "
        f"/ sum by (sle) (mist_region:site_sle_ratio:count{{{selector}}})"
    )


def user_time_sle(selector: str) -> str:
    """User-time weighted SLE over the regions ``selector`` matches: 1 - degraded / total."""
    return (
        f"1 - sum by (sle) (mist_region:sle_degraded_seconds:sum{{{selector}}}) "
        f"/ (sum by (sle) (mist_region:sle_total_seconds:sum{{{selector}}}) > 0)"
    )


SITE_JOIN = site_join()
PORT_JOIN = (
    "* on (site_id, gateway_mac, port_id) group_left (wan_name, wan_type) mist_wan_port_info"
)
GW_JOIN = "* on (site_id, gateway_mac) group_left (gateway_name) mist_gateway_info"
PORT_SEL = 'site_id="$site_id", gateway_mac="$gateway_mac", port_id="$port_id"'


def availability_column(name: str, display: str) -> Json:
    """An availability ratio column, red and orange below the availability objectives."""
    return colored(name, display, availability_steps(), unit="percentunit")


def availability_stat(
    title: str, expr: str, *, decimals: int, w: int, description: str, h: int = 4
) -> Json:
    """One availability ratio, red and orange below the availability objectives."""
    return stat(
        title,
        expr,
        unit="percentunit",
        thresholds=availability_steps(),
        decimals=decimals,
        w=w,
        h=h,
        description=description,
    )


def sle_bargauge(title: str, expr: str, *, description: str, w: int = 8) -> Json:
    """One bar per SLE metric of ``expr`` (ratios 0 to 1, red when degraded)."""
    return bargauge(
        title,
        expr,
        "{{sle}}",
        unit="percentunit",
        thresholds=sle_steps(),
        min_max=(0, 1),
        w=w,
        description=description,
    )


def sle_timeseries(
    title: str,
    targets: list[Json],
    *,
    description: str,
    w: int = 12,
    links: list[Json] | None = None,
) -> Json:
    """SLE ratios over time (0 to 1, red when degraded)."""
    return timeseries(
        title,
        targets,
        unit="percentunit",
        thresholds=sle_steps(),
        min_max=(0, 1),
        w=w,
        links=links,
        description=description,
    )


def degraded_sites(sites: str) -> str:
    """Sites of ``sites`` (a mist_site_info selector) with an SLE metric below the threshold."""
    return (
        f"count(min by (site_id) (mist_site_sle_ratio) * on (site_id) group_left () {sites} "
        "< on () group_left () mist_sle_degraded_threshold_ratio) or vector(0)"
    )


def top_circuits(
    title: str,
    metric: str,
    display: str,
    where: tuple[str, ...],
    *,
    unit: str,
    thresholds: Json,
    description: str,
) -> Json:
    """The 10 circuits with the highest ``metric`` at the chosen orgs' sites (narrowed by the
    mist_site_info matchers ``where``), named, linking to site and circuit."""
    labels = "site_id, site_name, region, org_id, gateway_mac, port_id, wan_name, wan_type"
    expr = named(f"topk(10, max by ({labels}) ({metric} {PORT_JOIN} {site_join(*where)}))")
    return table(
        title,
        [(expr, "value")],
        [
            column("site_id", "site id", hidden=True),
            column("org_id", "org id", hidden=True),
            column("gateway_mac", "gateway", hidden=True),
            column("port_id", "port", hidden=True),
            column("site_name", "Site", links=[to_site()]),
            column("org_name", "Org"),
            column("region", "Region"),
            column("wan_name", "Circuit", links=[to_circuit()]),
            column("wan_type", "Type"),
            column("value", display, unit=unit, thresholds=thresholds, cell="color-background"),
        ],
        w=12,
        sort_by=display,
        descending=True,
        description=description,
    )


def busiest_and_flapping(*where: str) -> list[Json]:
    """Top 10 circuits by utilisation and by flaps; ``where`` narrows the sites (matchers)."""
    return [
        top_circuits(
            "Top 10 circuits by utilisation",
            "mist_wan_port:utilisation:ratio_rate5m",
            "Utilisation (busier direction, 5m)",
            where,
            unit="percentunit",
            thresholds=steps(UTILISATION),
            description="The 10 busiest circuits (busier direction, 5 minutes). Red is above "
            "the critical utilisation threshold: open the circuit to see how long it stays "
            "congested before ordering bandwidth.",
        ),
        top_circuits(
            "Top 10 flapping circuits (24h)",
            "mist_wan_port:flaps:changes24h",
            "Flaps (24h)",
            where,
            unit="short",
            thresholds=steps(FLAPS),
            description="The 10 circuits that changed state most often in 24 hours. A red "
            "circuit is unstable: open it and raise it with the carrier.",
        ),
    ]


def peer_paths_table(title: str, selector: str, *, description: str) -> Json:
    """Peer paths matching ``selector`` with gateway and circuit names, role and quality."""
    labels = "site_id, gateway_mac, gateway_name, port_id, wan_name, peer_mac, peer_port_id"
    join = (
        f"* on (site_id, gateway_mac, port_id) group_left (wan_name) mist_wan_port_info {GW_JOIN}"
    )

    def path(metric: str) -> str:
        return f"max by ({labels}) ({metric}{{{selector}}} {join})"

    return table(
        title,
        [
            (path("mist_vpn_peer_path_up"), "up"),
            (path("mist_vpn_peer_path_active"), "active"),
            (path("mist_vpn_peer_path_latency_seconds"), "latency"),
            (path("mist_vpn_peer_path_jitter_seconds"), "jitter"),
            (path("mist_vpn_peer_path_loss_ratio"), "loss"),
            (path("mist_vpn_peer_path_mos"), "mos"),
        ],
        [
            column("site_id", "site id", hidden=True),
            column("gateway_mac", "gateway", hidden=True),
            column("port_id", "port", hidden=True),
            column("gateway_name", "Gateway"),
            column("wan_name", "Circuit"),
            column("peer_mac", "Peer (hub) MAC"),
            column("peer_port_id", "Peer port"),
            state_column(),
            column("active", "Role", mappings=ACTIVE_MAPPING, cell="color-text"),
            colored("latency", "Latency", steps(LATENCY), unit="s"),
            colored("jitter", "Jitter", steps(JITTER), unit="s"),
            colored("loss", "Loss", steps(LOSS), unit="percentunit"),
            column("mos", "MOS"),
        ],
        h=8,
        description=description,
    )
