"""Per-token hourly call budgets, aligned to the clock hour, kept across restarts in the store.

Mist allows ``calls_per_hour`` calls per token and resets on the clock hour; it sends no
rate-limit headers, so every call is counted here before it is sent. A request takes the token
with the most budget left; a 429 parks that token until the hour's reset (or ``Retry-After``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from exporter.clock import Clock
from exporter.mist.errors import MistRateLimited
from exporter.model import TokenBudget
from exporter.state.store import StateStore

log = logging.getLogger(__name__)

KIND = "budget"
HOUR = 3600
STORE_TTL = 2 * HOUR


def hour_start(now: float) -> int:
    return int(now // HOUR * HOUR)


@dataclass(slots=True)
class _Token:
    used: int = 0
    parked_until: float = 0.0


class Budget:
    """Counts calls per token for the current clock hour and hands out tokens to use.

    Tokens are known by index; the label ``"0"``, ``"1"``, ... is what the store keys, metrics
    and logs see, never the secret.
    """

    def __init__(
        self,
        tokens: int,
        calls_per_hour: int,
        *,
        clock: Clock,
        store: StateStore | None = None,
        max_wait: float = 60.0,
    ) -> None:
        if tokens < 1:
            raise ValueError("at least one token is needed")
        self._clock = clock
        self._store = store
        self._cap = calls_per_hour
        self.max_wait = max_wait
        self._tokens = [_Token() for _ in range(tokens)]
        self._hour = hour_start(clock.time())

    @property
    def capacity(self) -> int:
        """Calls per hour of all tokens together."""
        return self._cap * len(self._tokens)

    @property
    def per_token(self) -> int:
        """Calls per hour of one token."""
        return self._cap

    @staticmethod
    def _key(index: int, hour: int) -> str:
        return f"{index}:{hour}"

    async def load(self) -> None:
        """Take up the counts of this hour saved by an earlier run."""
        self._roll()
        if self._store is None:
            return
        keys = [self._key(i, self._hour) for i in range(len(self._tokens))]
        for token, saved in zip(self._tokens, await self._store.get_many(KIND, keys), strict=True):
            if isinstance(saved, int | float) and not isinstance(saved, bool):
                token.used = max(token.used, int(saved))

    def _roll(self) -> None:
        hour = hour_start(self._clock.time())
        if hour != self._hour:
            self._hour = hour
            for token in self._tokens:
                token.used = 0

    def _available_at(self, token: _Token) -> float:
        """When ``token`` may send next (now or earlier if it may send at once)."""
        exhausted_until = self._hour + HOUR if token.used >= self._cap else 0.0
        return max(token.parked_until, exhausted_until)

    async def acquire(self, endpoint: str, only: Sequence[int] | None = None) -> int:
        """Reserve one call and return the index of the token to send it with, one of ``only``
        (default: any).

        Waits (on the injected clock) for the earliest reset when no token may send, or raises
        :class:`MistRateLimited` when that is more than ``max_wait`` seconds away.
        """
        while True:
            self._roll()
            now = self._clock.time()
            candidates = range(len(self._tokens)) if only is None else only
            ready = [i for i in candidates if self._available_at(self._tokens[i]) <= now]
            if ready:
                index = min(ready, key=lambda i: (self._tokens[i].used, i))
                self._tokens[index].used += 1
                if self._store is not None:
                    saved = await self._store.incr(
                        KIND, self._key(index, self._hour), 1, ttl=STORE_TTL
                    )
                    self._tokens[index].used = max(self._tokens[index].used, saved)
                return index
            retry_at = min(self._available_at(self._tokens[i]) for i in candidates)
            wait = retry_at - now
            if wait > self.max_wait:
                raise MistRateLimited(
                    endpoint, f"no API token has budget left for {wait:.0f} s", retry_at
                )
            log.info("all API tokens are out of budget; waiting %.1f s", wait)
            await self._clock.sleep(wait)

    def park(self, index: int, retry_after: float | None) -> float:
        """A 429 for token ``index``: keep it idle for ``retry_after`` s, else until the reset.

        Returns when the token may send again.
        """
        self._roll()
        now = self._clock.time()
        if retry_after is None:
            until = float(self._hour + HOUR)
            self._tokens[index].used = max(self._tokens[index].used, self._cap)
        else:
            until = now + max(0.0, retry_after)
        self._tokens[index].parked_until = max(self._tokens[index].parked_until, until)
        log.warning("API token %d got 429; parked for %.0f s", index, until - now)
        return until

    def earliest(self) -> float:
        """When the first token may send again."""
        return min(self._available_at(t) for t in self._tokens)

    def budgets(self) -> tuple[TokenBudget, ...]:
        self._roll()
        now = self._clock.time()
        reset = float(self._hour + HOUR)
        return tuple(
            TokenBudget(
                token=str(i),
                remaining=max(0, self._cap - t.used),
                reset_timestamp=reset,
                parked_until=t.parked_until if t.parked_until > now else None,
            )
            for i, t in enumerate(self._tokens)
        )

    def calls_left(self) -> int:
        return sum(b.remaining for b in self.budgets())
