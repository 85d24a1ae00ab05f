"""Colour steps and threshold texts of the panels, from the exporter's default thresholds."""

from __future__ import annotations

from collections.abc import Iterable

from exporter.thresholds import Thresholds

from . import Json

DEFAULTS = Thresholds()
UTILISATION = DEFAULTS.utilisation
LOSS = DEFAULTS.loss
LATENCY = DEFAULTS.latency_seconds
JITTER = DEFAULTS.jitter_seconds


def percent(ratio: float) -> str:
    """``0.8`` as ``80 %`` for panel texts."""
    return f"{round(ratio * 100, 6):g} %"


CONGESTED = (
    "above the utilisation warning threshold "
    f"(mist_kpi_threshold, default {percent(UTILISATION[1])})"
)
DEGRADED = (
    "below the degraded threshold "
    f"(mist_sle_degraded_threshold_ratio, default {percent(DEFAULTS.sle_degraded)})"
)

# Levels the exporter has no setting for: they only colour dashboard panels.
FLAPS = (1, 3, 10)
RENDER_SECONDS = (1, 5, 10)
API_ERRORS = (0.01, 0.05, 0.1)
GATEWAYS_WARNING = 0.95
GATEWAYS_ONLINE = 0.99
BUDGET_CALLS = (500, 1500)
CONGESTED_SHARE = 0.01
# Availability (share of time up; circuits, gateways, sites, regions): red below 99.5 %,
# orange below 99.9 %, green from it. A circuit down 36 hours in 30 days (95 %) is red.
AVAILABILITY = (0.995, 0.999)


def _steps(base: str, steps: Iterable[tuple[str, float]]) -> Json:
    return {
        "mode": "absolute",
        "steps": [{"color": base, "value": None}] + [{"color": c, "value": v} for c, v in steps],
    }


def steps(levels: Iterable[float]) -> Json:
    """Green below the first level, then yellow, orange, red."""
    return _steps("green", zip(["yellow", "orange", "red"], levels, strict=True))


def good_above(*levels: float) -> Json:
    """Red below the first level, orange between the levels, green from the last."""
    colours = ["orange"] * (len(levels) - 1) + ["green"]
    return _steps("red", zip(colours, levels, strict=True))


def sle_steps() -> Json:
    """Red below the degraded threshold, green from it."""
    return good_above(DEFAULTS.sle_degraded)


def availability_steps() -> Json:
    """Red below the first availability level, orange below the second, green from it."""
    return good_above(*AVAILABILITY)


AVAILABILITY_TEXT = f"red below {percent(AVAILABILITY[0])}, orange below {percent(AVAILABILITY[1])}"


def bad_above(level: float) -> Json:
    """Green below ``level``, red from it."""
    return _steps("green", [("red", level)])


def nonzero() -> Json:
    """Green at 0, red from 1: counts (and durations in seconds) where any is bad."""
    return bad_above(1)


def single(colour: str) -> Json:
    """One colour whatever the value."""
    return _steps(colour, [])
