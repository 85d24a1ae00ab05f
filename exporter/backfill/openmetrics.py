"""A minimal OpenMetrics text writer for backfill files: one family, timestamped samples."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from exporter.metrics.catalogue import MetricDef

EOF_LINE = "# EOF\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def number(value: float) -> str:
    """A sample value as OpenMetrics spells it (``NaN``, ``+Inf``, else Python's shortest repr)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def header(metric: MetricDef) -> str:
    """The ``# HELP`` and ``# TYPE`` lines of a family, as the live exporter exposes them."""
    return f"# HELP {metric.name} {_escape(metric.help)}\n# TYPE {metric.name} {metric.type}\n"


def sample(name: str, labels: Mapping[str, str], value: float, timestamp: int) -> str:
    """One sample line with its timestamp in seconds."""
    text = ",".join(f'{key}="{_escape(val)}"' for key, val in labels.items())
    return f"{name}{{{text}}} {number(value)} {timestamp}\n"


def samples(
    metric: MetricDef, rows: Iterable[tuple[Mapping[str, str], float]], timestamp: int
) -> str:
    """Sample lines of one family at one timestamp, ordered by label values (deterministic).

    Every label of ``metric`` is written in the catalogue's order; others are left out.
    """
    keyed = [(tuple(labels[k] for k in metric.labels), value) for labels, value in rows]
    keyed.sort(key=lambda item: item[0])
    return "".join(
        sample(metric.name, dict(zip(metric.labels, key, strict=True)), value, timestamp)
        for key, value in keyed
    )
