"""The alarms dashboard: Mist alarms of the last 24 hours."""

from __future__ import annotations

from . import Json
from .board import REGIONS_VAR, dashboard, to_region, to_site, variable
from .panels import bargauge, column, simulated_banner, stat, table, target, timeseries
from .thresholds import nonzero, single


def build() -> Json:
    """The ``mist-alarms`` dashboard."""
    sel = 'severity=~"$severity", group=~"$group"'
    filtered = (
        f"mist_alarms{{{sel}}} * on (site_id) group_left (site_name, region) "
        'mist_site_info{region=~"$region"}'
    )
    severity_var = variable(
        "severity", "Severity", "label_values(mist_alarms, severity)", multi=True, include_all=True
    )
    group_var = variable(
        "group", "Group", "label_values(mist_alarms, group)", multi=True, include_all=True
    )

    def by_severity(level: str) -> str:
        return (
            f'sum(mist_alarms{{severity="{level}", group=~"$group"}} * on (site_id) '
            'group_left () mist_site_info{region=~"$region"}) or vector(0)'
        )

    panels = [
        simulated_banner(),
        stat("Alarms (24h)", f"sum({filtered}) or vector(0)", thresholds=single("blue"), w=6),
        stat("Critical (24h)", by_severity("critical"), thresholds=nonzero(), w=6),
        stat("Warning (24h)", by_severity("warn"), thresholds=single("orange"), w=6),
        stat("Info (24h)", by_severity("info"), thresholds=single("blue"), w=6),
        timeseries(
            "Alarms in the 24h window by severity",
            [target(f"sum by (severity) ({filtered})", "{{severity}}")],
        ),
        timeseries(
            "New alarms per hour by type",
            [
                target(
                    f"sum by (alarm_type) (increase(mist_alarm_incidents_total{{{sel}}}[1h]))",
                    "{{alarm_type}}",
                )
            ],
            description="Org-wide incidents counted by the exporter (no region filter).",
            bars=True,
        ),
        bargauge(
            "Alarms by region (24h)",
            f"sort_desc(sum by (region) ({filtered}))",
            "{{region}}",
            thresholds=single("blue"),
            links=[to_region("${__field.labels.region}")],
        ),
        table(
            "Sites with the most alarms (24h)",
            [(f"topk(25, sum by (site_id, site_name, region) ({filtered}))", "count")],
            [
                column("site_id", "site id", hidden=True),
                column("site_name", "Site", links=[to_site()]),
                column("region", "Region", links=[to_region()]),
                column("count", "Alarms"),
            ],
            w=8,
            sort_by="Alarms",
            descending=True,
        ),
        table(
            "Alarm types (24h)",
            [(f"sum by (group, severity, alarm_type) ({filtered})", "count")],
            [
                column("group", "Group"),
                column("severity", "Severity"),
                column("alarm_type", "Type"),
                column("count", "Alarms"),
            ],
            w=8,
            sort_by="Alarms",
            descending=True,
        ),
    ]
    return dashboard(
        "mist-alarms",
        "Mist WAN / Alarms",
        "Mist alarms of the last 24 hours by severity, type, region and site.",
        panels,
        [REGIONS_VAR, severity_var, group_var],
    )
