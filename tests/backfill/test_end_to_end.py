"""Backfill from the simulator, create blocks with promtool, and ask a real Prometheus for a
site's SLE six days ago."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from exporter.simulator.insight_api import site_scores
from tests.backfill.support import T0, simulated
from tests.support.ports import free_port
from tests.support.processes import stop_child
from tests.support.wait import until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("prometheus"), reason="needs Debian prometheus"),
]
DAY = 86400


async def query(session: aiohttp.ClientSession, url: str, expr: str, at: float) -> Any:
    params = {"query": expr, "time": f"{at:.3f}"}
    async with session.get(f"{url}/api/v1/query", params=params) as response:
        body = await response.json()
    assert body["status"] == "success", body
    return body["data"]["result"]


async def prometheus_on(data: Path, workdir: Path) -> tuple[asyncio.subprocess.Process, str]:
    """Prometheus on ``data`` with a retention long enough for history from a fixed past clock."""
    config = workdir / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n")
    listen = f"127.0.0.1:{free_port()}"
    log = (workdir / "prometheus.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        "prometheus",
        f"--config.file={config}",
        f"--storage.tsdb.path={data}",
        "--storage.tsdb.retention.time=100y",
        f"--web.listen-address={listen}",
        "--log.level=warn",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    log.close()
    return process, f"http://{listen}"


async def wait_ready(session: aiohttp.ClientSession, url: str, log: Path) -> None:
    async def status() -> int:
        async with session.get(f"{url}/-/ready") as response:
            return response.status

    try:
        await until(
            status,
            lambda code: code == 200,
            within=60,
            what="prometheus /-/ready answers 200",
            every=0.25,
            ignore=(aiohttp.ClientError,),
        )
    except TimeoutError as error:
        output = await asyncio.to_thread(log.read_text)
        raise AssertionError(f"prometheus never became ready ({error}):\n{output}") from None


async def test_prometheus_answers_a_sites_sle_six_days_ago_from_the_backfilled_blocks(
    tmp_path: Path,
) -> None:
    out = tmp_path / "history.om"
    async with simulated(sites=20) as setup:
        result = await setup.backfill(out, days=7)
        api = setup.running.simulator.api
    assert result.windows == 168
    data = tmp_path / "data"
    created = await asyncio.to_thread(
        subprocess.run,
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(out), str(data)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    site = api.fleet.sites[7]
    at = int(T0 // 3600 * 3600) - 6 * DAY  # a step's end six days before the run
    truth = site_scores(api, site, at - 3600, at)
    process, url = await prometheus_on(data, tmp_path)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await wait_ready(session, url, tmp_path / "prometheus.log")
            for key, expected in truth.items():
                sle = key.replace("_", "-")
                expr = f'mist_site_sle_ratio{{site_id="{site.site_id}",sle="{sle}"}}'
                found = await query(session, url, expr, at)
                assert len(found) == 1, (expr, found)
                assert found[0]["metric"] == {
                    "__name__": "mist_site_sle_ratio",
                    "site_id": site.site_id,
                    "sle": sle,
                }
                timestamp, value = found[0]["value"]
                assert timestamp == at
                assert float(value) == pytest.approx(expected, abs=1e-12)
            # Every site and SLE of the simulated org is there.
            everything = await query(session, url, "count(mist_site_sle_ratio)", at)
            assert float(everything[0]["value"][1]) == 20 * 3
    finally:
        await stop_child(process)
