"""Default thresholds that alerts and dashboards compare against (base units: ratios, seconds)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Thresholds:
    sle_degraded: float = 0.9
    utilisation: tuple[float, float, float] = (0.7, 0.8, 0.9)
    loss: tuple[float, float, float] = (0.001, 0.005, 0.01)
    latency_seconds: tuple[float, float, float] = (0.05, 0.1, 0.15)
    jitter_seconds: tuple[float, float, float] = (0.01, 0.03, 0.05)
