"""The exporter health dashboard: API calls and budget, jobs, render time, Redis."""

from __future__ import annotations

from . import Json
from .board import dashboard, sections
from .panels import (
    OK_MAPPING,
    bargauge,
    colored,
    column,
    simulated_banner,
    stat,
    state_timeline,
    table,
    target,
    timeseries,
)
from .shared import ORGS, named
from .thresholds import API_ERRORS, BUDGET_CALLS, RENDER_SECONDS, good_above, nonzero, single, steps


def build() -> Json:
    """The ``mist-exporter`` dashboard: the jobs of the chosen orgs; calls and budgets are the
    tokens', which the orgs share."""
    job = 'job="mist-wan-exporter"'
    planned = f"mist_api_planned_calls_per_hour{{{ORGS}}}"
    jobs = "org_id, mist_job"

    def of_jobs(aggregation: str, expr: str) -> str:
        return named(f"{aggregation} by ({jobs}) ({expr})")

    panels = [
        simulated_banner(),
        stat(
            "Mist API polling",
            "min(mist_up)",
            mappings=OK_MAPPING,
            description="Whether the last poll of the Mist API succeeded. When down, see API "
            "calls by status code (401/403: the token; 429: the budget; 5xx: Mist).",
        ),
        stat(
            "Redis state store",
            "min(mist_state_store_up)",
            mappings=OK_MAPPING,
            description="Whether the exporter reaches Redis (its state across restarts). When "
            "down, check the redis container and REDIS_URL.",
        ),
        stat(
            "Scrape target",
            f"min(up{{{job}}})",
            mappings=OK_MAPPING,
            description="Whether Prometheus scrapes the exporter. When down, every Mist panel "
            "is stale: check the exporter container and its logs.",
        ),
        stat(
            "Version",
            "mist_exporter_build_info",
            legend="{{version}}",
            text_mode="name",
            thresholds=single("blue"),
            description="The exporter version running; compare with the CHANGELOG after an "
            "upgrade.",
        ),
        stat(
            "/metrics render time",
            "max(mist_scrape_render_seconds)",
            unit="s",
            thresholds=steps(RENDER_SECONDS),
            description="Time to render /metrics. When red, scrapes risk timing out: see the "
            "render and scrape duration graph.",
        ),
        stat(
            "API calls (last hour)",
            "sum(increase(mist_api_requests_total[1h]))",
            description="Calls made to the Mist API in the last hour, to compare with the "
            "planned calls and the tokens' budgets.",
        ),
        stat(
            "Planned calls per hour",
            f"sum({planned})",
            description="Sum over the chosen orgs' jobs of the scheduler's plan for the hour; "
            "above the tokens' budgets the scheduler stretches the intervals.",
        ),
        stat(
            "API error ratio (1h)",
            '(sum(increase(mist_api_requests_total{code!~"2.."}[1h])) or vector(0)) '
            "/ sum(increase(mist_api_requests_total[1h]))",
            unit="percentunit",
            thresholds=steps(API_ERRORS),
            description="Share of Mist API calls of the last hour that did not return 2xx. "
            "When red, see API calls by status code.",
        ),
        timeseries(
            "API calls per hour by endpoint",
            [
                target(
                    "sum by (endpoint) (rate(mist_api_requests_total[$__rate_interval])) * 3600",
                    "{{endpoint}}",
                )
            ],
            description="Call rate per Mist endpoint; an endpoint out of line with its job "
            "interval points at retries.",
        ),
        timeseries(
            "API calls per hour by status code",
            [
                target(
                    "sum by (code) (rate(mist_api_requests_total[$__rate_interval])) * 3600",
                    "{{code}}",
                )
            ],
            description="Call rate per HTTP status; 401/403 is a token expired or revoked, "
            "429 the budget, 5xx Mist itself.",
        ),
        timeseries(
            "Budget remaining per token",
            [target("mist_api_budget_remaining", "token {{token}}")],
            thresholds=good_above(*BUDGET_CALLS),
            description="Calls left in the token's hourly budget of 5,000 (exporter's count). "
            "When red, add a token or lengthen the job intervals.",
        ),
        bargauge(
            "Time until budget reset",
            "mist_api_budget_reset_timestamp_seconds - time()",
            "token {{token}}",
            unit="s",
            thresholds=single("blue"),
            w=6,
            description="Seconds until each token's hourly budget resets.",
        ),
        bargauge(
            "Planned calls per hour by job",
            f"sort_desc({named(planned)})",
            "{{org_name}}: {{mist_job}}",
            thresholds=single("purple"),
            w=6,
            description="The scheduler's planned calls per hour for each job of each chosen "
            "org; the biggest consumers of the budget.",
        ),
        table(
            "Jobs",
            [
                (
                    of_jobs("max", f"time() - mist_job_last_success_timestamp_seconds{{{ORGS}}}"),
                    "age",
                ),
                (of_jobs("max", f"mist_job_interval_seconds{{{ORGS}}}"), "interval"),
                (of_jobs("max", f"mist_job_duration_seconds{{{ORGS}}}"), "duration"),
                (of_jobs("sum", f"increase(mist_job_errors_total{{{ORGS}}}[1h])"), "errors"),
                (of_jobs("max", planned), "planned"),
            ],
            [
                column("org_id", "org id", hidden=True),
                column("org_name", "Org"),
                column("mist_job", "Job"),
                column("age", "Last success", unit="s"),
                column("interval", "Planned interval", unit="s"),
                column("duration", "Last run took", unit="s"),
                colored("errors", "Errors (1h)", nonzero()),
                column("planned", "Planned calls per hour"),
            ],
            w=12,
            h=8,
            description="Every job of each chosen org: time since its last success, interval, "
            "last duration, errors and planned calls. A red error count: see the exporter log "
            "for that job.",
        ),
        timeseries(
            "Job freshness (seconds since last success)",
            [
                target(
                    named(f"time() - mist_job_last_success_timestamp_seconds{{{ORGS}}}"),
                    "{{org_name}}: {{mist_job}}",
                )
            ],
            unit="s",
            description="Seconds since each job's last success; a line climbing past its "
            "interval is a stuck or failing job.",
        ),
        timeseries(
            "Job errors per hour",
            [
                target(
                    of_jobs("sum", f"increase(mist_job_errors_total{{{ORGS}}}[1h])"),
                    "{{org_name}}: {{mist_job}}",
                )
            ],
            w=8,
            description="Failed runs per job in the trailing hour; see the exporter log.",
        ),
        timeseries(
            "Scrape: render and Prometheus scrape duration",
            [
                target("mist_scrape_render_seconds", "render /metrics"),
                target(f"scrape_duration_seconds{{{job}}}", "Prometheus scrape", ref="B"),
            ],
            unit="s",
            w=8,
            description="Render time of /metrics and Prometheus' scrape duration; close to the "
            "scrape timeout means lost scrapes.",
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
            description="Mist polling and the Redis state store over time; red stretches are "
            "the outages of each.",
        ),
    ]
    return dashboard(
        "mist-exporter",
        "Mist WAN / Exporter health",
        "The exporter itself: Mist API calls and budget per token, the chosen orgs' job "
        "freshness and errors, render time and Redis.",
        sections(
            panels,
            {
                "Mist API polling": "Status",
                "API calls per hour by endpoint": "Mist API calls and budget",
                "Jobs": "Jobs, render time and Redis",
            },
        ),
        [],
        time_from="now-6h",
    )
