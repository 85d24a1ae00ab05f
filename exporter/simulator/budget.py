"""Mist's rate limit: a number of calls per token per clock hour."""

from __future__ import annotations

HOUR = 3600.0
LIMIT_BODY_TEMPLATE = (
    "Too Many Request. The API Call is rejected because it exceeds the {limit} API Calls per "
    "hour threshold"
)


class HourlyBudget:
    def __init__(self, calls_per_hour: int) -> None:
        self.calls_per_hour = calls_per_hour
        self._used: dict[int, tuple[int, int]] = {}

    def spend(self, token_index: int, now: float) -> bool:
        """Count a call; False when the token is already over its budget this hour."""
        hour = int(now // HOUR)
        used_hour, used = self._used.get(token_index, (hour, 0))
        if used_hour != hour:
            used = 0
        used += 1
        self._used[token_index] = (hour, used)
        return used <= self.calls_per_hour

    def used(self, token_index: int, now: float) -> int:
        hour, used = self._used.get(token_index, (0, 0))
        return used if hour == int(now // HOUR) else 0

    @staticmethod
    def seconds_to_reset(now: float) -> float:
        return (int(now // HOUR) + 1) * HOUR - now

    def detail(self) -> str:
        return LIMIT_BODY_TEMPLATE.format(limit=self.calls_per_hour)
