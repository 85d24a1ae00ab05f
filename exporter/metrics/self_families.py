"""Self-metrics: the exporter's own work, small and rendered on every scrape."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client.metrics_core import Metric

from exporter import __version__
from exporter.collect.table import ESSENTIAL
from exporter.metrics.families import Family
from exporter.model import ExporterStatus, JobStatus
from exporter.thresholds import LEVEL_NAMES


def last_run_succeeded(job: JobStatus) -> bool:
    """True when the job has succeeded and no attempt came after that success.

    ``last_attempt`` is taken as the time the last run finished or failed, so an attempt later
    than the last success means the last run failed.
    """
    if job.last_success is None:
        return False
    return job.last_attempt is None or job.last_attempt <= job.last_success


def jobs_by_org(status: ExporterStatus) -> dict[str, dict[str, JobStatus]]:
    """Each org's jobs by name, orgs in the order their jobs are listed."""
    orgs: dict[str, dict[str, JobStatus]] = {}
    for job in status.jobs:
        orgs.setdefault(job.org_id, {})[job.job] = job
    return orgs


def essential_up(status: ExporterStatus) -> bool:
    """The last run of every essential job of every org succeeded."""
    orgs = jobs_by_org(status) or {"": {}}
    return all(
        name in jobs and last_run_succeeded(jobs[name])
        for jobs in orgs.values()
        for name in ESSENTIAL
    )


def self_families(
    status: ExporterStatus,
    *,
    simulated: bool,
    requests: Mapping[tuple[str, int], int],
    render_seconds: float | None,
    auth_failures: Mapping[int, int] | None = None,
) -> list[Metric]:
    up, sim = Family("mist_up"), Family("mist_simulated")
    up.add({}, essential_up(status))
    sim.add({}, simulated)
    last_success = Family("mist_job_last_success_timestamp_seconds")
    duration = Family("mist_job_duration_seconds")
    interval = Family("mist_job_interval_seconds")
    errors = Family("mist_job_errors_total")
    planned = Family("mist_api_planned_calls_per_hour")
    for c in status.jobs:
        labels = {"org_id": c.org_id, "mist_job": c.job}
        last_success.add(labels, c.last_success)
        duration.add(labels, c.duration_seconds)
        interval.add(labels, c.interval_seconds)
        errors.add(labels, c.errors_total)
        planned.add(labels, c.planned_calls_per_hour)
    skipped = Family("mist_parse_skipped_rows_total")
    for endpoint, reason, count in status.skipped_rows:
        skipped.add({"endpoint": endpoint, "reason": reason}, count)
    api = Family("mist_api_requests_total")
    for (endpoint, code), count in sorted(requests.items()):
        api.add({"endpoint": endpoint, "code": str(code)}, count)
    # Every token from 0 (the budgets list them all), so the first 401 shows as an increase.
    refused = Family("mist_api_auth_failures_total")
    failures = {str(index): count for index, count in (auth_failures or {}).items()}
    for b in status.budgets:
        refused.add({"token": b.token}, failures.pop(b.token, 0))
    for token, count in sorted(failures.items()):
        refused.add({"token": token}, count)
    remaining = Family("mist_api_budget_remaining")
    reset = Family("mist_api_budget_reset_timestamp_seconds")
    for b in status.budgets:
        remaining.add({"token": b.token}, b.remaining)
        reset.add({"token": b.token}, b.reset_timestamp)
    store, render = Family("mist_state_store_up"), Family("mist_scrape_render_seconds")
    store.add({}, status.state_store_up)
    render.add({}, render_seconds)
    pushed = Family("mist_webhook_events_total")
    for topic, outcome, count in status.webhook_events:
        pushed.add({"topic": topic, "outcome": outcome}, count)
    pushed_at = Family("mist_webhook_last_event_timestamp_seconds")
    for topic, at in status.webhook_last_event:
        pushed_at.add({"topic": topic}, at)
    build = Family("mist_exporter_build_info")
    build.add({"version": __version__}, 1)
    degraded, kpi = Family("mist_sle_degraded_threshold_ratio"), Family("mist_kpi_threshold")
    degraded.add({}, status.thresholds.sle_degraded)
    for name, levels in status.thresholds.kpis():
        for level, value in zip(LEVEL_NAMES, levels, strict=True):
            kpi.add({"kpi": name, "level": level}, value)
    families = (
        *(up, sim, last_success, duration, interval, errors),
        *(
            api,
            skipped,
            refused,
            remaining,
            reset,
            planned,
            store,
            render,
            pushed,
            pushed_at,
            build,
        ),
        *(degraded, kpi),
    )
    return [f.metric for f in families]
