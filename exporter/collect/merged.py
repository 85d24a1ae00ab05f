"""The one /metrics source of many orgs: their snapshots merged, part by part.

The renderer reuses a part's lines while the part's snapshot fields are the same objects
(:meth:`~exporter.metrics.snapshot_families.Part.key`), so a merged field is rebuilt only when
one org's field is a new object, and the merged snapshot only when one org's snapshot is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from exporter.collect.orgs import Orgs
from exporter.metrics.snapshot_families import PARTS
from exporter.model import ExporterStatus, Snapshot

# Each merged field of the snapshot /metrics renders, and the field of each org it is made of:
# every org's inventory goes in ``inventories``.
MERGED = {
    **{f: f for p in PARTS for f in p.fields if f not in ("inventory", "inventories")},
    "inventories": "inventory",
}


def _same(a: Sequence[object], b: Sequence[object]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _merged(name: str, org_ids: Sequence[str], values: Sequence[Any]) -> Any:
    """One field of every org: their rows in org order, the incidents stamped with their org,
    the inventories of those that have one."""
    if name == "inventories":
        return tuple(v for v in values if v is not None)
    if name == "alarm_incidents":
        return tuple(
            replace(i, org_id=org_id)
            for org_id, rows in zip(org_ids, values, strict=True)
            for i in rows
        )
    if len(values) == 1:
        return values[0]
    return tuple(row for rows in values for row in rows)


class MergedSource:
    """A :class:`~exporter.metrics.source.Source` over every org of :class:`Orgs`."""

    def __init__(self, orgs: Orgs) -> None:
        self._orgs = orgs
        self._inputs: tuple[Snapshot, ...] = ()
        self._fields: dict[str, tuple[tuple[object, ...], Any]] = {}
        self._snapshot = Snapshot()

    @property
    def simulated(self) -> bool:
        return self._orgs.simulated

    def status(self) -> ExporterStatus:
        return self._orgs.status()

    @property
    def snapshot(self) -> Snapshot:
        inputs = tuple(s.publisher.snapshot for s in self._orgs.stacks)
        if _same(inputs, self._inputs):
            return self._snapshot
        org_ids = [s.org_id for s in self._orgs.stacks]
        fields = {name: self._field(name, org_ids, inputs) for name in MERGED}
        published = frozenset.intersection(*(s.published for s in inputs)) if inputs else None
        self._snapshot = Snapshot(**fields, published=published or frozenset())
        self._inputs = inputs
        return self._snapshot

    def _field(self, name: str, org_ids: Sequence[str], inputs: Sequence[Snapshot]) -> Any:
        """The merged ``name``: the last one while every org's part is the same object."""
        parts = tuple(getattr(s, MERGED[name]) for s in inputs)
        cached = self._fields.get(name)
        if cached is not None and _same(cached[0], parts):
            return cached[1]
        merged = _merged(name, org_ids, parts)
        self._fields[name] = (parts, merged)
        return merged
