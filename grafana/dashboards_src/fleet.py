"""The fleet overview: what is broken now, then the whole org, drilling down by region."""

from __future__ import annotations

from . import Json
from .board import SLE_VAR, dashboard, link, row, to_region
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
    availability_column,
    availability_stat,
    busiest_and_flapping,
    sle_bargauge,
    sle_timeseries,
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
    steps,
)


def _fleet_stats() -> list[Json]:
    return [
        stat(
            "Sites",
            "sum(mist_region:sites:count)",
            w=4,
            description="Sites of the org the exporter knows (inventory); a sudden drop means "
            "the inventory job failed or sites were removed in Mist.",
        ),
        stat(
            "Gateways online",
            "sum(mist_region:gateways_up:sum) / sum(mist_region:gateways:count)",
            w=4,
            unit="percentunit",
            thresholds=good_above(GATEWAYS_WARNING, GATEWAYS_ONLINE),
            description="Share of gateways Mist reports connected. When orange or red, open "
            "the Gateways offline list (Gateways offline counter) and look for one region.",
        ),
        stat(
            "Alarms (24h)",
            "sum(mist_region:alarms:sum) or vector(0)",
            w=4,
            thresholds=single("blue"),
            links=[link("Alarms", "mist-alarms", [])],
            description="Mist alarms of the last 24 hours, all severities (context, not a "
            "page); click for the Alarms dashboard.",
        ),
        stat(
            "Critical alarms (24h)",
            'sum(mist_region:alarms:sum{severity="critical"}) or vector(0)',
            w=4,
            thresholds=nonzero(),
            links=[link("Alarms", "mist-alarms", ["var-severity=critical"])],
            description="Critical Mist alarms of the last 24 hours. When red, click for the "
            "Alarms dashboard and open the sites with the most alarms.",
        ),
        stat(
            "Congested circuits",
            "sum(mist_region:wan_ports_congested:sum)",
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


def _regions_table() -> Json:
    return table(
        "Regions",
        [
            ("mist_region:sites:count", "sites"),
            ("mist_region:gateways_up:sum / mist_region:gateways:count", "gateways"),
            ("mist_region:wan_ports:count - mist_region:wan_ports_up:sum", "down"),
            ("mist_region:wan_ports_congested:sum", "congested"),
            ('sum by (region) (mist_region:sites_sle_degraded:sum{sle=~"$sle"})', "degraded"),
            ("mist_region:site_availability:ratio_30d", "availability"),
            ('sum by (region) (mist_region:alarms:sum{severity="critical"})', "critical"),
        ],
        [
            column("region", "Region", links=[to_region()]),
            column("sites", "Sites"),
            colored("gateways", "Gateways online", good_above(GATEWAYS_ONLINE), unit="percentunit"),
            colored("down", "Circuits down", nonzero()),
            colored("congested", "Congested circuits", nonzero()),
            colored("degraded", "Degraded site SLEs", nonzero()),
            availability_column("availability", "Site availability (30d)"),
            colored("critical", "Critical alarms (24h)", nonzero()),
        ],
        h=10,
        sort_by="Region",
        description="One row per region: sites, gateways online, circuits down or congested, "
        "degraded SLEs, site availability and critical alarms. Click a red region to open it.",
    )


def _sle_panels() -> list[Json]:
    return [
        sle_bargauge(
            "SLE per metric (site-weighted)",
            "mist_org:site_sle:ratio",
            description="Sum of site scores / number of sites, per WAN SLE metric (1 hour). "
            f"Red is {DEGRADED}: see SLE by region for where.",
        ),
        sle_bargauge(
            "SLE per metric (user-time weighted)",
            "mist_org:sle_time:ratio",
            description="1 - degraded / total user-time over the deep-dived sites; red while "
            "busy sites suffer even if most sites are fine.",
        ),
        bargauge(
            "Degraded sites per SLE metric",
            "mist_org:sites_sle_degraded:sum",
            "{{sle}}",
            thresholds=nonzero(),
            description=f"Sites {DEGRADED}, per SLE metric. When red, open the Degraded sites "
            "list (Degraded sites counter).",
        ),
        sle_timeseries(
            "SLE trend per metric",
            [target("mist_org:site_sle:ratio", "{{sle}}")],
            description="The site-weighted org SLE over time; a step down across metrics at "
            "once is usually an outage upstream of many sites.",
        ),
        sle_timeseries(
            "SLE by region",
            [target('mist_region:site_sle:ratio{sle=~"$sle"}', "{{region}} {{sle}}")],
            description="The site-weighted SLE per region; click a line in the red area to "
            "open that region.",
            links=[to_region("${__field.labels.region}")],
        ),
    ]


def _availability_panels() -> list[Json]:
    return [
        availability_stat(
            "Site availability (30d)",
            "mist_org:site_availability:ratio_30d",
            decimals=3,
            w=4,
            h=8,
            description="Average over sites of the share of time a site had a WAN circuit up "
            f"(30 days; {AVAILABILITY_TEXT}). When red, see which region below.",
        ),
        bargauge(
            "Site availability by region (24h)",
            "sort(mist_region:site_availability:ratio_24h)",
            "{{region}}",
            unit="percentunit",
            thresholds=availability_steps(),
            w=10,
            links=[to_region("${__field.labels.region}")],
            description="Average site availability per region over 24 hours "
            f"({AVAILABILITY_TEXT}); click a red region to find its sites.",
        ),
        timeseries(
            "Circuit flaps per region (24h)",
            [target("mist_region:wan_port_flaps:changes24h", "{{region}}")],
            thresholds=steps(FLAPS),
            w=10,
            links=[to_region("${__field.labels.region}")],
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
        row("Fleet and regions", [*_fleet_stats(), _regions_table()]),
        row("SLE", _sle_panels(), collapsed=True),
        row("Availability and flaps", _availability_panels(), collapsed=True),
        row("Busiest and flapping circuits", busiest_and_flapping(""), collapsed=True),
    ]
    return dashboard(
        "mist-fleet",
        "Mist WAN / Fleet overview",
        "What is broken now (firing alerts, degraded sites, gateways offline, circuits down), "
        "then sites, gateways, circuits, SLEs, availability and alarms of the whole org; drill "
        "down by region.",
        panels,
        [SLE_VAR],
    )
