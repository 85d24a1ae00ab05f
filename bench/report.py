"""What a benchmark hands back: a table to print and a JSON document to keep."""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Report:
    """One benchmark's figures: ``rows`` under ``columns`` for people, ``data`` for JSON."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    data: Mapping[str, Any]
    notes: tuple[str, ...] = field(default=())

    def table(self) -> str:
        """A Markdown table under the title, then the notes."""
        cells = [self.columns, *(tuple(_cell(v) for v in row) for row in self.rows)]
        widths = [max(len(str(row[i])) for row in cells) for i in range(len(self.columns))]
        lines = [f"### {self.title}", ""]
        for n, row in enumerate(cells):
            padded = (str(c).ljust(w) for c, w in zip(row, widths, strict=True))
            lines.append("| " + " | ".join(padded) + " |")
            if n == 0:
                lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        lines.extend(["", *self.notes])
        return "\n".join(lines).rstrip() + "\n"

    def write(self, directory: Path, *, quick: bool) -> Path:
        """``directory/<name>.json`` with the data, the run mode and the machine."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.name}.json"
        document = {"benchmark": self.name, "quick": quick, "machine": machine(), **self.data}
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _first(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                name, sep, value = line.partition(":")
                if sep and name.strip() == key:
                    return value.strip()
    except OSError:
        return None
    return None


def machine() -> dict[str, Any]:
    """Cores, CPU model, memory, Python and current load of this machine."""
    mem_kb = _first("/proc/meminfo", "MemTotal")
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": _first("/proc/cpuinfo", "model name") or platform.processor(),
        "memory_gib": round(int(mem_kb.split()[0]) / 2**20, 1) if mem_kb else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]
