"""Every benchmark in its ``--quick`` form, so none can rot: it runs and writes sane JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import BENCHMARKS, main
from exporter.collect.table import NAMES

MACHINE_KEYS = {"nproc", "cpu_model", "memory_gib", "python", "platform", "load_average_1m"}


def load(results: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((results / f"{name}.json").read_text(encoding="utf-8"))
    assert data["benchmark"] == name
    assert data["quick"] is True
    assert data["machine"].keys() >= MACHINE_KEYS
    assert data["machine"]["nproc"] >= 1
    return data


@pytest.mark.slow
def test_every_benchmark_runs_quick_and_writes_its_json(tmp_path: Path, capsys: Any) -> None:
    assert main(["--quick", "--results", str(tmp_path), *BENCHMARKS]) == 0
    printed = capsys.readouterr().out
    assert {p.stem for p in tmp_path.glob("*.json")} == set(BENCHMARKS)
    titles = ("Cold start", "Steady state", "Scrape", "Memory", "Render", "Scale", "Warm restart")
    for title in (*titles, "Soak"):
        assert f"### {title}" in printed

    cold = load(tmp_path, "cold_start")
    assert cold["sites"] == 20
    assert set(cold["publish_seconds"]) == set(NAMES) - {"deep_dive"}
    assert 0 < max(cold["publish_seconds"].values()) == cold["seconds"]
    assert cold["calls"] == sum(cold["calls_by_job"].values()) >= 7
    assert cold["calls_by_job"]["discovery"] == 1
    assert cold["without_deep_dive"]["calls"] == cold["calls"]
    assert cold["rate_limited"] == 0
    assert cold["process_to_ready_seconds"] > 0

    steady = load(tmp_path, "steady_state")
    assert steady["calls"] == sum(steady["calls_by_job"].values()) > 0
    assert steady["runs_by_job"]["alarms"] > 1
    assert steady["rate_limited"] == 0
    assert 0 < steady["budget_share"] < 1
    assert steady["degraded_pairs_all_hour_dived_twice"] <= steady["degraded_pairs_all_hour"]

    scrape = load(tmp_path, "scrape")
    for source in ("reference", "simulated"):
        result = scrape[source]
        assert result["series"] > 1000
        assert abs(result["series"] - result["naive_series"]) < 100
        for kind in ("exporter", "exporter_gzip", "naive"):
            assert [p["scrapers"] for p in result["phases"][kind]] == [1, 10]
            for p in result["phases"][kind]:
                assert 0 < p["p50_seconds"] <= p["p99_seconds"] <= p["max_seconds"]
        plain, gzipped = result["phases"]["exporter"][0], result["phases"]["exporter_gzip"][0]
        assert gzipped["bytes"] < plain["bytes"]

    memory = load(tmp_path, "memory")
    sources = [(p["source"], p["sites"]) for p in memory["probes"]]
    assert sources == [("reference", 20), ("reference", 200), ("simulated", 20), ("simulated", 200)]
    small, large = memory["probes"][2:]
    assert small["counts"]["wan_ports"] < large["counts"]["wan_ports"]
    assert memory["peak_kib_per_extra_site"].keys() == {"reference", "simulated"}
    for probe in memory["probes"]:
        assert probe["rendered"]["peak_kib"] >= probe["imported"]["peak_kib"] > 10_000
        assert probe["gzip_bytes"] < probe["bytes"]

    render = load(tmp_path, "render")
    assert [p["sites"] for p in render["probes"]] == [20, 200]
    small, large = render["probes"]
    assert 0 < small["series"] < large["series"]
    for probe in render["probes"]:
        assert 0 < probe["gzip_bytes"] < probe["bytes"]
        assert probe["full_render_cpu_seconds"] > 0
        assert probe["end"]["peak_kib"] >= probe["snapshot"]["peak_kib"]
    assert render["met"].keys() == {"cpu", "peak_rss"}

    warm = load(tmp_path, "warm_restart")
    assert set(warm["jobs_published"]) == set(NAMES)
    assert warm["calls_for_fresh_data"] == 0
    assert 0 < warm["publish_seconds"] <= warm["first_scrape_seconds"]
    assert warm["process_to_ready_seconds"] > 0

    scale = load(tmp_path, "scale")
    assert (
        [r["sites"] for r in scale["render"]] == [p["sites"] for p in scale["plans"]] == [20, 200]
    )
    assert [p["tokens"] for p in scale["plans"]] == [1, 10]
    for plan in scale["plans"]:
        assert 0 < plan["total_calls_per_hour"] <= plan["target_calls_per_hour"]

    soak = load(tmp_path, "soak")
    assert (soak["sites"], soak["hours"]) == (50, 2.0)
    assert [s["hour"] for s in soak["samples"]] == [0.0, 1.0, 2.0]
    first, *hours = soak["samples"]
    assert first["calls"] == first["renders"] == 0
    for sample in hours:
        assert sample["calls"] > 0
        assert sample["deep_dives"] > 0
        assert sample["rss_kib"] > first["rss_kib"] // 2 > 0
        assert sample["sim_rss_kib"] > 0
    assert hours[-1]["renders"] >= 100  # one a simulated minute
    assert 0 <= soak["rss_levels_off_at_hour"] <= 2
