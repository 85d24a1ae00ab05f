"""Every rule group evaluates at the reference scale (3,208 sites) in a real Prometheus.

The bench's snapshot server serves the exporter's /metrics for the synthetic reference org
(about 4,000 gateways, 10,000+ WAN ports, 13,000+ peer paths); Prometheus scrapes it with the
shipped rules. The test asserts structure only (every group evaluated, no rule in error) and
prints each group's last evaluation time: the windows hold minutes of samples here, not days,
so the times of the 24 h and 7 d rules are a floor, not their steady-state cost.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.stack import promql
from tests.support.prometheus import running_prometheus
from tests.support.wait import until

pytestmark = pytest.mark.slow


async def test_every_rule_group_evaluates_at_the_reference_scale(tmp_path: Path) -> None:
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.snapshot_server",
        "--source",
        "reference",
        "--sites",
        "3208",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert server.stdout is not None
        line = await asyncio.wait_for(server.stdout.readline(), 180)
        ready = json.loads(line)
        target = f"127.0.0.1:{ready['exporter']}"
        async with running_prometheus(target, tmp_path, interval="5s") as prometheus:
            await prometheus.wait_for('up{job="mist-wan-exporter"} == 1', within=120)
            await prometheus.wait_for("count(mist_vpn_peer_path_up) > 10000", within=120)

            async def evaluated_twice() -> list[dict[str, Any]]:
                await asyncio.sleep(11)
                return await prometheus.rule_groups()

            groups = await until(
                evaluated_twice,
                lambda gs: all(not g["lastEvaluation"].startswith("0001") for g in gs),
                within=120,
                what="every rule group evaluated",
            )
        names = {g["name"] for g in groups}
        rules = [r for g in groups for r in g["rules"]]
        assert len(rules) == len(promql.rules())
        errors = [(r["name"], r.get("lastError")) for r in rules if r["health"] == "err"]
        assert errors == []
        assert names >= {"mist-wan-availability", "mist-wan-peer-path-baselines", "mist-wan-alarms"}
        print(f"\nrule groups at 3,208 sites ({ready['series']} series):")
        for g in sorted(groups, key=lambda g: -g["evaluationTime"]):
            print(
                f"  {g['name']:<36} {g['evaluationTime'] * 1000:8.1f} ms  ({len(g['rules'])} rules)"
            )
    finally:
        server.terminate()
        await server.wait()
