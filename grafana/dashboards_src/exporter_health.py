"""The exporter health dashboard: API calls and budget, jobs, render time, Redis."""

from __future__ import annotations

from . import Json
from .board import dashboard
from .panels import (
    OK_MAPPING,
    bargauge,
    column,
    simulated_banner,
    stat,
    state_timeline,
    table,
    target,
    timeseries,
)
from .thresholds import API_ERRORS, BUDGET_CALLS, RENDER_SECONDS, good_above, nonzero, single, steps


def build() -> Json:
    """The ``mist-exporter`` dashboard."""
    job = 'job="mist-wan-exporter"'
    panels = [
        simulated_banner(),
        stat("Mist API polling", "min(mist_up)", mappings=OK_MAPPING),
        stat("Redis state store", "min(mist_state_store_up)", mappings=OK_MAPPING),
        stat("Scrape target", f"min(up{{{job}}})", mappings=OK_MAPPING),
        stat(
            "Version",
            "mist_exporter_build_info",
            legend="{{version}}",
            text_mode="name",
            thresholds=single("blue"),
        ),
        stat(
            "/metrics render time",
            "max(mist_scrape_render_seconds)",
            unit="s",
            thresholds=steps(RENDER_SECONDS),
        ),
        stat("API calls (last hour)", "sum(increase(mist_api_requests_total[1h]))"),
        stat(
            "Planned calls per hour",
            "sum(mist_api_planned_calls_per_hour)",
            description="Sum over the jobs of the scheduler's plan for the hour.",
        ),
        stat(
            "API error ratio (1h)",
            '(sum(increase(mist_api_requests_total{code!~"2.."}[1h])) or vector(0)) '
            "/ sum(increase(mist_api_requests_total[1h]))",
            unit="percentunit",
            thresholds=steps(API_ERRORS),
        ),
        timeseries(
            "API calls per hour by endpoint",
            [
                target(
                    "sum by (endpoint) (rate(mist_api_requests_total[$__rate_interval])) * 3600",
                    "{{endpoint}}",
                )
            ],
        ),
        timeseries(
            "API calls per hour by status code",
            [
                target(
                    "sum by (code) (rate(mist_api_requests_total[$__rate_interval])) * 3600",
                    "{{code}}",
                )
            ],
        ),
        timeseries(
            "Budget remaining per token",
            [target("mist_api_budget_remaining", "token {{token}}")],
            thresholds=good_above(*BUDGET_CALLS),
            description="Calls left in the token's hourly budget of 5,000 (exporter's count).",
        ),
        bargauge(
            "Time until budget reset",
            "mist_api_budget_reset_timestamp_seconds - time()",
            "token {{token}}",
            unit="s",
            thresholds=single("blue"),
            w=6,
        ),
        bargauge(
            "Planned calls per hour by job",
            "sort_desc(mist_api_planned_calls_per_hour)",
            "{{mist_job}}",
            thresholds=single("purple"),
            w=6,
        ),
        table(
            "Jobs",
            [
                (
                    "max by (mist_job) (time() - mist_job_last_success_timestamp_seconds)",
                    "age",
                ),
                ("max by (mist_job) (mist_job_interval_seconds)", "interval"),
                ("max by (mist_job) (mist_job_duration_seconds)", "duration"),
                ("sum by (mist_job) (increase(mist_job_errors_total[1h]))", "errors"),
                ("max by (mist_job) (mist_api_planned_calls_per_hour)", "planned"),
            ],
            [
                column("mist_job", "Job"),
                column("age", "Last success", unit="s"),
                column("interval", "Planned interval", unit="s"),
                column("duration", "Last run took", unit="s"),
                column("errors", "Errors (1h)", thresholds=nonzero(), cell="color-text"),
                column("planned", "Planned calls per hour"),
            ],
            w=12,
            h=8,
        ),
        timeseries(
            "Job freshness (seconds since last success)",
            [
                target(
                    "time() - mist_job_last_success_timestamp_seconds",
                    "{{mist_job}}",
                )
            ],
            unit="s",
        ),
        timeseries(
            "Job errors per hour",
            [
                target(
                    "sum by (mist_job) (increase(mist_job_errors_total[1h]))",
                    "{{mist_job}}",
                )
            ],
            w=8,
        ),
        timeseries(
            "Scrape: render and Prometheus scrape duration",
            [
                target("mist_scrape_render_seconds", "render /metrics"),
                target(f"scrape_duration_seconds{{{job}}}", "Prometheus scrape", ref="B"),
            ],
            unit="s",
            w=8,
        ),
        state_timeline(
            "Mist polling and Redis",
            [
                target("min(mist_up)", "Mist API polling"),
                target("min(mist_state_store_up)", "Redis state store", ref="B"),
            ],
            w=8,
            h=8,
            mappings=OK_MAPPING,
        ),
    ]
    return dashboard(
        "mist-exporter",
        "Mist WAN / Exporter health",
        "The exporter itself: Mist API calls and budget per token, job freshness, errors, "
        "render time and Redis.",
        panels,
        [],
        time_from="now-6h",
    )
