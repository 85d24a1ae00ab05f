"""Windows, cost and pacing."""

from __future__ import annotations

import pytest

from exporter.backfill.plan import Cost, Pacer, Plan, allowance, label, parse_resolution
from exporter.clock import ManualClock


@pytest.mark.parametrize(
    ("text", "seconds"), [("10m", 600), ("1h", 3600), ("30m", 1800), ("1d", 86400)]
)
def test_resolutions(text: str, seconds: int) -> None:
    assert parse_resolution(text) == seconds
    assert label(seconds) == text


@pytest.mark.parametrize("text", ["5m", "7m", "2d", "1x", "", "h"])
def test_bad_resolutions_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="--resolution"):
        parse_resolution(text)


def test_windows_end_on_the_last_whole_step() -> None:
    plan = Plan.ending(1_700_001_234, 7, 3600)
    assert plan.end == 1_699_999_200
    assert plan.windows == 168
    assert plan.window(0) == (plan.end - 7 * 86400, plan.end - 7 * 86400 + 3600)
    assert plan.window(167)[1] == plan.end


def test_reference_org_costs() -> None:
    """3,208 sites are 4 pages of 1,000: 7 days at 1h fit one token's 70 %, at 10m they do not."""
    one_token = allowance(0.7, 5000, 1)
    assert one_token == 3500
    hourly = Cost(Plan.ending(0, 7, 3600).windows, 4, one_token)
    assert (hourly.calls, hourly.fits) == (672, True)
    ten_minutes = Cost(Plan.ending(0, 7, 600).windows, 4, one_token)
    assert (ten_minutes.calls, ten_minutes.fits, ten_minutes.hours) == (4032, False, 2)
    assert Cost(1008, 4, allowance(0.7, 5000, 2)).fits


async def test_pacer_waits_for_the_next_clock_hour() -> None:
    clock = ManualClock(7200.0 + 100)
    pacer = Pacer(10, clock)
    assert await pacer.take(6) == 0
    assert await pacer.take(4) == 0
    assert await pacer.take(4) == 3500
    assert clock.time() == 3 * 3600
