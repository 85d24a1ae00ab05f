"""The alarm ledger counts each alarm (and each incident added to it) exactly once."""

from __future__ import annotations

import json

from exporter.collect.alarms import Ledger
from exporter.model import Alarm, AlarmCount, AlarmIncidents


def alarm(alarm_id: str, ts: float, *, count: int = 1, site: str = "s1") -> Alarm:
    return Alarm(
        alarm_id=alarm_id,
        site_id=site,
        group="infrastructure",
        severity="critical",
        alarm_type="gw_down",
        timestamp=ts,
        incident_count=count,
    )


def test_same_alarm_twice_counts_once_and_growth_counts_the_delta() -> None:
    ledger = Ledger()
    ledger.record(alarm("a", 100))
    ledger.record(alarm("a", 100))
    ledger.record(alarm("b", 110, count=3))
    assert ledger.incident_totals() == (AlarmIncidents("infrastructure", "critical", "gw_down", 4),)
    ledger.record(alarm("b", 110, count=5))
    ledger.record(alarm("b", 110, count=2))
    assert ledger.incident_totals()[0].total == 6


def test_round_trip_through_json_keeps_dedupe() -> None:
    ledger = Ledger(cursor=50.0)
    ledger.record(alarm("a", 100))
    restored = Ledger.load(json.loads(json.dumps(ledger.dump())))
    restored.record(alarm("a", 100))
    assert restored.cursor == 50.0
    assert restored.incident_totals()[0].total == 1


def test_window_counts_and_prune() -> None:
    ledger = Ledger()
    ledger.record(alarm("old", 10, site="s1"))
    ledger.record(alarm("new1", 1000, site="s1"))
    ledger.record(alarm("new2", 1001, site="s2"))
    assert ledger.window_counts(500) == (
        AlarmCount("s1", "infrastructure", "critical", "gw_down", 1),
        AlarmCount("s2", "infrastructure", "critical", "gw_down", 1),
    )
    ledger.prune(500)
    assert set(ledger.seen) == {"new1", "new2"}
    assert ledger.incident_totals()[0].total == 3


def test_load_tolerates_absent_or_foreign_data() -> None:
    assert Ledger.load(None).seen == {}
    assert Ledger.load("garbage").cursor is None
