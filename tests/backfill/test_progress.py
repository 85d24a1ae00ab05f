"""Progress: a bar redrawn in place on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

from exporter.backfill.progress import Progress
from exporter.clock import ManualClock


def test_plain_lines_every_twentieth_and_at_the_end() -> None:
    out = io.StringIO()
    progress = Progress(40, out, ManualClock(), tty=False)
    for done in range(1, 41):
        progress.update(done, done * 2)
    lines = out.getvalue().splitlines()
    assert len(lines) == 20
    assert lines[-1] == "backfill: 40/40 windows (100%), 80 calls"
    assert "\r" not in out.getvalue()


def test_a_bar_on_a_terminal() -> None:
    out = io.StringIO()
    clock = ManualClock()
    progress = Progress(4, out, clock, tty=True)
    progress.update(1, 4)
    clock.advance(10)
    progress.update(2, 8)
    text = out.getvalue()
    assert text.startswith("\rbackfill [")
    assert "2/4 windows, 8 calls, 0:10 left" in text
    progress.update(4, 16)
    assert out.getvalue().endswith("\n")
