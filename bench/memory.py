"""Memory: peak RSS of a fresh process holding a snapshot after one /metrics render.

Each measurement is its own process (``bench.memory_probe``), so peaks do not mix: the
synthetic reference org, and a snapshot collected from the simulator by one run of every job,
each at 3208 and at 32,080 sites, to show how the cost grows with the org.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.report import Report
from bench.stack import SITES
from tests.support.processes import simulator_process


def probe(source: str, sites: int, sim_url: str | None = None) -> dict[str, Any]:
    args = [sys.executable, "-m", "bench.memory_probe", "--source", source, "--sites", str(sites)]
    out = subprocess.run(
        [*args, *(["--sim-url", sim_url] if sim_url else [])],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def measure(quick: bool) -> list[dict[str, Any]]:
    """The reference org, then a collected one, at the reference size and at 10x."""
    sizes = (20, 200) if quick else (SITES, 10 * SITES)
    results = [probe("reference", sites) for sites in sizes]
    for sites in sizes:
        with (
            tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp,
            simulator_process(Path(tmp), sites=sites, seed=1) as sim,
        ):
            results.append(probe("simulated", sites, sim.url))
    return results


def growth(small: dict[str, Any], large: dict[str, Any]) -> float:
    """Peak KiB per extra site from ``small`` to ``large``."""
    extra = large["rendered"]["peak_kib"] - small["rendered"]["peak_kib"]
    return float(extra / (large["sites"] - small["sites"]))


def mib(kib: int) -> float:
    return kib / 1024


def run(*, quick: bool = False) -> Report:
    probes = measure(quick)
    per_site = {"reference": growth(*probes[:2]), "simulated": growth(*probes[2:])}
    data = {"probes": probes, "peak_kib_per_extra_site": per_site}
    rows = tuple(
        (
            p["source"],
            p["sites"],
            p["counts"]["wan_ports"],
            p["counts"]["deep_dives"],
            mib(p["imported"]["current_kib"]),
            mib(p["snapshot"]["current_kib"]),
            mib(p["rendered"]["current_kib"]),
            mib(p["rendered"]["peak_kib"]),
            p["bytes"] / 2**20,
            p["render_seconds"],
        )
        for p in probes
    )
    notes = (
        f"Peak RSS grows by {per_site['reference']:,.1f} KiB per site (reference org) and "
        f"{per_site['simulated']:,.1f} KiB per site (collected) between {probes[0]['sites']:,} "
        f"and {probes[1]['sites']:,} sites. RSS in MiB (VmHWM, VmRSS); the render is the text "
        "body and its gzip, cached as the exporter keeps them.",
    )
    return Report(
        name="memory",
        title="Memory",
        columns=(
            "snapshot",
            "sites",
            "WAN ports",
            "deep-dives",
            "RSS after imports",
            "RSS holding snapshot",
            "RSS after render",
            "peak RSS",
            "body (MiB)",
            "render (s)",
        ),
        rows=rows,
        data=data,
        notes=notes,
    )
