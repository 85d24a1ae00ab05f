"""What a part's builder fills: families of series, each labelled by one entity's labels.

The builders in :mod:`exporter.metrics.snapshot_families` are written once against these
protocols and run on two backends: prometheus_client ``Metric`` objects
(:mod:`exporter.metrics.families`) and exposition lines written directly
(:mod:`exporter.metrics.lines`). ``L`` is the backend's form of one set of labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

L = TypeVar("L")
L_contra = TypeVar("L_contra", contravariant=True)


class Series(Protocol[L_contra]):
    """One family being filled; never two samples with the same labels (see ``Family``)."""

    def add(self, labels: L_contra, value: float | bool | None) -> None: ...

    def add_column(self, labels: Sequence[L_contra], values: Iterable[float | bool | None]) -> None:
        """``add`` of each label and value in turn (for the big parts: much cheaper)."""

    def add_buckets(self, labels: L_contra, buckets: Iterable[tuple[L_contra, float]]) -> None:
        """The ``_bucket`` samples (labels with ``le``, count) of one histogram series."""


class Builder(Protocol[L]):
    """Makes families, in the order they are exposed, and the labels of their series."""

    def family(self, name: str) -> Series[L]: ...

    def labels(self, keys: tuple[str, ...], values: tuple[str, ...]) -> L:
        """The labels ``keys`` = ``values``; one call per entity, shared by its families."""
        ...

    def label_column(self, keys: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> Sequence[L]:
        """``labels(keys, row)`` of each row."""
        ...
