"""When the exporter is ready to be scraped: data published, essential jobs not stale."""

from __future__ import annotations

from dataclasses import dataclass

from exporter.collect.table import DEFAULT_INTERVALS, ESSENTIAL
from exporter.metrics.self_families import jobs_by_org
from exporter.model import ExporterStatus, JobStatus

STALE_INTERVALS = 3.0


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    reason: str


def interval_of(job: JobStatus | None, name: str) -> float:
    if job is not None and job.interval_seconds:
        return job.interval_seconds
    return DEFAULT_INTERVALS[name]


def readiness(status: ExporterStatus, now: float) -> Readiness:
    """Not ready until every org has published, nor while an essential job of an org has its
    last success older than three of its intervals (counted from start-up for a job that never
    succeeded)."""
    if status.first_publish_at is None:
        return Readiness(False, "not ready: no data published yet")
    orgs = jobs_by_org(status) or {"": {}}
    stale = []
    for org_id, by_name in orgs.items():
        where = f"org {org_id}: " if len(orgs) > 1 else ""
        for name in ESSENTIAL:
            job = by_name.get(name)
            limit = STALE_INTERVALS * interval_of(job, name)
            last = job.last_success if job is not None else None
            age = now - (last if last is not None else status.started_at)
            if age > limit:
                since = "never succeeded" if last is None else f"last succeeded {age:.0f} s ago"
                stale.append(f"{where}{name} {since} (limit {limit:.0f} s)")
    if stale:
        return Readiness(False, "not ready: stale data: " + "; ".join(stale))
    return Readiness(True, "ready")
