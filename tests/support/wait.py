"""The one way tests wait: poll a probe until its result satisfies a condition, or time out.

``until`` is for coroutines (the probe may be sync or async), ``until_sync`` for plain code.
Deadlines are generous on purpose: they only bound a failure, a passing test never waits
for them, so a busy machine makes a test slower, not red.
"""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast, overload

T = TypeVar("T")
Probe = Callable[[], Awaitable[T] | T]


def _truthy(value: object) -> bool:
    return bool(value)


class _Deadline:
    """The bookkeeping both loops share: time left and the last thing seen."""

    def __init__(self, within: float, what: str) -> None:
        self.within = within
        self.what = what
        self.end = time.monotonic() + within
        self.last: object = "nothing yet"

    def passed(self) -> bool:
        return time.monotonic() > self.end

    def error(self) -> TimeoutError:
        last = repr(self.last)
        if len(last) > 500:
            last = last[:500] + "..."
        return TimeoutError(f"not within {self.within:g} s: {self.what} (last seen: {last})")


@overload
async def until(
    probe: Callable[[], Awaitable[T]],
    done: Callable[[T], bool] = ...,
    *,
    within: float,
    what: str,
    every: float = ...,
    ignore: tuple[type[BaseException], ...] = ...,
    alive: Callable[[], None] | None = ...,
) -> T: ...


@overload
async def until(
    probe: Callable[[], T],
    done: Callable[[T], bool] = ...,
    *,
    within: float,
    what: str,
    every: float = ...,
    ignore: tuple[type[BaseException], ...] = ...,
    alive: Callable[[], None] | None = ...,
) -> T: ...


async def until(
    probe: Probe[T],
    done: Callable[[T], bool] = _truthy,
    *,
    within: float,
    what: str,
    every: float = 0.1,
    ignore: tuple[type[BaseException], ...] = (),
    alive: Callable[[], None] | None = None,
) -> T:
    """Call ``probe`` every ``every`` s until ``done(result)``; return that result.

    Exceptions of the ``ignore`` types count as "not yet"; ``alive`` is called first each
    round and should raise when what the test waits on has died (a process that exited).
    TimeoutError after ``within`` s names ``what`` and the last result or exception.
    """
    deadline = _Deadline(within, what)
    while True:
        if alive is not None:
            alive()
        try:
            result = probe()
            if inspect.isawaitable(result):
                result = await result
        except ignore as exc:
            deadline.last = exc
        else:
            value = cast(T, result)
            if done(value):
                return value
            deadline.last = value
        if deadline.passed():
            raise deadline.error()
        await asyncio.sleep(every)


def until_sync(
    probe: Callable[[], T],
    done: Callable[[T], bool] = _truthy,
    *,
    within: float,
    what: str,
    every: float = 0.1,
    ignore: tuple[type[BaseException], ...] = (),
    alive: Callable[[], None] | None = None,
) -> T:
    """``until`` for code outside an event loop (the probe is a plain function)."""
    deadline = _Deadline(within, what)
    while True:
        if alive is not None:
            alive()
        try:
            value = probe()
        except ignore as exc:
            deadline.last = exc
        else:
            if done(value):
                return value
            deadline.last = value
        if deadline.passed():
            raise deadline.error()
        time.sleep(every)


def running(
    popen: subprocess.Popen[Any], log: Callable[[], str] = lambda: ""
) -> Callable[[], None]:
    """An ``alive`` check: AssertionError with the log once ``popen`` has exited."""

    def check() -> None:
        if popen.poll() is not None:
            raise AssertionError(f"process exited {popen.returncode}:\n{log()}")

    return check
