"""Counts of Mist API requests by endpoint template and status code, fed by the client."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from exporter.model import RequestEvent


class RequestRecorder:
    """An observer of the Mist client: ``recorder(event)`` after every finished request."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, int]] = Counter()

    def __call__(self, event: RequestEvent) -> None:
        self._counts[(event.endpoint, event.code)] += 1

    def counts(self) -> Mapping[tuple[str, int], int]:
        """A copy of the counts so far, keyed by (endpoint template, code)."""
        return dict(self._counts)
