"""What the simulator served, for ``GET /__sim/stats``."""

from __future__ import annotations

from collections import Counter
from typing import Any


class SimStats:
    def __init__(self) -> None:
        self.total_calls = 0
        self.calls: Counter[str] = Counter()
        self.by_token: Counter[str] = Counter()
        self.rate_limited = 0
        self.in_flight = 0
        self.in_flight_max = 0

    def begin(self) -> None:
        self.in_flight += 1
        self.in_flight_max = max(self.in_flight_max, self.in_flight)

    def end(self) -> None:
        self.in_flight -= 1

    def record(self, template: str, token_label: str) -> None:
        self.total_calls += 1
        self.calls[template] += 1
        self.by_token[token_label] += 1

    def reset(self) -> None:
        self.total_calls = 0
        self.calls.clear()
        self.by_token.clear()
        self.rate_limited = 0
        self.in_flight_max = self.in_flight

    def to_json(self) -> dict[str, Any]:
        return {
            "total_calls": self.total_calls,
            "calls": dict(sorted(self.calls.items())),
            "by_token": dict(sorted(self.by_token.items())),
            "rate_limited": self.rate_limited,
            "in_flight_max": self.in_flight_max,
            "in_flight": self.in_flight,
        }
