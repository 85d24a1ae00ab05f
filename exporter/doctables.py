"""The tables of docs/ generated from the code: metrics from the catalogue, jobs from the table.

``python -m exporter.doctables`` prints them; ``--write`` replaces each between its markers
(``<!-- NAME-table:start -->`` ... ``<!-- NAME-table:end -->``) in its docs file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from exporter.collect.table import JOBS
from exporter.metrics.catalogue import METRICS

ROOT = Path(__file__).resolve().parents[1]


def metrics_table() -> str:
    """Every metric: name, type, labels, help."""
    lines = ["| metric | type | labels | description |", "|---|---|---|---|"]
    for m in METRICS:
        labels = ", ".join(f"`{label}`" for label in m.labels) or "—"
        lines.append(f"| `{m.name}` | {m.type} | {labels} | {_cell(m.help)} |")
    return "\n".join(lines) + "\n"


def jobs_table() -> str:
    """Every job: what it collects, default interval, how far it stretches, essential or not."""
    lines = [
        "| job | collects | default interval | stretched up to | essential | waits for |",
        "|---|---|---|---|---|---|",
    ]
    for j in JOBS:
        stretch = "never" if j.stretch_to is None else f"{j.stretch_to:g} s"
        after = ", ".join(f"`{name}`" for name in j.after) or "—"
        lines.append(
            f"| `{j.name}` | {_cell(j.summary)} | {j.interval:g} s | {stretch} | "
            f"{'yes' if j.essential else 'no'} | {after} |"
        )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


@dataclass(frozen=True, slots=True)
class DocTable:
    name: str
    path: Path
    render: Callable[[], str]

    @property
    def start(self) -> str:
        return f"<!-- {self.name}-table:start -->"

    @property
    def end(self) -> str:
        return f"<!-- {self.name}-table:end -->"

    def documented(self, text: str) -> str | None:
        """The text between the markers, or None when ``text`` has no (complete) markers."""
        start, end = text.find(self.start), text.find(self.end)
        if start < 0 or end < start:
            return None
        return text[start + len(self.start) : end].strip("\n") + "\n"

    def replaced(self, text: str) -> str:
        start, end = text.find(self.start), text.find(self.end)
        if start < 0 or end < start:
            raise ValueError(f"no {self.start} ... {self.end} markers")
        return f"{text[: start + len(self.start)]}\n{self.render()}{text[end:]}"


TABLES = (
    DocTable("metrics", ROOT / "docs" / "metrics.md", metrics_table),
    DocTable("jobs", ROOT / "docs" / "configuration.md", jobs_table),
)


def main(argv: Sequence[str] | None = None, tables: Sequence[DocTable] = TABLES) -> int:
    parser = argparse.ArgumentParser(prog="python -m exporter.doctables", description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the tables in docs/")
    args = parser.parse_args(argv)
    if not args.write:
        sys.stdout.write("\n".join(table.render() for table in tables))
        return 0
    for table in tables:
        try:
            table.path.write_text(table.replaced(table.path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            print(f"{table.path}: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
