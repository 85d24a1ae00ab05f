"""The fleet overview: the whole org, drilling down by region."""

from __future__ import annotations

from . import Json
from .board import SLE_VAR, dashboard, link, to_region, to_site
from .panels import (
    POLLING_MAPPING,
    bargauge,
    column,
    simulated_banner,
    stat,
    table,
    target,
    timeseries,
)
from .shared import SITE_JOIN, busiest_and_flapping, degraded_sites
from .thresholds import (
    CONGESTED,
    DEGRADED,
    GATEWAYS_ONLINE,
    GATEWAYS_WARNING,
    good_above,
    nonzero,
    single,
    sle_steps,
)


def build() -> Json:
    """The ``mist-fleet`` dashboard."""
    panels = [
        simulated_banner(),
        stat("Sites", "sum(mist_region:sites:count)"),
        stat(
            "Gateways online",
            "sum(mist_region:gateways_up:sum) / sum(mist_region:gateways:count)",
            unit="percentunit",
            thresholds=good_above(GATEWAYS_WARNING, GATEWAYS_ONLINE),
        ),
        stat(
            "Degraded sites",
            degraded_sites("mist_site_sle_ratio"),
            thresholds=nonzero(),
            description=f"Sites with at least one WAN SLE metric {DEGRADED}.",
        ),
        stat("Alarms (24h)", "sum(mist_alarms) or vector(0)", thresholds=single("blue")),
        stat(
            "Critical alarms (24h)",
            'sum(mist_alarms{severity="critical"}) or vector(0)',
            thresholds=nonzero(),
        ),
        stat(
            "Circuits down",
            "sum(mist_region:wan_ports:count) - sum(mist_region:wan_ports_up:sum)",
            thresholds=nonzero(),
        ),
        stat(
            "Congested circuits",
            "sum(mist_region:wan_ports_congested:sum)",
            thresholds=nonzero(),
            description=f"Circuits with the busier direction's 5-minute utilisation {CONGESTED}.",
        ),
        stat(
            "Mist API polling",
            "min(mist_up)",
            mappings=POLLING_MAPPING,
            links=[link("Exporter health", "mist-exporter", [])],
        ),
        bargauge(
            "SLE per metric (site-weighted)",
            "mist_org:site_sle:ratio",
            "{{sle}}",
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
            description="Sum of site scores / number of sites, per WAN SLE metric (1 hour).",
        ),
        bargauge(
            "SLE per metric (user-time weighted)",
            "mist_org:sle_time:ratio",
            "{{sle}}",
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
            description="1 - degraded / total user-time over the deep-dived sites.",
        ),
        bargauge(
            "Degraded sites per SLE metric",
            "mist_org:sites_sle_degraded:sum",
            "{{sle}}",
            thresholds=nonzero(),
        ),
        timeseries(
            "SLE trend per metric",
            [target("mist_org:site_sle:ratio", "{{sle}}")],
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
        ),
        timeseries(
            "SLE by region",
            [target('mist_region:site_sle:ratio{sle=~"$sle"}', "{{region}} {{sle}}")],
            unit="percentunit",
            thresholds=sle_steps(),
            min_max=(0, 1),
            links=[to_region("${__field.labels.region}")],
        ),
        table(
            "Regions",
            [
                ("mist_region:sites:count", "sites"),
                ("mist_region:gateways_up:sum / mist_region:gateways:count", "gateways"),
                ("mist_region:wan_ports:count - mist_region:wan_ports_up:sum", "down"),
                ("mist_region:wan_ports_congested:sum", "congested"),
                (
                    'sum by (region) (mist_region:sites_sle_degraded:sum{sle=~"$sle"})',
                    "degraded",
                ),
                (
                    'sum by (region) (mist_region:alarms:sum{severity="critical"})',
                    "critical",
                ),
            ],
            [
                column("region", "Region", links=[to_region()]),
                column("sites", "Sites"),
                column(
                    "gateways",
                    "Gateways online",
                    unit="percentunit",
                    thresholds=good_above(GATEWAYS_ONLINE),
                    cell="color-text",
                ),
                column("down", "Circuits down", thresholds=nonzero(), cell="color-text"),
                column("congested", "Congested circuits", thresholds=nonzero(), cell="color-text"),
                column("degraded", "Degraded site SLEs", thresholds=nonzero(), cell="color-text"),
                column(
                    "critical", "Critical alarms (24h)", thresholds=nonzero(), cell="color-text"
                ),
            ],
            w=12,
            sort_by="Region",
        ),
        table(
            "Worst sites",
            [
                (
                    "bottomk(20, min by (site_id, site_name, region, sle) "
                    f'(mist_site_sle_ratio{{sle=~"$sle"}} {SITE_JOIN}))',
                    "sle_value",
                )
            ],
            [
                column("site_id", "site id", hidden=True),
                column("site_name", "Site", links=[to_site()]),
                column("region", "Region", links=[to_region()]),
                column("sle", "SLE metric"),
                column(
                    "sle_value",
                    "SLE (1h)",
                    unit="percentunit",
                    thresholds=sle_steps(),
                    cell="color-background",
                ),
            ],
            w=12,
            sort_by="SLE (1h)",
        ),
        *busiest_and_flapping(""),
    ]
    return dashboard(
        "mist-fleet",
        "Mist WAN / Fleet overview",
        "Sites, gateways, circuits, SLEs and alarms of the whole org; drill down by region.",
        panels,
        [SLE_VAR],
    )
