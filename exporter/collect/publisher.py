"""The one place the current snapshot lives: jobs publish into it, scrapes read it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from exporter.clock import Clock
from exporter.collect.table import BY_NAME
from exporter.model import ExporterStatus, Snapshot


class Publisher:
    """Holds the immutable :class:`Snapshot`; every publish swaps in a new one whole.

    It is the ``Source`` the metrics and web layers read: ``snapshot``, ``status()`` and
    ``simulated``. ``status`` is a callable the service wires to the scheduler, client and store.
    """

    def __init__(self, *, clock: Clock, simulated: bool = False) -> None:
        self._clock = clock
        self._snapshot = Snapshot()
        self.first_publish_at: float | None = None
        self._status: Callable[[], ExporterStatus] = ExporterStatus
        self.simulated = simulated

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def publish(self, job: str, parts: Snapshot) -> None:
        """Take the fields ``job`` fills (its row of the jobs table) from ``parts``."""
        if self.first_publish_at is None:
            self.first_publish_at = self._clock.time()
        filled = {name: getattr(parts, name) for name in BY_NAME[job].fills}
        self._snapshot = replace(
            self._snapshot, **filled, published=self._snapshot.published | {job}
        )

    def amend(self, parts: Snapshot, fields: Iterable[str]) -> None:
        """Take ``fields`` from ``parts`` (a webhook's change); the next run of the job that
        fills them replaces them again. No job is marked published."""
        self._snapshot = replace(self._snapshot, **{name: getattr(parts, name) for name in fields})

    def status(self) -> ExporterStatus:
        return self._status()

    def set_status_source(self, source: Callable[[], ExporterStatus]) -> None:
        self._status = source
