"""Prometheus' own linter accepts /metrics: base units, counter names, help on every family."""

from __future__ import annotations

import shutil
import subprocess

from tests.metrics.exposition import render
from tests.support.snapshots import healthy_status, one_of_everything


def test_promtool_check_metrics_finds_nothing_to_say() -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is installed by `make test` (Debian package prometheus)"
    body = render(one_of_everything(), healthy_status())
    result = subprocess.run(
        [promtool, "check", "metrics"], input=body, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_promtool_would_object_to_a_family_in_minutes() -> None:
    """The check above can fail: promtool flags a non-base unit."""
    promtool = shutil.which("promtool")
    assert promtool
    body = "# HELP x_minutes Old unit.\n# TYPE x_minutes gauge\nx_minutes 1\n"
    result = subprocess.run(
        [promtool, "check", "metrics"], input=body, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "minutes" in result.stdout + result.stderr
