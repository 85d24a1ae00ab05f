"""The alarm ledger counts each alarm (and each incident added to it) exactly once."""

from __future__ import annotations

import json
from dataclasses import replace

from exporter.collect.alarms import Ledger, search_filters
from exporter.config import CollectConfig
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


def test_growth_of_an_open_alarm_counts_once_whichever_walk_sees_it() -> None:
    """1 -> 3 incidents adds 3 in all: seen by the recent walk, the full walk, or both."""
    for walks in ([1, 3], [1, 3, 3], [1, 2, 3, 3, 2]):
        ledger = Ledger()
        for n, count in enumerate(walks):
            ledger.record(replace(alarm("a", 100, count=count), last_seen=100 + 60 * n))
        assert ledger.incident_totals()[0].total == 3, walks


def test_an_alarm_that_keeps_recurring_stays_in_the_window_and_is_not_counted_again() -> None:
    ledger = Ledger()
    ledger.record(replace(alarm("a", 100, count=2), last_seen=100))
    ledger.record(replace(alarm("a", 100, count=4), last_seen=90_000))
    ledger.prune(50_000)
    assert set(ledger.seen) == {"a"}
    assert ledger.window_counts(50_000)[0].count == 1
    ledger.record(replace(alarm("a", 100, count=4), last_seen=90_100))
    assert ledger.incident_totals()[0].total == 4


def test_a_ledger_of_0_1_without_last_seen_still_prunes_by_creation_time() -> None:
    old = Ledger.load(
        {"cursor": 5.0, "seen": {"a": [100, "s1", "infrastructure", "critical", "gw_down", 1]}}
    )
    assert old.rescanned is None
    old.prune(200)
    assert old.seen == {}


def test_search_filters_walk_once_per_group_and_pass_types_comma_separated() -> None:
    assert list(search_filters(CollectConfig())) == [{}]
    narrowed = CollectConfig(alarm_groups=("infrastructure", "marvis"), alarm_types=("a", "b"))
    assert list(search_filters(narrowed)) == [
        {"group": "infrastructure", "type": "a,b"},
        {"group": "marvis", "type": "a,b"},
    ]
