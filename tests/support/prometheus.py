"""A real Prometheus (the Debian ``prometheus`` binary) with the shipped config and rules.

``running_prometheus(target, tmp_path)`` starts it on a free loopback port with the repo's
``prometheus.yml`` rewritten for a test: the exporter job scrapes ``target``, every interval is
short, Alertmanager is ``alertmanager`` or none, and the rule files of ``rules/`` are loaded with
their group intervals removed so that every rule evaluates on the short global interval.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from tests.support.ports import free_port
from tests.support.processes import stop_child
from tests.support.wait import until

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS_YML = REPO / "prometheus.yml"
RULES_DIR = REPO / "rules"
EXPORTER_JOB = "mist-wan-exporter"

Json = dict[str, Any]


class PrometheusError(RuntimeError):
    """Prometheus rejected a request (bad query, not ready, ...)."""


@dataclass(frozen=True, slots=True)
class Prometheus:
    """A running Prometheus and its HTTP API."""

    url: str
    session: aiohttp.ClientSession
    workdir: Path

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Json:
        async with self.session.get(f"{self.url}{path}", params=params) as response:
            body: Json = await response.json(content_type=None)
        if body.get("status") != "success":
            raise PrometheusError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
        data: Json = body["data"]
        return data

    async def query(self, expr: str, at: float | None = None) -> Json:
        """Instant query: ``{"resultType": ..., "result": [...]}``; PrometheusError if invalid."""
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        return await self._get("/api/v1/query", params)

    async def query_range(self, expr: str, start: float, end: float, step: float) -> Json:
        params = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step}"}
        return await self._get("/api/v1/query_range", params)

    async def alerts(self) -> list[Json]:
        """Active alerts (state ``pending`` or ``firing``) with labels and annotations."""
        alerts: list[Json] = (await self._get("/api/v1/alerts"))["alerts"]
        return alerts

    async def rule_groups(self) -> list[Json]:
        groups: list[Json] = (await self._get("/api/v1/rules"))["groups"]
        return groups

    async def targets(self) -> list[Json]:
        active: list[Json] = (await self._get("/api/v1/targets"))["activeTargets"]
        return active

    async def results(self, expr: str) -> list[Json]:
        result: list[Json] = (await self.query(expr))["result"]
        return result

    async def wait_for(self, expr: str, within: float = 60.0) -> list[Json]:
        """Polls until ``expr`` returns a non-empty result; returns it or raises TimeoutError."""
        return await until(
            lambda: self.results(expr), within=within, what=f"a result for {expr!r}", every=0.25
        )


def write_config(
    workdir: Path,
    *,
    target: str,
    listen: str,
    alertmanager: str | None = None,
    interval: str = "1s",
    alert_for: str | None = None,
    config: Path = PROMETHEUS_YML,
    rules_dir: Path = RULES_DIR,
) -> Path:
    """Writes the test variant of ``config`` and its rule files into ``workdir``.

    ``alert_for`` replaces every alert's ``for`` hold, so that a test sees alerts fire in
    seconds rather than minutes; the expressions stay exactly as shipped.
    """
    conf: Json = yaml.safe_load(config.read_text())
    conf["global"].update(
        scrape_interval=interval, evaluation_interval=interval, scrape_timeout=interval
    )
    rules_out = workdir / "rules"
    rules_out.mkdir(exist_ok=True)
    for path in sorted(rules_dir.glob("*.yml")):
        content: Json = yaml.safe_load(path.read_text())
        for group in content["groups"]:
            group.pop("interval", None)
            for rule in group["rules"]:
                if alert_for is not None and "alert" in rule and "for" in rule:
                    rule["for"] = alert_for
        (rules_out / path.name).write_text(yaml.safe_dump(content, sort_keys=False))
    conf["rule_files"] = [str(rules_out / "*.yml")]
    if alertmanager:
        conf["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
    else:
        conf.pop("alerting", None)
    jobs = {job["job_name"]: job for job in conf["scrape_configs"]}
    if EXPORTER_JOB not in jobs:
        raise ValueError(f"{config} has no {EXPORTER_JOB} job")
    jobs[EXPORTER_JOB]["static_configs"] = [{"targets": [target]}]
    if "prometheus" in jobs:
        jobs["prometheus"]["static_configs"] = [{"targets": [listen]}]
    out = workdir / "prometheus.yml"
    out.write_text(yaml.safe_dump(conf, sort_keys=False))
    return out


@contextlib.asynccontextmanager
async def running_prometheus(
    target: str,
    tmp_path: Path,
    *,
    alertmanager: str | None = None,
    interval: str = "1s",
    alert_for: str | None = None,
    ready_timeout: float = 60.0,
) -> AsyncIterator[Prometheus]:
    """Starts Prometheus scraping the exporter at ``target`` (``host:port``); stops it on exit."""
    workdir = tmp_path / "prometheus"
    workdir.mkdir()
    listen = f"127.0.0.1:{free_port()}"
    config = write_config(
        workdir,
        target=target,
        listen=listen,
        alertmanager=alertmanager,
        interval=interval,
        alert_for=alert_for,
    )
    log_path = workdir / "prometheus.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address={listen}",
            "--log.level=warn",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            prometheus = Prometheus(f"http://{listen}", session, workdir)
            await _wait_ready(prometheus, process, log_path, ready_timeout)
            yield prometheus
    finally:
        await stop_child(process)


async def _ready_status(prometheus: Prometheus) -> int:
    async with prometheus.session.get(f"{prometheus.url}/-/ready") as response:
        return response.status


async def _wait_ready(
    prometheus: Prometheus, process: asyncio.subprocess.Process, log: Path, within: float
) -> None:
    def alive() -> None:
        if process.returncode is not None:
            raise PrometheusError(f"prometheus exited {process.returncode}:\n{log.read_text()}")

    try:
        await until(
            lambda: _ready_status(prometheus),
            lambda code: code == 200,
            within=within,
            what="prometheus /-/ready answers 200",
            ignore=(aiohttp.ClientError,),
            alive=alive,
        )
    except TimeoutError as error:
        output = await asyncio.to_thread(log.read_text)
        raise PrometheusError(f"{error}:\n{output}") from None
