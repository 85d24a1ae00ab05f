"""The thresholds alerts, dashboards and the deep-dive order compare against, in one place.

Base units (ratios, seconds). The exporter publishes the configured values
(``mist_sle_degraded_threshold_ratio``, ``mist_kpi_threshold``), so the rules and dashboards
follow the config; the dashboard builder takes its colour steps from the defaults here.
"""

from __future__ import annotations

from dataclasses import dataclass

# notice, warning, critical (the yellow, orange and red steps).
Levels = tuple[float, float, float]
LEVEL_NAMES = ("notice", "warning", "critical")
# The SLE metrics that measure health and can be degraded (``gateway-bandwidth``, also in
# Mist's ``sites-sle``, is a utilisation figure, not a health score).
HEALTH_SLES = frozenset(
    {"gateway-health", "wan-link-health", "wan-link-health-v2", "application-health"}
)


@dataclass(frozen=True, slots=True)
class Thresholds:
    sle_degraded: float = 0.9
    utilisation: Levels = (0.7, 0.8, 0.9)
    loss: Levels = (0.001, 0.005, 0.01)
    latency_seconds: Levels = (0.05, 0.1, 0.15)
    jitter_seconds: Levels = (0.01, 0.03, 0.05)

    def degraded(self, sle: str, ratio: float) -> bool:
        """True when ``sle`` is a health SLE and its score is below the degraded threshold."""
        return sle in HEALTH_SLES and ratio < self.sle_degraded

    def kpis(self) -> tuple[tuple[str, Levels], ...]:
        """(``kpi`` label, levels) as ``mist_kpi_threshold`` publishes them."""
        return (
            ("utilisation_ratio", self.utilisation),
            ("loss_ratio", self.loss),
            ("latency_seconds", self.latency_seconds),
            ("jitter_seconds", self.jitter_seconds),
        )
