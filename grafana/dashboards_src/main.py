"""Writes grafana/dashboards/*.json; ``--check`` exits 1 when a committed file is out of date."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from . import Json, alarms, circuit, exporter_health, fleet, region, site

OUT = Path(__file__).resolve().parents[1] / "dashboards"
DASHBOARDS: dict[str, Callable[[], Json]] = {
    "mist-fleet.json": fleet.build,
    "mist-region.json": region.build,
    "mist-site.json": site.build,
    "mist-circuit.json": circuit.build,
    "mist-alarms.json": alarms.build,
    "mist-exporter.json": exporter_health.build,
}


def render(build: Callable[[], Json]) -> str:
    """The dashboard as the committed file holds it."""
    return json.dumps(build(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Writes (or with ``--check`` compares) every dashboard; 1 when a file is out of date."""
    parser = argparse.ArgumentParser(description="Writes grafana/dashboards/*.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for name, build in DASHBOARDS.items():
        path = OUT / name
        text = render(build)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print("out of date (run python grafana/build_dashboards.py):", ", ".join(stale))
        return 1
    return 0
