"""Alarms, fetched incrementally and counted exactly once across cycles and restarts.

The ledger is one JSON document in the state store: the search cursor (the end of the last
complete walk), every alarm id seen within the window with what was counted for it,
and the cumulative incident counts. It is written whole (one atomic write) after each page, so a
crash at any point either keeps or loses a page's effect entirely; a restart walks again from
the last complete cursor and the ids already in the ledger are not counted twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from exporter.collect.jobs import Collected, Context, Job, registered
from exporter.mist import endpoints as ep
from exporter.mist import parse
from exporter.model import Alarm, AlarmCount, AlarmIncidents, Snapshot

LEDGER_KIND = "alarms"
LEDGER_KEY = "ledger"
# Re-read this much before the cursor: alarms can be indexed a little after their timestamp.
OVERLAP_SECONDS = 60.0


@dataclass(slots=True)
class Ledger:
    cursor: float | None = None
    # alarm id -> [timestamp, site_id, group, severity, alarm_type, incidents counted]
    seen: dict[str, list[Any]] = field(default_factory=dict)
    incidents: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, data: object) -> Ledger:
        if not isinstance(data, dict):
            return cls()
        return cls(
            cursor=data.get("cursor"),
            seen=dict(data.get("seen") or {}),
            incidents={k: int(v) for k, v in (data.get("incidents") or {}).items()},
        )

    def dump(self) -> dict[str, Any]:
        return {"cursor": self.cursor, "seen": self.seen, "incidents": self.incidents}

    def record(self, alarm: Alarm) -> None:
        """Count what is new about ``alarm``: a new id, or incidents added to a known one."""
        counted = int(self.seen[alarm.alarm_id][5]) if alarm.alarm_id in self.seen else 0
        added = max(alarm.incident_count, 1) - counted
        if added > 0:
            key = "|".join((alarm.group, alarm.severity, alarm.alarm_type))
            self.incidents[key] = self.incidents.get(key, 0) + added
            counted += added
        self.seen[alarm.alarm_id] = [
            alarm.timestamp,
            alarm.site_id,
            alarm.group,
            alarm.severity,
            alarm.alarm_type,
            counted,
        ]

    def prune(self, horizon: float) -> None:
        self.seen = {k: v for k, v in self.seen.items() if float(v[0]) >= horizon}

    def window_counts(self, since: float) -> tuple[AlarmCount, ...]:
        counts = Counter(
            (str(v[1]), str(v[2]), str(v[3]), str(v[4]))
            for v in self.seen.values()
            if float(v[0]) >= since
        )
        return tuple(AlarmCount(*key, count=n) for key, n in sorted(counts.items()))

    def incident_totals(self) -> tuple[AlarmIncidents, ...]:
        rows = []
        for key, n in sorted(self.incidents.items()):
            group, severity, alarm_type = key.split("|", 2)
            rows.append(AlarmIncidents(group, severity, alarm_type, total=n))
        return tuple(rows)


@registered
class AlarmsJob(Job):
    name = "alarms"

    async def collect(self, ctx: Context) -> Collected:
        now = ctx.clock.time()
        window = ctx.config.collect.alarm_window_seconds
        ledger = Ledger.load(await ctx.store.get(LEDGER_KIND, LEDGER_KEY))
        start = now - window if ledger.cursor is None else ledger.cursor - OVERLAP_SECONDS
        async for page in ctx.client.pages(
            ep.ALARM_SEARCH, org_id=ctx.org_id, start=int(start), end=int(now), limit=1000
        ):
            for alarm in parse.parse_alarms(page.records):
                ledger.record(alarm)
            await ctx.store.put(LEDGER_KIND, LEDGER_KEY, ledger.dump())
        ledger.cursor = now
        ledger.prune(now - window - OVERLAP_SECONDS)
        await ctx.store.put(LEDGER_KIND, LEDGER_KEY, ledger.dump())
        return Collected(
            Snapshot(
                alarm_counts=ledger.window_counts(now - window),
                alarm_incidents=ledger.incident_totals(),
            )
        )
