"""Progress of a backfill: a bar redrawn in place on a terminal, plain lines otherwise."""

from __future__ import annotations

from typing import TextIO

from exporter.clock import Clock

BAR = 30
LINES = 20  # plain progress lines per run, at most (plus the last)


class Progress:
    """Reports ``done`` of ``total`` windows and the calls spent to ``stream``."""

    def __init__(
        self, total: int, stream: TextIO, clock: Clock, *, tty: bool | None = None
    ) -> None:
        self.total = total
        self._stream = stream
        self._clock = clock
        self._tty = stream.isatty() if tty is None else tty
        self._started = clock.monotonic()
        self._first: int | None = None
        self._every = max(1, total // LINES)

    def update(self, done: int, calls: int) -> None:
        if self._first is None:
            self._first = done - 1
        if self._tty:
            share = done / self.total if self.total else 1.0
            filled = int(BAR * share)
            bar = "#" * filled + "." * (BAR - filled)
            text = f"\rbackfill [{bar}] {done}/{self.total} windows, {calls} calls{self._eta(done)}"
            self._stream.write(text.ljust(78))
            if done >= self.total:
                self._stream.write("\n")
        elif done >= self.total or done % self._every == 0:
            percent = 100 * done // self.total if self.total else 100
            self._stream.write(
                f"backfill: {done}/{self.total} windows ({percent}%), {calls} calls\n"
            )
        self._stream.flush()

    def _eta(self, done: int) -> str:
        first = self._first or 0
        elapsed = self._clock.monotonic() - self._started
        if done >= self.total or done <= first or elapsed <= 0:
            return ""
        left = elapsed / (done - first) * (self.total - done)
        minutes, seconds = divmod(int(left), 60)
        return f", {minutes}:{seconds:02d} left"
