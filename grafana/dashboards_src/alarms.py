"""The alarms dashboard: Mist alarms of the last 24 hours, from the region rollup."""

from __future__ import annotations

from . import Json
from .board import REGIONS_VAR, SERIES, dashboard, sections, to_region, to_site, variable
from .panels import bargauge, column, simulated_banner, stat, table, target, timeseries
from .shared import ORGS, named, site_join
from .thresholds import nonzero, single


def build() -> Json:
    """The ``mist-alarms`` dashboard."""
    sel = 'severity=~"$severity", group=~"$group"'
    # mist_region:alarms_by_type:sum: alarms per region, group, severity and type (a rule), so
    # that the panels do not join every site's raw mist_alarms at every step.
    regions = 'region=~"$region"'
    rollup = f"mist_region:alarms_by_type:sum{{{sel}, {ORGS}, {regions}}}"
    per_site = f"mist_alarms{{{sel}}} {site_join(regions)}"
    severity_var = variable(
        "severity", "Severity", "label_values(mist_alarms, severity)", multi=True, include_all=True
    )
    group_var = variable(
        "group", "Group", "label_values(mist_alarms, group)", multi=True, include_all=True
    )

    def by_severity(level: str) -> str:
        return (
            f'sum(mist_region:alarms_by_type:sum{{severity="{level}", group=~"$group", '
            f"{ORGS}, {regions}}}) or vector(0)"
        )

    panels = [
        simulated_banner(),
        stat(
            "Alarms (24h)",
            f"sum({rollup}) or vector(0)",
            thresholds=single("blue"),
            w=6,
            description="Mist alarms of the last 24 hours in the selected orgs, regions, groups "
            "and severities; context for the problems, not a page.",
        ),
        stat(
            "Critical (24h)",
            by_severity("critical"),
            thresholds=nonzero(),
            w=6,
            description="Critical alarms of 24 hours. When red, open the sites with the most "
            "alarms below.",
        ),
        stat(
            "Warning (24h)",
            by_severity("warn"),
            thresholds=single("orange"),
            w=6,
            description="Warning alarms of 24 hours; many of one type at once point at a "
            "common cause (see Alarm types).",
        ),
        stat(
            "Info (24h)",
            by_severity("info"),
            thresholds=single("blue"),
            w=6,
            description="Informational alarms of 24 hours (reconnects and the like); no action.",
        ),
        timeseries(
            "Alarms in the 24h window by severity",
            [target(f"sum by (severity) ({rollup})", "{{severity}}")],
            description="Alarms of the trailing 24 hours by severity over time; a step up dates "
            "the start of an incident.",
        ),
        timeseries(
            "New alarms per hour by type",
            [
                target(
                    "sum by (alarm_type) "
                    f"(increase(mist_alarm_incidents_total{{{sel}, {ORGS}}}[1h]))",
                    "{{alarm_type}}",
                )
            ],
            description="Incidents of the chosen orgs counted by the exporter (per org: no "
            "region filter); a spike of one type is a fleet-wide event.",
            bars=True,
        ),
        bargauge(
            "Alarms by region (24h)",
            f"sort_desc({named(f'sum by (org_id, region) ({rollup})')})",
            "{{org_name}} / {{region}}",
            thresholds=single("blue"),
            links=[to_region(SERIES)],
            description="Alarms of 24 hours per region; click a region standing out to open it.",
        ),
        table(
            "Sites with the most alarms (24h)",
            [
                (
                    named(f"topk(25, sum by (site_id, site_name, region, org_id) ({per_site}))"),
                    "count",
                )
            ],
            [
                column("site_id", "site id", hidden=True),
                column("org_id", "org id", hidden=True),
                column("site_name", "Site", links=[to_site()]),
                column("org_name", "Org"),
                column("region", "Region", links=[to_region()]),
                column("count", "Alarms"),
            ],
            w=8,
            sort_by="Alarms",
            descending=True,
            description="The 25 sites with the most alarms in 24 hours; open the top ones.",
        ),
        table(
            "Alarm types (24h)",
            [(f"sum by (group, severity, alarm_type) ({rollup})", "count")],
            [
                column("group", "Group"),
                column("severity", "Severity"),
                column("alarm_type", "Type"),
                column("count", "Alarms"),
            ],
            w=8,
            sort_by="Alarms",
            descending=True,
            description="Alarms of 24 hours by group, severity and type, most first.",
        ),
    ]
    rows = {
        "Alarms (24h)": "Alarm counts",
        "Alarms in the 24h window by severity": "Over time",
        "Alarms by region (24h)": "Where and what",
    }
    return dashboard(
        "mist-alarms",
        "Mist WAN / Alarms",
        "Mist alarms of the last 24 hours by severity, type, region and site.",
        sections(panels, rows),
        [REGIONS_VAR, severity_var, group_var],
    )
