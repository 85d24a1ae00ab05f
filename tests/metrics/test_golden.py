"""Golden exposition: names, types, help and label keys of every family.

Regenerate with ``UPDATE_GOLDEN=1 .venv/bin/pytest tests/metrics/test_golden.py`` and review the
diff: a change here is a change for every dashboard, rule and user of the exporter.
"""

from __future__ import annotations

import os
from pathlib import Path

from exporter.metrics.catalogue import METRICS
from exporter.metrics.render import Format
from tests.metrics.exposition import parse, render
from tests.support.snapshots import healthy_status, one_of_everything

GOLDEN = Path(__file__).parent / "golden"


def outline(text: str, fmt: Format) -> str:
    """HELP and TYPE lines as exposed, then each sample name with its sorted label keys."""
    lines = []
    for family in parse(text, fmt).values():
        lines += [
            line
            for line in text.splitlines()
            if line.startswith(("# HELP ", "# TYPE ")) and line.split(" ")[2] == family.name
        ]
        seen: dict[str, None] = {}
        for s in family.samples:
            seen.setdefault(f"  {s.name}{{{','.join(sorted(s.labels))}}}")
        lines += seen
    return "\n".join(lines) + "\n"


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual, f"regenerate with UPDATE_GOLDEN=1: {path}"


def test_text_exposition_matches_golden() -> None:
    status = healthy_status()
    text = render(one_of_everything(), status, requests={("/api/v1/self", 200): 1})
    check_golden("families.txt", outline(text, Format.TEXT))


def test_openmetrics_exposition_matches_golden() -> None:
    status = healthy_status()
    text = render(
        one_of_everything(), status, Format.OPENMETRICS, requests={("/api/v1/self", 200): 1}
    )
    check_golden("families.openmetrics.txt", outline(text, Format.OPENMETRICS))


def test_every_catalogue_metric_is_exposed_with_its_labels() -> None:
    text = render(one_of_everything(), healthy_status(), requests={("/api/v1/self", 200): 1})
    exposed: dict[str, set[str]] = {}
    for family in parse(text).values():
        for s in family.samples:
            exposed.setdefault(s.name.removesuffix("_bucket"), set()).update(s.labels)
    for m in METRICS:
        extra = {"le"} if m.type == "gaugehistogram" else set()
        assert exposed.get(m.name) == set(m.labels) | extra, m.name
    assert set(exposed) == {m.name for m in METRICS}
