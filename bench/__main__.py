"""``python -m bench [NAME ...] [--quick] [--hours H] [--results DIR]``: run benchmarks, print,
save JSON."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import cold_start, memory, render, scale, scrape, soak, steady_state, warm_restart
from bench.report import Report

BENCHMARKS: dict[str, Callable[..., Report]] = {
    "cold_start": cold_start.run,
    "steady_state": steady_state.run,
    "scrape": scrape.run,
    "memory": memory.run,
    "render": render.run,
    "scale": scale.run,  # after render: reuses its figures
    "warm_restart": warm_restart.run,
    "soak": soak.run,
}
# The soak takes hours of wall time at the reference scale: it runs only when named.
DEFAULT = tuple(name for name in BENCHMARKS if name != "soak")
RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all but soak)",
    )
    parser.add_argument("--quick", action="store_true", help="a small, fast smoke run")
    parser.add_argument(
        "--hours", type=float, help=f"simulated hours of the soak (default {soak.HOURS:g})"
    )
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help=f"JSON output directory (default {RESULTS})"
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; use {', '.join(BENCHMARKS)}")
    reports: dict[str, Report] = {}
    for name in args.names or DEFAULT:
        started = time.perf_counter()
        options = {"soak": {"hours": args.hours}, "scale": {"earlier": reports}}.get(name, {})
        report = reports[name] = BENCHMARKS[name](quick=args.quick, **options)
        path = report.write(args.results, quick=args.quick)
        print(report.table(), flush=True)
        print(f"({name}: {time.perf_counter() - started:.0f} s, {path})\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
