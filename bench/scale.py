"""Scale: the reference org (3,208 sites, one token) beside ten times it (32,080, ten tokens).

One table of the render (CPU and peak RSS of ``bench.render_probe``, synthetic org) and the
hourly call plan (``mist-wan-exporter plan --sites N --tokens T``) at both sizes. The render
figures are this run's ``render`` report when it ran, else measured here. (The memory of an org
collected from the simulator at both sizes is the ``memory`` benchmark's.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench import render
from bench.report import Report
from bench.stack import config_for
from exporter.collect.plan import make_plan
from exporter.collect.table import OrgShape

TOKENS = (1, 10)
DEGRADED_SHARE = 0.05  # plan's default --degraded


def plan_figures(sites: int, tokens: int) -> dict[str, Any]:
    """What ``plan --sites sites --tokens tokens`` prints, as numbers."""
    config = config_for("http://127.0.0.1", "")
    shape = OrgShape.estimate(sites, DEGRADED_SHARE)
    capacity = tokens * config.mist.calls_per_hour
    plan = make_plan(
        shape,
        config.collect.intervals,
        capacity_calls_per_hour=capacity,
        budget_share=config.collect.budget_share,
    )
    return {
        "sites": sites,
        "tokens": tokens,
        "degraded_pairs": shape.degraded_pairs,
        "capacity_calls_per_hour": capacity,
        "target_calls_per_hour": plan.target_calls_per_hour,
        "calls_per_hour": plan.per_job(),
        "total_calls_per_hour": plan.total_calls_per_hour,
        "budget_share": plan.total_calls_per_hour / capacity,
        "degraded_refresh_seconds": plan.degraded_refresh_seconds,
        "wan_ports_interval_seconds": plan.entry("wan_ports").interval_seconds,
    }


def _rows(renders: list[Any], plans: list[Any]) -> list[tuple[object, ...]]:
    mib = 2**20
    figures: list[tuple[str, list[Any], Any]] = [
        ("series (synthetic org)", renders, lambda r: r["series"]),
        ("render CPU, OpenMetrics + gzip (s)", renders, lambda r: r["full_render_cpu_seconds"]),
        ("WAN ports re-render CPU (s)", renders, lambda r: r["wan_ports_rerender_cpu_seconds"]),
        ("render peak RSS, synthetic org (MiB)", renders, lambda r: r["peak_mib"]),
        (
            "body / gzip (MiB)",
            renders,
            lambda r: f"{r['bytes'] / mib:,.1f} / {r['gzip_bytes'] / mib:,.2f}",
        ),
        (
            "tokens (calls/h they allow)",
            plans,
            lambda p: f"{p['tokens']} ({p['capacity_calls_per_hour']:,})",
        ),
        (
            "planned calls/h (share of budget)",
            plans,
            lambda p: f"{p['total_calls_per_hour']:,.0f} ({p['budget_share']:.0%})",
        ),
        (
            "of which WAN ports / deep-dives",
            plans,
            lambda p: (
                f"{p['calls_per_hour']['wan_ports']:,.0f} / {p['calls_per_hour']['deep_dive']:,.0f}"
            ),
        ),
        (
            "degraded pairs (5 %), their refresh (s)",
            plans,
            lambda p: f"{p['degraded_pairs']:,}, {p['degraded_refresh_seconds']:,.0f}",
        ),
    ]
    return [(label, *map(cell, values)) for label, values, cell in figures]


def run(*, quick: bool = False, earlier: Mapping[str, Report] | None = None) -> Report:
    earlier = earlier or {}
    rendered = earlier["render"] if "render" in earlier else render.run(quick=quick)
    renders = rendered.data["probes"]
    plans = [plan_figures(r["sites"], t) for r, t in zip(renders, TOKENS, strict=True)]
    sizes = [f"{r['sites']:,} sites" for r in renders]
    return Report(
        name="scale",
        title=f"Scale: {' beside '.join(sizes)}",
        columns=("figure", *sizes),
        rows=tuple(_rows(renders, plans)),
        data={"render": renders, "plans": plans},
        notes=(
            "Render: a fresh process holding the synthetic org (bench.render_probe), CPU of "
            "every thread, peak RSS (VmHWM) of the process; plan: `mist-wan-exporter plan "
            "--sites N --tokens T`, one token for the smaller org, ten for the larger.",
        ),
    )
