"""The hourly call plan: how often each job can run within the budget.

Costs come from the jobs table (from the org's shape: pages of sites, gateways, ports, peers;
degraded pairs times deep-dive calls). The plan keeps the hour under ``budget_share`` of all
tokens' budget by stretching the lowest priorities first: deep-dives of healthy sites, then
deep-dives of degraded sites, then the table's stretchable jobs by priority. Jobs the table
never stretches (alarms, WAN port status) keep their interval, except that while Mist's
webhooks push a job's data (its ``pushed_by`` topic delivered within
:data:`WEBHOOK_FRESH_SECONDS`), that job runs :data:`WEBHOOK_STRETCH` times less often: polling
still reconciles, and goes back to its interval once the webhooks stop.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from exporter.collect.table import (
    BY_NAME,
    DEEP_DIVE_CALLS_PER_PAIR,
    DEEP_DIVE_IMPACT_CALLS_PER_PAIR,
    DEEP_DIVE_IMPACT_SECONDS,
    JOBS,
    OrgShape,
)
from exporter.config import Config

HOUR = 3600.0
# Once a day per pair (threshold) and per site (enabled metrics), amortised per hour.
DEEP_DIVE_DAILY_CALLS_PER_PAIR = 2
DEEP_DIVE_WAKE_SECONDS = 300.0
HEALTHY_REFRESH_SECONDS = 86400.0
# Healthy-site deep-dives spend this share of what is left, keeping room for retries; they
# make no impact calls (those are for degraded pairs), so a healthy pair costs only the
# every-refresh calls (plus the daily ones the first time).
HEALTHY_SHARE_OF_LEFTOVER = 0.9
WEBHOOK_STRETCH = 3.0
WEBHOOK_FRESH_SECONDS = 300.0
# Stretch order (first stretched first) and how far each may go; deep-dives are planned apart.
STRETCH = tuple(
    (spec.name, spec.stretch_to)
    for spec in sorted(JOBS, key=lambda spec: spec.priority)
    if spec.stretch_to is not None and spec.name != "deep_dive"
)


@dataclass(frozen=True, slots=True)
class PlanEntry:
    job: str
    interval_seconds: float
    calls_per_run: float

    @property
    def calls_per_hour(self) -> float:
        return self.calls_per_run * HOUR / self.interval_seconds


@dataclass(frozen=True, slots=True)
class Plan:
    """One hour of calls: periodic jobs, plus the deep-dive allowance split degraded/healthy."""

    entries: tuple[PlanEntry, ...]
    degraded_refresh_seconds: float
    degraded_calls_per_hour: float
    healthy_calls_per_hour: float
    target_calls_per_hour: float
    capacity_calls_per_hour: float

    def entry(self, job: str) -> PlanEntry:
        return next(e for e in self.entries if e.job == job)

    @property
    def periodic_calls_per_hour(self) -> float:
        return sum(e.calls_per_hour for e in self.entries)

    @property
    def deep_dive_calls_per_hour(self) -> float:
        return self.degraded_calls_per_hour + self.healthy_calls_per_hour

    @property
    def total_calls_per_hour(self) -> float:
        return self.periodic_calls_per_hour + self.deep_dive_calls_per_hour

    @property
    def over_budget(self) -> bool:
        return self.total_calls_per_hour > self.target_calls_per_hour + 1e-6

    def per_job(self) -> dict[str, float]:
        hourly = {e.job: e.calls_per_hour for e in self.entries}
        hourly["deep_dive"] = self.deep_dive_calls_per_hour
        return hourly


def pair_calls_per_hour(refresh_seconds: float) -> float:
    """One degraded pair's calls an hour: every refresh, plus the impact calls at most once
    per :data:`DEEP_DIVE_IMPACT_SECONDS`, plus the daily ones."""
    every = DEEP_DIVE_CALLS_PER_PAIR - DEEP_DIVE_IMPACT_CALLS_PER_PAIR
    impact = DEEP_DIVE_IMPACT_CALLS_PER_PAIR / max(refresh_seconds, DEEP_DIVE_IMPACT_SECONDS)
    return HOUR * (every / refresh_seconds + impact) + DEEP_DIVE_DAILY_CALLS_PER_PAIR / 24


def refresh_for(calls_per_hour: float) -> float:
    """The refresh whose :func:`pair_calls_per_hour` is ``calls_per_hour`` (inf if none)."""
    room = calls_per_hour - DEEP_DIVE_DAILY_CALLS_PER_PAIR / 24
    if room <= 0:
        return math.inf
    slow = DEEP_DIVE_CALLS_PER_PAIR * HOUR / room  # every call each refresh
    if slow >= DEEP_DIVE_IMPACT_SECONDS:
        return slow
    every = DEEP_DIVE_CALLS_PER_PAIR - DEEP_DIVE_IMPACT_CALLS_PER_PAIR
    impact = DEEP_DIVE_IMPACT_CALLS_PER_PAIR * HOUR / DEEP_DIVE_IMPACT_SECONDS
    return every * HOUR / (room - impact)


def degraded_calls_per_hour(pairs: int, refresh_seconds: float) -> float:
    return pairs * pair_calls_per_hour(refresh_seconds)


def make_plan(
    shape: OrgShape,
    intervals: Mapping[str, float],
    *,
    capacity_calls_per_hour: float,
    budget_share: float,
    measured: Mapping[str, float] | None = None,
    pushed: Collection[str] = (),
) -> Plan:
    """Plan the hour; ``measured`` overrides the estimated calls per run of a job; the jobs
    whose ``pushed_by`` topic is in ``pushed`` run :data:`WEBHOOK_STRETCH` times less often."""
    target = capacity_calls_per_hour * budget_share
    per_run, chosen = _asked(shape, intervals, measured or {}, pushed)
    refresh = intervals["deep_dive"]

    def periodic() -> float:
        return sum(per_run[j] * HOUR / chosen[j] for j in per_run)

    # Degraded deep-dives stretch (as far as the table lets them) before anything else does.
    room = target - periodic()
    need = degraded_calls_per_hour(shape.degraded_pairs, refresh)
    if need > room and shape.degraded_pairs:
        stretched = refresh_for(max(room, 0.0) / shape.degraded_pairs)
        ceiling = max(intervals["deep_dive"], BY_NAME["deep_dive"].stretch_to or 0.0)
        refresh = min(max(refresh, stretched), ceiling)
    degraded = degraded_calls_per_hour(shape.degraded_pairs, refresh)
    for job, ceiling in STRETCH:
        excess = periodic() + degraded - target
        if excess <= 0:
            break
        if job not in chosen:
            continue
        hourly = per_run[job] * HOUR / chosen[job]
        wanted = max(hourly - excess, per_run[job] * HOUR / ceiling)
        chosen[job] = max(chosen[job], per_run[job] * HOUR / wanted)
    healthy = max(0.0, target - periodic() - degraded) * HEALTHY_SHARE_OF_LEFTOVER
    entries = tuple(PlanEntry(job, chosen[job], per_run[job]) for job in per_run)
    return Plan(
        entries=entries,
        degraded_refresh_seconds=refresh,
        degraded_calls_per_hour=degraded,
        healthy_calls_per_hour=healthy,
        target_calls_per_hour=target,
        capacity_calls_per_hour=capacity_calls_per_hour,
    )


def _asked(
    shape: OrgShape,
    intervals: Mapping[str, float],
    measured: Mapping[str, float],
    pushed: Collection[str],
) -> tuple[dict[str, float], dict[str, float]]:
    """Calls per run and unstretched interval of each periodic job."""
    per_run = {
        job: measured.get(job, BY_NAME[job].cost(shape)) for job in intervals if job != "deep_dive"
    }
    chosen = {
        job: intervals[job] * (WEBHOOK_STRETCH if BY_NAME[job].pushed_by in pushed else 1.0)
        for job in per_run
    }
    return per_run, chosen


def demand(
    shape: OrgShape,
    intervals: Mapping[str, float],
    *,
    measured: Mapping[str, float] | None = None,
    pushed: Collection[str] = (),
) -> float:
    """Calls per hour an org asks for, unstretched: its periodic jobs and its degraded pairs'
    deep-dives (healthy ones take what is left). Orgs sharing a token split it in proportion."""
    per_run, chosen = _asked(shape, intervals, measured or {}, pushed)
    periodic = sum(per_run[j] * HOUR / chosen[j] for j in per_run)
    return periodic + degraded_calls_per_hour(shape.degraded_pairs, intervals["deep_dive"])


def format_plan(plan: Plan, shape: OrgShape) -> str:
    lines = [
        f"org: {shape.sites} sites, {shape.gateways} gateways, {shape.port_rows} port rows, "
        f"{shape.peer_rows} peer rows, {shape.degraded_pairs} degraded (site, SLE) pairs",
        f"budget: {plan.capacity_calls_per_hour:.0f} calls/h, target "
        f"{plan.target_calls_per_hour:.0f} calls/h",
        "",
        f"{'job':<12} {'interval':>10} {'calls/run':>10} {'calls/h':>9}",
    ]
    for e in plan.entries:
        lines.append(
            f"{e.job:<12} {e.interval_seconds:>9.0f}s {e.calls_per_run:>10.0f} "
            f"{e.calls_per_hour:>9.1f}"
        )
    lines.append(
        f"{'deep_dive':<12} {plan.degraded_refresh_seconds:>9.0f}s "
        f"{DEEP_DIVE_CALLS_PER_PAIR:>10}  {plan.degraded_calls_per_hour:>8.1f}"
        "  (degraded pairs; refresh period per pair)"
    )
    lines.append(
        f"{'':<12} {'':>10} {'':>10} {plan.healthy_calls_per_hour:>9.1f}"
        "  (healthy sites, as budget allows)"
    )
    share = plan.total_calls_per_hour / plan.capacity_calls_per_hour
    lines.append(f"total: {plan.total_calls_per_hour:.0f} calls/h = {share:.0%} of the budget")
    if plan.over_budget:
        lines.append("WARNING: even fully stretched, the plan exceeds the target share")
    return "\n".join(lines)


def print_plan(config: Config, *, sites: int, tokens: int, degraded: float) -> int:
    shape = OrgShape.estimate(sites, degraded)
    plan = make_plan(
        shape,
        config.collect.intervals,
        capacity_calls_per_hour=tokens * config.mist.calls_per_hour,
        budget_share=config.collect.budget_share,
    )
    print(format_plan(plan, shape))
    return 0
