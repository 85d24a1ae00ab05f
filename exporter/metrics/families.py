"""Empty metric families built from the catalogue, filled sample by sample."""

from __future__ import annotations

from prometheus_client.metrics_core import Metric
from prometheus_client.samples import Sample

from exporter.metrics.catalogue import BY_NAME


class Family:
    """One family of the catalogue being filled; ``add`` skips values Mist did not report."""

    __slots__ = ("metric", "sample_name")

    def __init__(self, name: str) -> None:
        definition = BY_NAME[name]
        base = name.removesuffix("_total") if definition.type == "counter" else name
        self.metric = Metric(base, definition.help, definition.type)
        self.sample_name = name

    def add(self, labels: dict[str, str], value: float | bool | None) -> None:
        """Add one sample; ``labels`` may be shared between families (it is never mutated)."""
        if value is not None:
            self.metric.samples.append(Sample(self.sample_name, labels, float(value)))
