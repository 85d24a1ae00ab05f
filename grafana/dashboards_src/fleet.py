"""The fleet overview: what is broken now, then the whole org, drilling down by region."""

from __future__ import annotations

from . import Json
from .board import SERIES, SLE_VAR, dashboard, link, row, to_org, to_region
from .panels import (
    POLLING_MAPPING,
    bargauge,
    colored,
    column,
    simulated_banner,
    stat,
    table,
    target,
    timeseries,
)
from .problems import active_problems, counters, lists
from .shared import (
    ORGS,
    availability_column,
    availability_stat,
    busiest_and_flapping,
    named,
    org_sites,
    site_weighted_sle,
    sle_bargauge,
    sle_timeseries,
    user_time_sle,
)
from .thresholds import (
    AVAILABILITY_TEXT,
    CONGESTED,
    DEGRADED,
    FLAPS,
    GATEWAYS_ONLINE,
    GATEWAYS_WARNING,
    availability_steps,
    good_above,
    nonzero,
    single,
    sle_steps,
    steps,
)


# The chosen orgs' rollups: mist_region:<name>{org_id=~"$org", ...}.
def _rollup(name: str, *matchers: str) -> str:
    return f"mist_region:{name}{{{', '.join([ORGS, *matchers])}}}"


SLE = 'sle=~"$sle"'
CRITICAL = 'severity="critical"'


def _fleet_stats() -> list[Json]:
    return [
        stat(
            "Sites",
            f"sum({_rollup('sites:count')})",
            w=4,
            description="Sites of the chosen orgs the exporter knows (inventory); a sudden drop "
            "means the inventory job failed or sites were removed in Mist.",
        ),
        stat(
            "Gateways online",
            f"sum({_rollup('gateways_up:sum')}) / sum({_rollup('gateways:count')})",
            w=4,
            unit="percentunit",
            thresholds=good_above(GATEWAYS_WARNING, GATEWAYS_ONLINE),
            description="Share of gateways Mist reports connected. When orange or red, open "
            "the Gateways offline list (Gateways offline counter) and look for one region.",
        ),
        stat(
            "Alarms (24h)",
            f"sum({_rollup('alarms:sum')}) or vector(0)",
            w=4,
            thresholds=single("blue"),
            links=[link("Alarms", "mist-alarms", [])],
            description="Mist alarms of the last 24 hours, all severities (context, not a "
            "page); click for the Alarms dashboard.",
        ),
        stat(
            "Critical alarms (24h)",
            f"sum({_rollup('alarms:sum', CRITICAL)}) or vector(0)",
            w=4,
            thresholds=nonzero(),
            links=[link("Alarms", "mist-alarms", ["var-severity=critical"])],
            description="Critical Mist alarms of the last 24 hours. When red, click for the "
            "Alarms dashboard and open the sites with the most alarms.",
        ),
        stat(
            "Congested circuits",
            f"sum({_rollup('wan_ports_congested:sum')})",
            w=4,
            thresholds=nonzero(),
            description=f"Circuits with the busier direction's 5-minute utilisation {CONGESTED}. "
            "When red, see Top 10 circuits by utilisation below and consider more bandwidth.",
        ),
        stat(
            "Mist API polling",
            "min(mist_up)",
            w=4,
            mappings=POLLING_MAPPING,
            links=[link("Exporter health", "mist-exporter", [])],
            description="Whether the exporter's last Mist API poll succeeded. When failing, "
            "every other panel is stale: open Exporter health (click).",
        ),
    ]


def _orgs_table() -> Json:
    def by_org(expr: str) -> str:
        return f"sum by (org_id) ({expr})"

    def org(name: str, *matchers: str) -> str:
        return f"mist_org:{name}{{{', '.join([ORGS, *matchers])}}}"

    return table(
        "Orgs",
        [
            (named(by_org(_rollup("sites:count"))), "sites"),
            (
                named(
                    f"{by_org(_rollup('gateways_up:sum'))} / {by_org(_rollup('gateways:count'))}"
                ),
                "gateways",
            ),
            (
                named(
                    f"{by_org(_rollup('wan_ports:count'))} - {by_org(_rollup('wan_ports_up:sum'))}"
                ),
                "down",
            ),
            (named(f"min by (org_id) ({org('site_sle:ratio', SLE)})"), "sle"),
            (named(f"min by (org_id) ({org('sle_time:ratio', SLE)})"), "sle_time"),
            (named(by_org(org("sites_sle_degraded:sum", SLE))), "degraded"),
            (named(by_org(org("site_availability:ratio_30d"))), "availability"),
            (named(by_org(_rollup("alarms:sum", CRITICAL))), "critical"),
        ],
        [
            column("org_id", "org id", hidden=True),
            column("org_name", "Org", links=[to_org()]),
            column("sites", "Sites"),
            colored("gateways", "Gateways online", good_above(GATEWAYS_ONLINE), unit="percentunit"),
            colored("down", "Circuits down", nonzero()),
            colored("sle", "Lowest SLE (site-weighted)", sle_steps(), unit="percentunit"),
            colored("sle_time", "Lowest SLE (user-time)", sle_steps(), unit="percentunit"),
            colored("degraded", "Degraded site SLEs", nonzero()),
            availability_column("availability", "Site availability (30d)"),
            colored("critical", "Critical alarms (24h)", nonzero()),
        ],
        h=6,
        sort_by="Org",
        description="One row per chosen org: sites, gateways online, circuits down, the lowest "
        "SLE metric (site-weighted and user-time weighted), degraded SLEs, site availability "
        "and critical alarms. Click an org to see the overview of that org alone.",
    )


def _regions_table() -> Json:
    def of(name: str, *matchers: str) -> str:
        return f"sum by (org_id, region) ({_rollup(name, *matchers)})"

    return table(
        "Regions",
        [
            (named(of("sites:count")), "sites"),
            (named(f"{of('gateways_up:sum')} / {of('gateways:count')}"), "gateways"),
            (named(f"{of('wan_ports:count')} - {of('wan_ports_up:sum')}"), "down"),
            (named(of("wan_ports_congested:sum")), "congested"),
            (named(f"min by (org_id, region) ({_rollup('sle_time:ratio', SLE)})"), "sle_time"),
            (named(of("sites_sle_degraded:sum", SLE)), "degraded"),
            (named(of("site_availability:ratio_30d")), "availability"),
            (named(of("alarms:sum", CRITICAL)), "critical"),
        ],
        [
            column("org_id", "org id", hidden=True),
            column("region", "Region", links=[to_region()]),
            column("org_name", "Org"),
            column("sites", "Sites"),
            colored("gateways", "Gateways online", good_above(GATEWAYS_ONLINE), unit="percentunit"),
            colored("down", "Circuits down", nonzero()),
            colored("congested", "Congested circuits", nonzero()),
            colored("sle_time", "Lowest SLE (user-time)", sle_steps(), unit="percentunit"),
            colored("degraded", "Degraded site SLEs", nonzero()),
            availability_column("availability", "Site availability (30d)"),
            colored("critical", "Critical alarms (24h)", nonzero()),
        ],
        h=10,
        sort_by="Region",
        description="One row per region of the chosen orgs (a region is an org's site group: "
        "two orgs may both have a north): sites, gateways online, circuits down or congested, "
        "lowest user-time SLE, degraded SLEs, site availability and critical alarms. Click a "
        "red region to open it.",
    )


def _sle_panels() -> list[Json]:
    return [
        sle_bargauge(
            "SLE per metric (site-weighted)",
            site_weighted_sle(ORGS),
            description="Sum of site scores / number of sites of the chosen orgs, per WAN SLE "
            f"metric (1 hour). Red is {DEGRADED}: see SLE by region for where.",
        ),
        sle_bargauge(
            "SLE per metric (user-time weighted)",
            user_time_sle(ORGS),
            description="1 - degraded / total user-time over the chosen orgs' deep-dived sites; "
            "red while busy sites suffer even if most sites are fine.",
        ),
        bargauge(
            "Degraded sites per SLE metric",
            f"sum by (sle) (mist_org:sites_sle_degraded:sum{{{ORGS}}})",
            "{{sle}}",
            thresholds=nonzero(),
            description=f"Sites {DEGRADED}, per SLE metric. When red, open the Degraded sites "
            "list (Degraded sites counter).",
        ),
        sle_timeseries(
            "SLE trend per metric",
            [target(site_weighted_sle(ORGS), "{{sle}}")],
            description="The site-weighted SLE of the chosen orgs over time; a step down across "
            "metrics at once is usually an outage upstream of many sites.",
        ),
        sle_timeseries(
            "SLE by region",
            [target(named(_rollup("site_sle:ratio", SLE)), "{{org_name}} / {{region}} {{sle}}")],
            description="The site-weighted SLE per region (org / region); click a line in the "
            "red area to open that region.",
            links=[to_region(SERIES)],
        ),
    ]


def _availability_panels() -> list[Json]:
    return [
        availability_stat(
            "Site availability (30d)",
            f"avg(mist_site:availability:ratio_30d * on (site_id) group_left () {org_sites()})",
            decimals=3,
            w=4,
            h=8,
            description="Average over sites of the share of time a site had a WAN circuit up "
            f"(30 days; {AVAILABILITY_TEXT}). When red, see which region below.",
        ),
        bargauge(
            "Site availability by region (24h)",
            f"sort({named(_rollup('site_availability:ratio_24h'))})",
            "{{org_name}} / {{region}}",
            unit="percentunit",
            thresholds=availability_steps(),
            w=10,
            links=[to_region(SERIES)],
            description="Average site availability per region over 24 hours "
            f"({AVAILABILITY_TEXT}); click a red region to find its sites.",
        ),
        timeseries(
            "Circuit flaps per region (24h)",
            [target(named(_rollup("wan_port_flaps:changes24h")), "{{org_name}} / {{region}}")],
            thresholds=steps(FLAPS),
            w=10,
            links=[to_region(SERIES)],
            description="Flaps of the region's circuits over the last 24 hours; a region "
            "rising together points at a carrier, see Top 10 flapping circuits.",
        ),
    ]


def build() -> Json:
    """The ``mist-fleet`` dashboard: Active problems first, then the fleet by section."""
    panels = [
        simulated_banner(),
        row(
            "Active problems",
            [*counters(), active_problems()],
        ),
        row("Problem lists: degraded sites, gateways offline, circuits down", lists()),
        row("Fleet, orgs and regions", [*_fleet_stats(), _orgs_table(), _regions_table()]),
        row("SLE", _sle_panels(), collapsed=True),
        row("Availability and flaps", _availability_panels(), collapsed=True),
        row("Busiest and flapping circuits", busiest_and_flapping(), collapsed=True),
    ]
    return dashboard(
        "mist-fleet",
        "Mist WAN / Fleet overview",
        "What is broken now (firing alerts, degraded sites, gateways offline, circuits down), "
        "then sites, gateways, circuits, SLEs, availability and alarms of the chosen orgs; drill "
        "down by org and region.",
        panels,
        [SLE_VAR],
    )
