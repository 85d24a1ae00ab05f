"""The hourly plan: under the target share, stretching the lowest priorities first."""

from __future__ import annotations

import pytest

from exporter.collect.plan import make_plan
from exporter.collect.table import (
    BY_NAME,
    DEEP_DIVE_CALLS_PER_PAIR,
    DEEP_DIVE_IMPACT_CALLS_PER_PAIR,
    DEFAULT_INTERVALS,
    JOBS,
    OrgShape,
    pages,
)


def plan_for(sites: int, *, tokens: int = 1, degraded: float = 0.05, share: float = 0.7):  # type: ignore[no-untyped-def]
    shape = OrgShape.estimate(sites, degraded)
    return shape, make_plan(
        shape, DEFAULT_INTERVALS, capacity_calls_per_hour=5000 * tokens, budget_share=share
    )


def test_pages_count_an_empty_list_as_one_call() -> None:
    assert [pages(n) for n in (0, 1, 1000, 1001, 3208)] == [1, 1, 1, 2, 4]


def test_reference_org_fits_under_target_with_degraded_pairs_twice_an_hour() -> None:
    shape, plan = plan_for(3208)
    assert not plan.over_budget
    assert plan.total_calls_per_hour <= 0.7 * 5000
    assert plan.degraded_refresh_seconds <= 1800
    # Twice an hour, the impact calls once.
    every = DEEP_DIVE_CALLS_PER_PAIR - DEEP_DIVE_IMPACT_CALLS_PER_PAIR
    twice = shape.degraded_pairs * (every * 2 + DEEP_DIVE_IMPACT_CALLS_PER_PAIR)
    assert plan.degraded_calls_per_hour >= twice
    assert plan.entry("alarms").interval_seconds == DEFAULT_INTERVALS["alarms"]
    assert plan.entry("wan_ports").interval_seconds == DEFAULT_INTERVALS["wan_ports"]


def test_small_org_runs_every_job_at_its_floor_and_spends_the_rest_on_healthy_sites() -> None:
    _, plan = plan_for(50)
    for entry in plan.entries:
        assert entry.interval_seconds == DEFAULT_INTERVALS[entry.job]
    assert plan.healthy_calls_per_hour > 0
    assert plan.total_calls_per_hour <= plan.target_calls_per_hour


def test_stretch_order_healthy_then_degraded_then_peer_paths() -> None:
    shape = OrgShape.estimate(3208, 0.05)
    tight = make_plan(shape, DEFAULT_INTERVALS, capacity_calls_per_hour=5000, budget_share=0.4)
    assert tight.healthy_calls_per_hour == pytest.approx(0, abs=1e-6)
    assert tight.degraded_refresh_seconds > DEFAULT_INTERVALS["deep_dive"]
    assert tight.entry("peer_paths").interval_seconds == DEFAULT_INTERVALS["peer_paths"]
    # Dives every 2 h and peer paths every 30 min: ~21.5 % of one token (fully stretched, the
    # port search too: ~17.5 %; WAN port status and counters stay each minute).
    tighter = make_plan(shape, DEFAULT_INTERVALS, capacity_calls_per_hour=5000, budget_share=0.22)
    assert tighter.degraded_refresh_seconds == 4 * DEFAULT_INTERVALS["deep_dive"]
    assert tighter.entry("peer_paths").interval_seconds > DEFAULT_INTERVALS["peer_paths"]
    assert tighter.entry("alarms").interval_seconds == DEFAULT_INTERVALS["alarms"]
    assert tighter.entry("wan_ports").interval_seconds == DEFAULT_INTERVALS["wan_ports"]
    assert tighter.entry("gateways").interval_seconds == DEFAULT_INTERVALS["gateways"]
    assert tighter.total_calls_per_hour <= tighter.target_calls_per_hour + 1e-6
    floor = make_plan(shape, DEFAULT_INTERVALS, capacity_calls_per_hour=5000, budget_share=0.18)
    assert floor.entry("wan_ports").interval_seconds > DEFAULT_INTERVALS["wan_ports"]
    assert floor.entry("gateways").interval_seconds == DEFAULT_INTERVALS["gateways"]
    assert not floor.over_budget


def test_more_tokens_buy_faster_refresh() -> None:
    one = plan_for(32080, tokens=1)[1]
    four = plan_for(32080, tokens=4)[1]
    assert one.over_budget
    assert four.entry("peer_paths").interval_seconds <= one.entry("peer_paths").interval_seconds
    assert four.degraded_refresh_seconds <= one.degraded_refresh_seconds


def test_measured_calls_override_estimates() -> None:
    shape = OrgShape.estimate(3208)
    plan = make_plan(
        shape,
        DEFAULT_INTERVALS,
        capacity_calls_per_hour=5000,
        budget_share=0.7,
        measured={"wan_ports": 3},
    )
    assert plan.entry("wan_ports").calls_per_run == 3
    assert plan.entry("gateways").calls_per_run == BY_NAME["gateways"].cost(shape)


@pytest.mark.parametrize("sites", [0, 1, 999, 1001])
def test_plan_is_finite_for_any_size(sites: int) -> None:
    _, plan = plan_for(sites)
    assert all(e.interval_seconds > 0 for e in plan.entries)
    assert plan.total_calls_per_hour < float("inf")


def test_jobs_the_table_never_stretches_keep_their_interval_however_tight_the_budget() -> None:
    _, plan = plan_for(32080, share=0.05)
    assert plan.over_budget
    for spec in JOBS:
        if spec.stretch_to is None:
            assert plan.entry(spec.name).interval_seconds == spec.interval, spec.name
        elif spec.name != "deep_dive":
            assert plan.entry(spec.name).interval_seconds <= spec.stretch_to + 1e-6, spec.name
    assert plan.degraded_refresh_seconds <= (BY_NAME["deep_dive"].stretch_to or 0)
