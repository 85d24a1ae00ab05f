"""What the metrics and web layers read from the running exporter."""

from __future__ import annotations

from typing import Protocol

from exporter.model import ExporterStatus, Snapshot


class Source(Protocol):
    @property
    def snapshot(self) -> Snapshot:
        """The current snapshot: immutable, replaced whole (a new object) after each job."""

    def status(self) -> ExporterStatus:
        """The exporter's view of its own work; cheap, no I/O."""

    @property
    def simulated(self) -> bool:
        """True when the org is served by the built-in simulator."""
