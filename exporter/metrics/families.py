"""Empty metric families built from the catalogue, filled sample by sample."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prometheus_client.metrics_core import Metric
from prometheus_client.samples import Sample

from exporter.metrics.catalogue import BY_NAME


class Family:
    """One family of the catalogue being filled; ``add`` skips values Mist did not report.

    A family never holds two samples with the same labels (Prometheus would reject the
    scrape's duplicates): a second one is left out and counted in ``duplicates``, whatever
    the snapshot holds.
    """

    __slots__ = ("_seen", "duplicates", "metric", "sample_name")

    def __init__(self, name: str) -> None:
        definition = BY_NAME[name]
        base = name.removesuffix("_total") if definition.type == "counter" else name
        self.metric = Metric(base, definition.help, definition.type)
        self.sample_name = name
        self._seen: set[tuple[str, ...]] = set()
        self.duplicates = 0

    def add(self, labels: dict[str, str], value: float | bool | None) -> None:
        """Add one sample; ``labels`` may be shared between families (it is never mutated)."""
        if value is None:
            return
        if self._first(labels):
            self.metric.samples.append(Sample(self.sample_name, labels, float(value)))

    def add_column(
        self, labels: Sequence[dict[str, str]], values: Iterable[float | bool | None]
    ) -> None:
        for one, value in zip(labels, values, strict=True):
            self.add(one, value)

    def add_buckets(
        self, labels: dict[str, str], buckets: Iterable[tuple[dict[str, str], float]]
    ) -> None:
        """The ``_bucket`` samples of one histogram series, once per ``labels``."""
        if self._first(labels):
            name = f"{self.sample_name}_bucket"
            self.metric.samples.extend(Sample(name, b, float(v)) for b, v in buckets)

    def _first(self, labels: dict[str, str]) -> bool:
        key = tuple(labels.values())
        if key in self._seen:
            self.duplicates += 1
            return False
        self._seen.add(key)
        return True


class MetricBuilder:
    """A :class:`~exporter.metrics.series.Builder` of prometheus_client families."""

    def __init__(self) -> None:
        self.families: list[Family] = []

    def family(self, name: str) -> Family:
        family = Family(name)
        self.families.append(family)
        return family

    def labels(self, keys: tuple[str, ...], values: tuple[str, ...]) -> dict[str, str]:
        return dict(zip(keys, values, strict=True))

    def label_column(
        self, keys: tuple[str, ...], rows: Iterable[tuple[str, ...]]
    ) -> list[dict[str, str]]:
        return [self.labels(keys, row) for row in rows]

    def metrics(self) -> list[Metric]:
        return [f.metric for f in self.families]
