"""Alarm search rows: the spec's property examples and the live ``incident_count``."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from exporter.mist.errors import MistPayloadError
from exporter.mist.parse import Skips, parse_alarms
from exporter.model import Alarm
from tests.parse.spec import schema_example


def _alarm(**extra: Any) -> dict[str, Any]:
    row = schema_example("alarm")  # the spec gives examples per property, not per alarm
    row["timestamp"] = 1711031352.5
    row.update(extra)
    return row


def test_alarm_from_spec_property_examples_uses_count() -> None:
    assert parse_alarms([_alarm()]) == (
        Alarm(
            alarm_id="53f10664-3ce8-4c27-b382-0ef66432349f",
            site_id="441a1214-6928-442a-8e92-e1d34b8ec6a6",
            group="security",
            severity="critical",
            alarm_type="rogue_client",
            timestamp=1711031352.5,
            incident_count=2,
            last_seen=1711031774.0,
        ),
    )


def test_live_incident_count_wins_and_defaults_to_one() -> None:
    live = _alarm(incident_count=5)
    bare = {k: v for k, v in _alarm(id="a2").items() if k not in ("count", "site_id")}
    first, second = parse_alarms([live, bare])
    assert first.incident_count == 5
    assert (second.incident_count, second.site_id) == (1, "")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_alarm(id=None), r"rows\[0\]\.id: expected a string, got null"),
        (_alarm(timestamp="yesterday"), r"rows\[0\]\.timestamp: expected a number"),
        (_alarm(incident_count=1.5), r"rows\[0\]\.incident_count: expected an integer"),
        ({**_alarm(), "group": 3}, r"rows\[0\]\.group: expected a string, got int"),
    ],
)
def test_a_bad_alarm_row_is_left_out_counted_and_logged(
    row: dict[str, Any], message: str, caplog: pytest.LogCaptureFixture
) -> None:
    skips = Skips()
    with caplog.at_level(logging.DEBUG, logger="exporter.mist.parse"):
        kept = parse_alarms([row, _alarm(id="good")], skips)
    assert kept == parse_alarms([_alarm(id="good")])
    ((endpoint, reason),) = skips.counts()
    assert endpoint == "/api/v1/orgs/{org_id}/alarms/search"
    assert reason.split(" ", 1)[1] in message
    assert re.search(r"alarms/search: " + message, caplog.text)


def test_an_envelope_of_the_wrong_shape_fails_the_payload() -> None:
    with pytest.raises(MistPayloadError, match="rows: expected an array, got dict"):
        parse_alarms({"results": []})


def test_an_open_alarm_repeated_keeps_its_latest_count(caplog: pytest.LogCaptureFixture) -> None:
    first = _alarm(id="a1", incident_count=1, last_seen=1711031400.0)
    grown = _alarm(id="a1", incident_count=3, last_seen=1711031500.0)
    other = _alarm(id="a2", last_seen=1711031450.0)
    for rows in ([first, other, grown], [grown, other, first]):
        skips = Skips()
        kept = parse_alarms(rows, skips)
        assert [(a.alarm_id, a.incident_count, a.last_seen) for a in kept] == [
            ("a1", 3, 1711031500.0),
            ("a2", 2, 1711031450.0),
        ]
        assert kept[0].timestamp == 1711031352.5  # the creation time stays
        assert skips.counts() == {("/api/v1/orgs/{org_id}/alarms/search", "duplicate row"): 1}


def test_an_alarm_without_last_seen_is_last_seen_at_its_creation() -> None:
    row = {k: v for k, v in _alarm().items() if k != "last_seen"}
    (alarm,) = parse_alarms([row])
    assert alarm.last_seen == 1711031352.5
