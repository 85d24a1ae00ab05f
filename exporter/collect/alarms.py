"""Alarms, fetched incrementally and counted exactly once across cycles and restarts.

An open alarm keeps its id and creation ``timestamp`` while its incident count and
``last_seen`` grow, and Mist does not say whether the search's ``start`` filters on
``timestamp`` or ``last_seen``. So each run reads the recent part (from the last cursor), and
every ``alarm_rescan_seconds`` the whole window, where growth of older open alarms shows; the
ledger keeps, per alarm id, the incidents already counted, so growth is counted once whichever
walk sees it.

The ledger is one JSON document in the state store: the cursor, the time of the last full
walk, every alarm id last seen within the window with what was counted for it, and the
cumulative incident counts. It is written whole (one atomic write) after each page, so a crash
at any point either keeps or loses a page's effect entirely.

Webhook alarms (:func:`record_pushed`) go into the same ledger, so an alarm pushed by Mist and
later seen by a walk (or the other way round) is counted once. Every change is a load, record
and save under one lock per store (:func:`ledger_lock`), never across an API call, so a walk
and a delivery interleave page by page without losing each other's records.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from exporter.clock import Clock
from exporter.collect.jobs import Collected, Context, Job, registered
from exporter.config import CollectConfig
from exporter.mist import endpoints as ep
from exporter.mist import parse
from exporter.model import Alarm, AlarmCount, AlarmIncidents, Snapshot
from exporter.state.store import StateStore

LEDGER_KIND = "alarms"
LEDGER_KEY = "ledger"
# Re-read this much before the cursor: alarms can be indexed a little after their timestamp.
OVERLAP_SECONDS = 60.0
# alarm id -> [timestamp, site_id, group, severity, alarm_type, incidents counted, last_seen]
_LAST_SEEN = 6
_LOCKS: weakref.WeakKeyDictionary[StateStore, asyncio.Lock] = weakref.WeakKeyDictionary()


def ledger_lock(store: StateStore) -> asyncio.Lock:
    """The one lock (in this process) around every load-record-save of ``store``'s ledger."""
    lock = _LOCKS.get(store)
    if lock is None:
        lock = _LOCKS[store] = asyncio.Lock()
    return lock


@dataclass(slots=True)
class Ledger:
    cursor: float | None = None
    rescanned: float | None = None
    seen: dict[str, list[Any]] = field(default_factory=dict)
    incidents: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, data: object) -> Ledger:
        if not isinstance(data, dict):
            return cls()
        return cls(
            cursor=data.get("cursor"),
            rescanned=data.get("rescanned"),
            seen=dict(data.get("seen") or {}),
            incidents={k: int(v) for k, v in (data.get("incidents") or {}).items()},
        )

    def dump(self) -> dict[str, Any]:
        return {
            "cursor": self.cursor,
            "rescanned": self.rescanned,
            "seen": self.seen,
            "incidents": self.incidents,
        }

    def record(self, alarm: Alarm) -> bool:
        """Count what is new about ``alarm``: a new id, or incidents added to a known one.

        True when the ledger changed (a new id, incidents, or a later ``last_seen``).
        """
        known = self.seen.get(alarm.alarm_id)
        counted = int(known[5]) if known else 0
        added = max(alarm.incident_count, 1) - counted
        if added > 0:
            key = "|".join((alarm.group, alarm.severity, alarm.alarm_type))
            self.incidents[key] = self.incidents.get(key, 0) + added
            counted += added
        last_seen = max(alarm.last_seen, alarm.timestamp, _last_seen(known) if known else 0.0)
        changed = known is None or added > 0 or last_seen > _last_seen(known)
        self.seen[alarm.alarm_id] = [
            alarm.timestamp,
            alarm.site_id,
            alarm.group,
            alarm.severity,
            alarm.alarm_type,
            counted,
            last_seen,
        ]
        return changed

    def prune(self, horizon: float) -> None:
        """Forget alarms not seen since ``horizon`` (an open alarm stays while it recurs)."""
        self.seen = {k: v for k, v in self.seen.items() if _last_seen(v) >= horizon}

    def window_counts(self, since: float) -> tuple[AlarmCount, ...]:
        """Alarms seen since ``since`` (raised or recurring), by site, group, severity, type."""
        counts = Counter(
            (str(v[1]), str(v[2]), str(v[3]), str(v[4]))
            for v in self.seen.values()
            if _last_seen(v) >= since
        )
        return tuple(AlarmCount(*key, count=n) for key, n in sorted(counts.items()))

    def incident_totals(self) -> tuple[AlarmIncidents, ...]:
        rows = []
        for key, n in sorted(self.incidents.items()):
            group, severity, alarm_type = key.split("|", 2)
            rows.append(AlarmIncidents(group, severity, alarm_type, total=n))
        return tuple(rows)


def _last_seen(entry: list[Any]) -> float:
    """When an entry's alarm was last seen (ledgers of 0.1 kept only the creation time)."""
    return float(entry[_LAST_SEEN] if len(entry) > _LAST_SEEN else entry[0])


def published(ledger: Ledger, since: float) -> Snapshot:
    """The alarm fields of the snapshot from ``ledger``: alarms seen since ``since``, totals."""
    return Snapshot(
        alarm_counts=ledger.window_counts(since), alarm_incidents=ledger.incident_totals()
    )


async def _recorded(store: StateStore, alarms: Iterable[Alarm]) -> tuple[Ledger, list[bool]]:
    """Load the ledger, record ``alarms``, save it: under the ledger lock, one atomic write."""
    async with ledger_lock(store):
        ledger = Ledger.load(await store.get(LEDGER_KIND, LEDGER_KEY))
        changed = [ledger.record(alarm) for alarm in alarms]
        await store.put(LEDGER_KIND, LEDGER_KEY, ledger.dump())
    return ledger, changed


async def record_pushed(
    store: StateStore, clock: Clock, collect: CollectConfig, alarms: Iterable[Alarm]
) -> tuple[Snapshot, list[bool]]:
    """Record alarms a webhook pushed; the alarm fields to publish now, and which were new.

    Nothing awaits between the last save and the caller's publish, and the alarms job
    publishes right after its own last save: whichever publishes last has the newer ledger.
    """
    ledger, changed = await _recorded(store, alarms)
    return published(ledger, clock.time() - collect.alarm_window_seconds), changed


def search_filters(collect: CollectConfig) -> Iterator[dict[str, str]]:
    """The query filters of one walk each: Mist's ``group`` takes one value, ``type`` many."""
    types = {"type": ",".join(collect.alarm_types)} if collect.alarm_types else {}
    if not collect.alarm_groups:
        yield types
    for group in collect.alarm_groups:
        yield {"group": group, **types}


@registered
class AlarmsJob(Job):
    name = "alarms"

    async def collect(self, ctx: Context) -> Collected:
        now = ctx.clock.time()
        collect = ctx.config.collect
        window = collect.alarm_window_seconds
        ledger = Ledger.load(await ctx.store.get(LEDGER_KIND, LEDGER_KEY))
        full = (
            ledger.cursor is None
            or ledger.rescanned is None
            or now - ledger.rescanned >= collect.alarm_rescan_seconds
        )
        start = now - window if full or ledger.cursor is None else ledger.cursor - OVERLAP_SECONDS
        for filters in search_filters(collect):
            async for page in ctx.client.pages(
                ep.ALARM_SEARCH,
                org_id=ctx.org_id,
                start=int(start),
                end=int(now),
                limit=1000,
                **filters,
            ):
                await _recorded(ctx.store, parse.parse_alarms(page.records, ctx.skips))
        async with ledger_lock(ctx.store):
            ledger = Ledger.load(await ctx.store.get(LEDGER_KIND, LEDGER_KEY))
            ledger.cursor = now
            if full:
                ledger.rescanned = now
            ledger.prune(now - window - OVERLAP_SECONDS)
            await ctx.store.put(LEDGER_KIND, LEDGER_KEY, ledger.dump())
        return Collected(published(ledger, now - window))
