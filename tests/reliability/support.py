"""Shared by the reliability tests: an exporter config, scrapes, and waiting on conditions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aiohttp
import yaml
from prometheus_client.parser import text_string_to_metric_families

from exporter.collect.table import DEFAULT_INTERVALS
from tests.support.processes import Process
from tests.support.wait import running, until

T = TypeVar("T")
Labels = frozenset[tuple[str, str]]


def write_config(
    path: Path,
    *,
    interval: float = 5.0,
    slow: Mapping[str, float] | None = None,
    read_timeout: float = 30.0,
    max_retries: int = 1,
    alarm_window_seconds: float = 86400.0,
    calls_per_hour: int = 20_000,
) -> Path:
    """A config with every job but the deep-dive on ``interval`` (``slow`` overrides)."""
    intervals = (
        dict.fromkeys(DEFAULT_INTERVALS, interval) | {"deep_dive": 1800.0} | dict(slow or {})
    )
    data = {
        "mist": {
            "timeouts": {"connect": 2.0, "read": read_timeout, "total": read_timeout * 3},
            "max_retries": max_retries,
            "calls_per_hour": calls_per_hour,
        },
        "collect": {
            "intervals": intervals,
            "alarm_window_seconds": alarm_window_seconds,
            "deep_dive_days": 1,
        },
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@dataclass(frozen=True, slots=True)
class Scrape:
    """One /metrics answer as {(sample name, labels): value}."""

    samples: Mapping[tuple[str, Labels], float]

    @classmethod
    def parse(cls, body: str) -> Scrape:
        samples = {
            (s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(body)
            for s in family.samples
        }
        return cls(samples)

    def value(self, name: str, **labels: str) -> float | None:
        return self.samples.get((name, frozenset(labels.items())))

    def series(self, name: str) -> dict[Labels, float]:
        return {labels: v for (n, labels), v in self.samples.items() if n == name}

    def collector(self, name: str, collector: str) -> float | None:
        """The job's sample (of its one org: these exporters export one)."""
        job = ("mist_job", collector)
        return next((v for labels, v in self.series(name).items() if job in labels), None)

    def errors(self, collector: str) -> float:
        return self.collector("mist_job_errors_total", collector) or 0.0

    def last_success(self, collector: str) -> float | None:
        return self.collector("mist_job_last_success_timestamp_seconds", collector)


async def fetch(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url) as response:
        assert response.status == 200, f"{url}: HTTP {response.status}"
        return await response.text()


async def scrape(session: aiohttp.ClientSession, base: str) -> Scrape:
    return Scrape.parse(await fetch(session, f"{base}/metrics"))


_ROW = re.compile(r"<tr><td>([^<]*)</td>(.*?)</tr>")
_CELL = re.compile(r"<td>(.*?)</td>")
_HEADER = re.compile(r"<tr><th>job</th>(.*?)</tr>")
_HEAD_CELL = re.compile(r"<th>(.*?)</th>")


def status_rows(page: str) -> dict[str, list[str]]:
    """The status page's job table: job -> its other cells (HTML-escaped text)."""
    return {m.group(1): _CELL.findall(m.group(2)) for m in _ROW.finditer(page)}


def last_error(page: str, job: str) -> str | None:
    """The "last error" cell of ``job`` on the status page (None when "-")."""
    header = _HEADER.search(page)
    if header is None:
        raise AssertionError("the status page has no job table")
    column = _HEAD_CELL.findall(header.group(1)).index("last error")
    cells = status_rows(page).get(job)
    if cells is None:
        raise AssertionError(f"job {job} is not on the status page")
    return None if cells[column] == "-" else cells[column]


async def status(session: aiohttp.ClientSession, url: str) -> int:
    async with session.get(url) as response:
        return response.status


async def wait_ready(
    session: aiohttp.ClientSession, proc: Process, *, path: str = "/readyz", within: float = 60.0
) -> None:
    """Poll ``path`` of a starting process until it answers 200; fail early if it exits."""
    await until(
        lambda: status(session, f"{proc.url}{path}"),
        lambda code: code == 200,
        within=within,
        what=f"{proc.url}{path} answers 200",
        ignore=(aiohttp.ClientConnectionError,),
        alive=running(proc.popen, proc.log),
    )
