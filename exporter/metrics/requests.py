"""Counts of Mist API requests by endpoint template and status code, and of the answers that
refused a token (401/403) by token index, fed by the client."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from exporter.model import RequestEvent


class RequestRecorder:
    """An observer of the Mist client: ``recorder(event)`` after every finished request."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, int]] = Counter()
        self._refused: Counter[int] = Counter()

    def __call__(self, event: RequestEvent) -> None:
        self._counts[(event.endpoint, event.code)] += 1
        if event.code in (401, 403):
            self._refused[event.token_index] += 1

    def counts(self) -> Mapping[tuple[str, int], int]:
        """A copy of the counts so far, keyed by (endpoint template, code)."""
        return dict(self._counts)

    def auth_failures(self) -> Mapping[int, int]:
        """401/403 answers so far by token index (a token expired, revoked or short of rights)."""
        return dict(self._refused)
