"""The README's metrics table, generated from the catalogue.

``python -m exporter.metrics.table`` prints it; ``--write FILE`` replaces the table between the
``metrics-table`` markers in FILE.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from exporter.metrics.catalogue import METRICS

START = "<!-- metrics-table:start -->"
END = "<!-- metrics-table:end -->"


def metrics_table() -> str:
    """The markdown table of every metric: name, type, labels, help."""
    lines = ["| metric | type | labels | description |", "|---|---|---|---|"]
    for m in METRICS:
        labels = ", ".join(f"`{label}`" for label in m.labels) or "—"
        text = m.help.replace("|", "\\|")
        lines.append(f"| `{m.name}` | {m.type} | {labels} | {text} |")
    return "\n".join(lines) + "\n"


def table_between_markers(text: str) -> str | None:
    """The text between the markers, or None when ``text`` has no (complete) markers."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start + len(START) : end].strip("\n") + "\n"


def replace_between_markers(text: str, table: str) -> str:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"no {START} ... {END} markers")
    return f"{text[: start + len(START)]}\n{table}{text[end:]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exporter.metrics.table", description=__doc__)
    parser.add_argument("--write", metavar="FILE", help="replace the table between the markers")
    args = parser.parse_args(argv)
    table = metrics_table()
    if args.write is None:
        sys.stdout.write(table)
        return 0
    path = Path(args.write)
    try:
        path.write_text(replace_between_markers(path.read_text(encoding="utf-8"), table))
    except (OSError, ValueError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
