"""Alarms (``alarms/search``): an open alarm keeps its id and creation ``timestamp`` while its
``count`` (``incident_count`` on the live API) and ``last_seen`` grow."""

from __future__ import annotations

from typing import Any

from exporter.mist import endpoints
from exporter.mist.parse.fields import Fields, Skips, each_row, newest
from exporter.model import Alarm

ALARM_SEARCH = endpoints.ALARM_SEARCH.template


def parse_alarms(rows: Any, skips: Skips | None = None) -> tuple[Alarm, ...]:
    """Rows of ``alarms/search``, one per id (the latest seen); org-level alarms have site_id ""."""

    def read(row: Fields) -> tuple[str, float, Alarm]:
        count_key = "incident_count" if row.has("incident_count") else "count"
        timestamp = row.number("timestamp")
        alarm = Alarm(
            alarm_id=row.text("id"),
            site_id=row.opt_text("site_id"),
            group=row.text("group"),
            severity=row.text("severity"),
            alarm_type=row.text("type"),
            timestamp=timestamp,
            incident_count=row.integer(count_key) if row.has(count_key) else 1,
            last_seen=row.opt_number("last_seen") or timestamp,
        )
        return alarm.alarm_id, alarm.last_seen, alarm

    return newest(ALARM_SEARCH, each_row(ALARM_SEARCH, rows, read, skips, walk=True), skips)
