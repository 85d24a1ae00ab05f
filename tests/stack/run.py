"""Runs a command-line tool of the stack and fails the test with its output when it fails."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_ok(
    args: Sequence[str | Path], *, env: Mapping[str, str] | None = None, cwd: Path = REPO
) -> str:
    """Runs ``args`` in ``cwd``; returns stdout, or fails the test showing stdout and stderr."""
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} exited {done.returncode}\n"
        f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )
    return done.stdout
