"""Render: CPU and peak RSS of a full /metrics render, the reference org beside ten times it.

Each size is its own process (``bench.render_probe``) holding the synthetic org of
``tests/support/snapshots.py`` with ten tokens' status. The render is what a Prometheus scrape
of a new snapshot costs: every family in OpenMetrics, then its gzip. Targets (issue 14): at
32,080 sites, under 5 s of CPU and under 1 GiB of peak RSS.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bench.report import Report
from bench.stack import SITES

CPU_TARGET_SECONDS = 5.0
PEAK_TARGET_MIB = 1024


def probe(sites: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.render_probe", "--sites", str(sites)],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    result["full_render_cpu_seconds"] = result["render_cpu_seconds"] + result["gzip_cpu_seconds"]
    result["peak_mib"] = result["end"]["peak_kib"] / 1024
    return result


def run(*, quick: bool = False) -> Report:
    probes = [probe(sites) for sites in ((20, 200) if quick else (SITES, 10 * SITES))]
    large = probes[-1]
    met = {
        "cpu": large["full_render_cpu_seconds"] < CPU_TARGET_SECONDS,
        "peak_rss": large["peak_mib"] < PEAK_TARGET_MIB,
    }
    rows = tuple(
        (
            p["sites"],
            p["series"],
            p["full_render_cpu_seconds"],
            p["gzip_cpu_seconds"],
            p["wan_ports_rerender_cpu_seconds"],
            p["text_render_cpu_seconds"],
            p["snapshot"]["current_kib"] / 1024,
            p["peak_mib"],
            p["bytes"] / 2**20,
            p["gzip_bytes"] / 2**20,
        )
        for p in probes
    )

    def verdict(target: str, ok: bool) -> str:
        return "" if quick else f" (target under {target}: {'met' if ok else 'NOT met'})"

    notes = (
        f"At {large['sites']:,} sites: full render {large['full_render_cpu_seconds']:.2f} s of "
        f"CPU{verdict(f'{CPU_TARGET_SECONDS:g} s', met['cpu'])}, peak RSS "
        f"{large['peak_mib']:,.0f} MiB{verdict(f'{PEAK_TARGET_MIB} MiB', met['peak_rss'])}"
        ". CPU of every thread of the process; the "
        "full render is OpenMetrics and its gzip; the WAN-ports re-render (a new wan_ports "
        "tuple, as each minute's poll publishes) includes its gzip, of the "
        f"{large['wan_ports_rerender_compressions']} part(s) it compressed again; text "
        "is the second format after that. Peak RSS (VmHWM) of the whole process after all of them.",
    )
    return Report(
        name="render",
        title="Render",
        columns=(
            "sites",
            "series",
            "full render CPU (s)",
            "of which gzip (s)",
            "WAN ports re-render (s)",
            "text format too (s)",
            "RSS holding snapshot (MiB)",
            "peak RSS (MiB)",
            "body (MiB)",
            "gzip (MiB)",
        ),
        rows=rows,
        data={"probes": probes, "met": met},
        notes=notes,
    )
