"""Every simulator fault mode against the exporter process: keep the last good data, say the
job failed (metrics and status page), and recover without help once the fault clears.

Each case runs its own simulator and exporter process (``pytest -k html`` runs one), about
20 s each: the exporter's shortest interval is 5 s and a case waits for two failed and two
good runs. The simulator raises an alarm at start, so ``mist_alarms`` has a series whatever
the time of day.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from exporter.simulator import SimConfig, serve
from exporter.simulator.events import Event
from tests.reliability.support import Scrape, fetch, last_error, scrape, wait_ready, write_config
from tests.support.processes import exporter_env, start_exporter
from tests.support.wait import until

ESSENTIAL = ("gateways", "wan_ports", "alarms")
TIMEOUT = 45.0


@dataclass(frozen=True, slots=True)
class Case:
    """A fault aimed at one job's endpoint, the series that job feeds and the error shown."""

    mode: str
    job: str
    endpoint: str
    series: str
    error: str
    extra: dict[str, Any] = field(default_factory=dict)
    read_timeout: float = 10.0

    @property
    def name(self) -> str:
        status = self.extra.get("status")
        return self.mode if status is None else f"{self.mode}-{status}"


CASES = (
    Case(
        "429",
        "wan_ports",
        "*/stats/ports/search",
        "mist_wan_port_up",
        "MistRateLimited",
        {"retry_after": 1},
    ),
    Case("5xx", "gateways", "*/stats/devices", "mist_gateway_up", "HTTP 50"),
    Case(
        "stall", "alarms", "*/alarms/search", "mist_alarms", "no answer in time", read_timeout=2.0
    ),
    Case(
        "reset",
        "peer_paths",
        "*/stats/vpn_peers/search",
        "mist_vpn_peer_path_up",
        "connection failed",
    ),
    Case("malformed", "wan_ports", "*/stats/ports/search", "mist_wan_port_up", "malformed JSON"),
    Case("truncated", "gateways", "*/stats/devices", "mist_gateway_up", "malformed JSON"),
    Case("html", "alarms", "*/alarms/search", "mist_alarms", "HTTP 502"),
    Case("html", "inventory", "*/sites", "mist_site_info", "HTML page", {"status": 200}),
    Case(
        "missing_fields",
        "wan_ports",
        "*/stats/ports/search",
        "mist_wan_port_up",
        "MistPayloadError",
    ),
    Case("401", "org_sle", "*/insights/sites-sle", "mist_site_sle_ratio", "HTTP 401"),
)


@dataclass(slots=True)
class Outcome:
    problems: list[str] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.problems.append(message)


async def _run_case(case: Case, seed: int, tmp_path: Path) -> Outcome:
    outcome = Outcome()
    config = write_config(
        tmp_path / f"{case.name}.yml", read_timeout=case.read_timeout, max_retries=1
    )
    # The alarm cases need a series in ``mist_alarms``: ask for one, do not hope for one.
    sim_config = SimConfig(
        sites=10, seed=seed, calls_per_hour=20_000, events=(Event("alarm", site=0),)
    )
    async with serve(sim_config) as sim, aiohttp.ClientSession() as session:
        proc = start_exporter(tmp_path, exporter_env(sim.base_url), args=["--config", str(config)])
        base = proc.url
        try:
            await wait_ready(session, proc, within=TIMEOUT)

            def healthy(s: Scrape) -> bool:
                return s.value("mist_up") == 1.0 and bool(s.series(case.series))

            before = await until(
                lambda: scrape(session, base),
                healthy,
                within=TIMEOUT,
                what=f"mist_up 1 and {case.series} published",
            )
            good = before.series(case.series)
            errors0 = before.errors(case.job)
            fault = {"mode": case.mode, "endpoint": case.endpoint, **case.extra}
            async with session.post(f"{sim.base_url}/__sim/faults", json=fault) as response:
                assert response.ok, await response.text()
            first = await until(
                lambda: scrape(session, base),
                lambda s: s.errors(case.job) >= errors0 + 1,
                within=TIMEOUT,
                what=f"{case.job} fails",
            )
            second = await until(
                lambda: scrape(session, base),
                lambda s: s.errors(case.job) >= errors0 + 2,
                within=TIMEOUT,
                what=f"{case.job} fails again",
            )
            page = await fetch(session, f"{base}/")
            kept = second.series(case.series)
            outcome.check(
                set(kept) == set(good),
                f"{case.series}: {len(kept)} series while failing, {len(good)} before",
            )
            outcome.check(
                kept == first.series(case.series),
                f"{case.series} values changed while {case.job} was failing",
            )
            outcome.check(
                second.last_success(case.job) == first.last_success(case.job),
                f"{case.job} last success moved while failing",
            )
            up_expected = 0.0 if case.job in ESSENTIAL else 1.0
            outcome.check(
                second.value("mist_up") == up_expected,
                f"mist_up {second.value('mist_up')} while {case.job} fails, expected {up_expected}",
            )
            shown = last_error(page, case.job)
            outcome.check(
                shown is not None and case.error in shown,
                f"status page error for {case.job}: {shown!r}, expected {case.error!r}",
            )
            async with session.delete(f"{sim.base_url}/__sim/faults") as response:
                assert response.ok, await response.text()
            cleared = time.time()
            recovered = await until(
                lambda: scrape(session, base),
                lambda s: (s.last_success(case.job) or 0) > cleared and s.value("mist_up") == 1.0,
                within=TIMEOUT,
                what=f"{case.job} recovers",
            )
            outcome.figures["recovery_seconds"] = time.time() - cleared
            after_first = recovered.last_success(case.job) or 0
            later = await until(
                lambda: scrape(session, base),
                lambda s: (s.last_success(case.job) or 0) > after_first,
                within=TIMEOUT,
                what=f"{case.job} succeeds twice after the fault",
            )
            outcome.check(
                later.errors(case.job) == recovered.errors(case.job),
                f"{case.job} errors still growing after recovery",
            )
            outcome.check(later.value("mist_up") == 1.0, "mist_up fell back to 0")
            outcome.check(bool(later.series(case.series)), f"{case.series} gone after recovery")
            page = await fetch(session, f"{base}/")
            outcome.check(
                last_error(page, case.job) is None,
                f"status page still shows an error for {case.job} after recovery",
            )
        except (TimeoutError, AssertionError) as exc:
            outcome.problems.append(f"{exc}\n--- exporter log ---\n{proc.log()[-3000:]}")
        finally:
            code = proc.stop()
        outcome.check(code == 0, f"exporter exited {code}")
    return outcome


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_fault_keeps_data_reports_and_recovers(case: Case, tmp_path: Path) -> None:
    seed = CASES.index(case) + 1
    outcome = await _run_case(case, seed, tmp_path)
    assert outcome.problems == [], "\n".join(outcome.problems)
