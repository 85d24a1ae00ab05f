"""The region dashboard: one site group, drilling down to its sites and circuits."""

from __future__ import annotations

from . import Json
from .board import REGION_VAR, SLE_VAR, dashboard, link, sections, to_circuit, to_site
from .panels import (
    colored,
    column,
    simulated_banner,
    stat,
    state_column,
    table,
    target,
    timeseries,
)
from .shared import (
    ORGS,
    PORT_JOIN,
    availability_column,
    availability_stat,
    busiest_and_flapping,
    degraded_sites,
    org_sites,
    site_join,
    site_weighted_sle,
    sle_bargauge,
    sle_timeseries,
    user_time_sle,
)
from .thresholds import (
    AVAILABILITY_TEXT,
    DEGRADED,
    FLAPS,
    GATEWAYS_ONLINE,
    UTILISATION,
    good_above,
    nonzero,
    single,
    sle_steps,
    steps,
)


def build() -> Json:
    """The ``mist-region`` dashboard.

    A region is an org's site group: the chosen orgs' regions of that name count together (the
    drill-down links choose the region's org).
    """
    region = 'region="$region"'
    sel = f"{ORGS}, {region}"
    r = f"{{{sel}}}"
    sle = f'{sel}, sle=~"$sle"'
    in_region = org_sites(region)
    site_labels = "site_id, site_name, region, org_id, country_code"
    sites_join = f"* on (site_id) group_left (site_name, region, org_id, country_code) {in_region}"
    port_labels = "site_id, site_name, region, org_id, gateway_mac, port_id, wan_name, wan_type"

    def region_port(metric: str) -> str:
        return f"max by ({port_labels}) ({metric} {PORT_JOIN} {site_join(region)})"

    def site_average(metric: str) -> str:
        return f"avg({metric} * on (site_id) group_left () {in_region})"

    panels = [
        simulated_banner(),
        stat(
            "Sites",
            f"sum(mist_region:sites:count{r})",
            description="Sites of the region (Mist site group); the Sites table below lists them.",
        ),
        stat(
            "Gateways online",
            f"sum(mist_region:gateways_up:sum{r}) / sum(mist_region:gateways:count{r})",
            unit="percentunit",
            thresholds=good_above(GATEWAYS_ONLINE),
            description="Share of the region's gateways Mist reports connected. When red, find "
            "the sites with gateways down in the Sites table.",
        ),
        stat(
            "Degraded sites",
            degraded_sites(in_region),
            thresholds=nonzero(),
            description=f"The region's sites with an SLE metric {DEGRADED}. When red, the Sites "
            "table is sorted by the lowest SLE: open the top one.",
        ),
        stat(
            "Alarms (24h)",
            f"sum(mist_region:alarms:sum{r}) or vector(0)",
            thresholds=single("blue"),
            description="Mist alarms of 24 hours in the region (context, not a page).",
        ),
        stat(
            "Critical alarms (24h)",
            f'sum(mist_region:alarms:sum{{{sel}, severity="critical"}}) or vector(0)',
            thresholds=nonzero(),
            description="Critical Mist alarms of 24 hours in the region. When red, see the "
            "Critical alarms column of the Sites table.",
        ),
        stat(
            "Circuits down",
            f"sum(mist_region:wan_ports:count{r}) - sum(mist_region:wan_ports_up:sum{r})",
            thresholds=nonzero(),
            description="The region's WAN circuits that are down. When red, the Circuits table "
            "lists them first; many at once is a carrier event.",
        ),
        stat(
            "Congested circuits",
            f"sum(mist_region:wan_ports_congested:sum{r})",
            thresholds=nonzero(),
            description="The region's circuits above the utilisation warning threshold; see "
            "Top 10 circuits by utilisation.",
        ),
        stat(
            "Back to fleet",
            f"count({org_sites()})",
            legend="all sites",
            text_mode="value_and_name",
            links=[link("Fleet overview", "mist-fleet", [])],
            description="Sites of the chosen orgs; click to go back to the Fleet overview.",
        ),
        availability_stat(
            "Site availability (24h)",
            site_average("mist_site:availability:ratio_24h"),
            decimals=2,
            w=6,
            description="Average share of the last 24 hours the region's sites had a WAN "
            f"circuit up ({AVAILABILITY_TEXT}). When red, sort the Sites table by availability.",
        ),
        availability_stat(
            "Site availability (30d)",
            site_average("mist_site:availability:ratio_30d"),
            decimals=3,
            w=6,
            description="Average share of the last 30 days the region's sites had a WAN circuit "
            f"up ({AVAILABILITY_TEXT}).",
        ),
        timeseries(
            "Circuit flaps (24h)",
            [target(f"sum(mist_region:wan_port_flaps:changes24h{r})", "flaps in 24 hours")],
            thresholds=steps(FLAPS),
            w=12,
            h=4,
            description="State changes of the region's circuits over the trailing 24 hours; a "
            "rise across the region is a carrier problem (see Top 10 flapping circuits).",
        ),
        sle_bargauge(
            "SLE per metric (site-weighted)",
            site_weighted_sle(sle),
            description=f"The region's site-weighted SLE per metric (1 hour); red is {DEGRADED}.",
            w=6,
        ),
        sle_bargauge(
            "SLE per metric (user-time weighted)",
            user_time_sle(sle),
            description="1 - degraded / total user-time over the region's deep-dived sites; "
            "red while the busy sites suffer.",
            w=6,
        ),
        sle_timeseries(
            "SLE trend per metric",
            [target(site_weighted_sle(sle), "{{sle}}")],
            description="The region's site-weighted SLE over time; a drop dates an incident.",
            w=6,
        ),
        timeseries(
            "Degraded sites per metric",
            [target(f"sum by (sle) (mist_region:sites_sle_degraded:sum{{{sle}}})", "{{sle}}")],
            w=6,
            description=f"Sites {DEGRADED} over time, per metric.",
        ),
        table(
            "Sites of the region",
            [
                (
                    f'min by ({site_labels}) (mist_site_sle_ratio{{sle=~"$sle"}} {sites_join})',
                    "sle",
                ),
                (f"sum by ({site_labels}) (mist_gateway_up {sites_join})", "gw_up"),
                (f"count by ({site_labels}) (mist_gateway_up {sites_join})", "gw"),
                (f"sum by ({site_labels}) (mist_wan_port_up {sites_join})", "ports_up"),
                (
                    f"count by ({site_labels}) (mist_wan_port_up {sites_join}) - "
                    f"sum by ({site_labels}) (mist_wan_port_up {sites_join})",
                    "ports_down",
                ),
                (
                    f'sum by ({site_labels}) (mist_alarms{{severity="critical"}} {sites_join})',
                    "critical",
                ),
                (
                    f"max by ({site_labels}) (mist_site:availability:ratio_30d {sites_join})",
                    "availability",
                ),
                (
                    f"max by ({site_labels}) (mist_site:wan_port_flaps:changes24h {sites_join})",
                    "flaps",
                ),
            ],
            [
                column("site_id", "site id", hidden=True),
                column("org_id", "org id", hidden=True),
                column("region", "region", hidden=True),
                column("site_name", "Site", links=[to_site()]),
                column("country_code", "Country"),
                column(
                    "sle",
                    "Lowest SLE",
                    unit="percentunit",
                    thresholds=sle_steps(),
                    cell="color-background",
                ),
                column("gw_up", "Gateways up"),
                column("gw", "Gateways"),
                column("ports_up", "Circuits up"),
                colored("ports_down", "Circuits down", nonzero()),
                colored("critical", "Critical alarms (24h)", nonzero()),
                availability_column("availability", "Availability (30d)"),
                colored("flaps", "Flaps (24h)", steps(FLAPS)),
            ],
            h=12,
            sort_by="Lowest SLE",
            description="Every site of the region: lowest SLE, gateways and circuits up and "
            f"down, critical alarms, availability ({AVAILABILITY_TEXT}) and flaps. Click a red "
            "site to open it.",
        ),
        *busiest_and_flapping(region),
        table(
            "Circuits (down first)",
            [
                (region_port("mist_wan_port_up"), "up"),
                (region_port("mist_wan_port:utilisation:ratio_rate5m"), "utilisation"),
                (region_port("mist_wan_port:flaps:changes24h"), "flaps"),
            ],
            [
                column("site_id", "site id", hidden=True),
                column("gateway_mac", "gateway", hidden=True),
                column("port_id", "port", hidden=True),
                column("region", "region", hidden=True),
                column("org_id", "org id", hidden=True),
                column("site_name", "Site", links=[to_site()]),
                column("wan_name", "Circuit", links=[to_circuit()]),
                column("wan_type", "Type"),
                state_column(),
                colored("utilisation", "Utilisation", steps(UTILISATION), unit="percentunit"),
                colored("flaps", "Flaps (24h)", steps(FLAPS)),
            ],
            sort_by="State",
            description="Every circuit of the region, down ones first, with utilisation and "
            "flaps; click a red circuit to open it.",
        ),
    ]
    return dashboard(
        "mist-region",
        "Mist WAN / Region",
        "One region (site group): its SLEs, sites and circuits; drill down to a site.",
        sections(
            panels,
            {
                "Sites": "Region",
                "SLE per metric (site-weighted)": "SLE",
                "Sites of the region": "Sites and circuits",
            },
        ),
        [REGION_VAR, SLE_VAR],
    )
