"""Parsing Mist's optional ``Retry-After`` header."""

from __future__ import annotations

from exporter.mist.client import retry_after_seconds

NOW = 1_800_000_000.0  # Fri, 15 Jan 2027 08:00:00 GMT


def test_seconds_and_http_dates() -> None:
    assert retry_after_seconds("120", NOW) == 120.0
    assert retry_after_seconds("Fri, 15 Jan 2027 08:01:30 GMT", NOW) == 90.0
    assert retry_after_seconds("Fri, 15 Jan 2027 07:00:00 GMT", NOW) == 0.0
    assert retry_after_seconds("-5", NOW) == 0.0


def test_absent_or_unreadable_means_no_hint() -> None:
    assert retry_after_seconds(None, NOW) is None
    assert retry_after_seconds("", NOW) is None
    assert retry_after_seconds("soon", NOW) is None
