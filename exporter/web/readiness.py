"""When the exporter is ready to be scraped: data published, essential jobs not stale."""

from __future__ import annotations

from dataclasses import dataclass

from exporter.config import DEFAULT_INTERVALS
from exporter.model import CollectorStatus, ExporterStatus

STALE_INTERVALS = 3.0


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    reason: str


def interval_of(collector: CollectorStatus | None, name: str) -> float:
    if collector is not None and collector.interval_seconds:
        return collector.interval_seconds
    return DEFAULT_INTERVALS.get(name, 60.0)


def readiness(status: ExporterStatus, now: float) -> Readiness:
    """Not ready until the first publish, nor while an essential job's last success is older
    than three of its intervals (counted from start-up for a job that never succeeded)."""
    if status.first_publish_at is None:
        return Readiness(False, "not ready: no data published yet")
    by_name = {c.collector: c for c in status.collectors}
    stale = []
    for name in status.essential:
        collector = by_name.get(name)
        limit = STALE_INTERVALS * interval_of(collector, name)
        last = collector.last_success if collector is not None else None
        age = now - (last if last is not None else status.started_at)
        if age > limit:
            since = "never succeeded" if last is None else f"last succeeded {age:.0f} s ago"
            stale.append(f"{name} {since} (limit {limit:.0f} s)")
    if stale:
        return Readiness(False, "not ready: stale data: " + "; ".join(stale))
    return Readiness(True, "ready")
