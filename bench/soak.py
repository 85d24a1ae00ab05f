"""Soak: simulated hours of the whole exporter at the reference scale, memory sampled hourly.

The real scheduler, jobs, simulator (its own process, over HTTP on loopback, every live
behaviour on), parsing, publishing and a /metrics render every simulated minute, on a clock
that jumps to the next due job (``bench.soak_run``). Memory that still grows once the org is
fully collected and deep-dived is a leak; this reports the hour from which RSS stays level.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bench.report import Report
from bench.stack import SITES

HOURS = 24.0
QUICK_SITES, QUICK_HOURS = 50, 2.0
LEVEL_SHARE = 0.03  # "level": within 3 % of the final RSS from that hour on


def soak(sites: int, hours: float) -> list[dict[str, Any]]:
    """Run ``bench.soak_run`` in a fresh process; its hourly samples (echoed to stderr)."""
    args = ["--sites", str(sites), "--hours", str(hours)]
    samples = []
    with subprocess.Popen(
        [sys.executable, "-m", "bench.soak_run", *args], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            samples.append(json.loads(line))
            print(f"soak: {line.strip()}", file=sys.stderr, flush=True)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.soak_run exited {proc.returncode}")
    return samples


def levels_off_at(samples: list[dict[str, Any]], key: str = "rss_kib") -> float:
    """The first hour from which ``key`` stays within :data:`LEVEL_SHARE` of its last value."""
    last = samples[-1][key]
    hour = samples[-1]["hour"]
    for sample in reversed(samples):
        if abs(sample[key] - last) > LEVEL_SHARE * last:
            break
        hour = sample["hour"]
    return float(hour)


def late_growth(samples: list[dict[str, Any]], key: str = "rss_kib") -> float:
    """KiB per hour of ``key`` over the second half of the run."""
    half = samples[len(samples) // 2]
    span = samples[-1]["hour"] - half["hour"]
    return float((samples[-1][key] - half[key]) / span) if span else 0.0


def run(*, quick: bool = False, hours: float | None = None) -> Report:
    sites, hours = (QUICK_SITES, hours or QUICK_HOURS) if quick else (SITES, hours or HOURS)
    return report(sites, hours, soak(sites, hours))


def report(sites: int, hours: float, samples: list[dict[str, Any]]) -> Report:
    """The table of ``samples`` (``bench.soak_run``'s lines), where RSS levels off, late growth."""
    level = levels_off_at(samples)
    growth = {k: late_growth(samples, k) for k in ("rss_kib", "malloc_in_use_kib", "sim_rss_kib")}
    data = {
        "sites": sites,
        "hours": hours,
        "samples": samples,
        "wall_seconds": samples[-1]["wall_seconds"],
        "rss_levels_off_at_hour": level,
        "late_growth_kib_per_hour": growth,
    }
    rows = tuple(
        (
            s["hour"],
            s["wall_seconds"],
            s["calls"],
            s["deep_dives"],
            s["renders"],
            s["rss_kib"] / 1024,
            s["malloc_in_use_kib"] / 1024,
            s["python_blocks"] / 1000,
            s["gc_objects"] / 1000,
            s["sim_rss_kib"] / 1024,
        )
        for s in samples
    )
    notes = (
        f"{sites:,} sites, {hours:g} simulated hours in {data['wall_seconds']:,.0f} s of wall "
        f"time. Exporter RSS levels off (stays within {LEVEL_SHARE:.0%} of its last value) from "
        f"hour {level:g}; over the second half it grows {growth['rss_kib'] / 1024:+.2f} MiB/h "
        f"(malloc in use {growth['malloc_in_use_kib'] / 1024:+.2f} MiB/h, simulator "
        f"{growth['sim_rss_kib'] / 1024:+.2f} MiB/h).",
        "Calls: made in the hour before the sample; deep-dives: (site, SLE) pairs published; "
        "renders: /metrics renders so far; RSS (VmRSS) and malloc in use (glibc mallinfo2) of "
        "the exporter's process, after gc.collect(); Python blocks: sys.getallocatedblocks().",
    )
    return Report(
        name="soak",
        title="Soak (memory per simulated hour)",
        columns=(
            "hour",
            "wall (s)",
            "calls",
            "deep-dives",
            "renders",
            "RSS (MiB)",
            "malloc in use (MiB)",
            "Python blocks (k)",
            "gc objects (k)",
            "simulator RSS (MiB)",
        ),
        rows=rows,
        data=data,
        notes=notes,
    )
