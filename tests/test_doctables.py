"""The tables of docs/ are the code's (catalogue, jobs table), and the generator rewrites them."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.collect.table import JOBS
from exporter.doctables import TABLES, DocTable, jobs_table, main, metrics_table
from exporter.metrics.catalogue import METRICS


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_documented_tables_match_the_code(table: DocTable) -> None:
    documented = table.documented(table.path.read_text(encoding="utf-8"))
    assert documented == table.render(), (
        f"{table.path.name} drifted: run python -m exporter.doctables --write"
    )


def test_tables_list_every_metric_and_every_job_once() -> None:
    rows = [line.split("`")[1] for line in metrics_table().splitlines() if line.startswith("| `")]
    assert rows == [m.name for m in METRICS]
    rows = [line.split("`")[1] for line in jobs_table().splitlines() if line.startswith("| `")]
    assert rows == [j.name for j in JOBS]


def test_write_replaces_only_the_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "metrics.md"
    table = DocTable("metrics", doc, metrics_table)
    doc.write_text(f"# Title\n\n{table.start}\n| stale |\n{table.end}\n\nAfter.\n")
    assert main(["--write"], [table]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\n")
    assert text.endswith(f"{table.end}\n\nAfter.\n")
    assert table.documented(text) == metrics_table()
    assert main([], [table]) == 0
    assert capsys.readouterr().out == metrics_table()


def test_write_refuses_a_file_without_markers(tmp_path: Path) -> None:
    doc = tmp_path / "metrics.md"
    doc.write_text("no markers\n", encoding="utf-8")
    assert main(["--write"], [DocTable("metrics", doc, metrics_table)]) == 1
    assert doc.read_text(encoding="utf-8") == "no markers\n"
