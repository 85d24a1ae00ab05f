"""The metrics table of docs/metrics.md is the catalogue's, and the generator can rewrite it."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.metrics.catalogue import METRICS
from exporter.metrics.table import (
    END,
    START,
    main,
    metrics_table,
    replace_between_markers,
    table_between_markers,
)

ROOT = Path(__file__).resolve().parents[2]


def test_documented_table_matches_the_catalogue() -> None:
    path = ROOT / "docs" / "metrics.md"
    documented = table_between_markers(path.read_text(encoding="utf-8"))
    assert documented == metrics_table(), (
        f"{path.relative_to(ROOT)} drifted: run python -m exporter.metrics.table --write "
        f"{path.relative_to(ROOT)}"
    )


def test_table_lists_every_metric_once() -> None:
    rows = [line for line in metrics_table().splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [m.name for m in METRICS]


def test_write_replaces_only_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "metrics.md"
    doc.write_text(f"# Title\n\n{START}\n| stale |\n{END}\n\nAfter.\n", encoding="utf-8")
    assert main(["--write", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\n")
    assert text.endswith(f"{END}\n\nAfter.\n")
    assert table_between_markers(text) == metrics_table()
    assert main([]) == 0
    assert capsys.readouterr().out == metrics_table()


def test_write_refuses_a_file_without_markers(tmp_path: Path) -> None:
    doc = tmp_path / "metrics.md"
    doc.write_text("no markers\n", encoding="utf-8")
    assert main(["--write", str(doc)]) == 1
    assert doc.read_text(encoding="utf-8") == "no markers\n"
    with pytest.raises(ValueError, match="markers"):
        replace_between_markers("x", "y")
