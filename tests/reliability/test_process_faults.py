"""Crashes: the exporter SIGKILLed in the middle of its walks and restarted on the same Redis,
and Redis killed and restarted under a running exporter. The alarm ledger must count every
alarm the simulator served exactly once across both."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from exporter.simulator import SimConfig, serve
from exporter.simulator.app import Simulator
from exporter.simulator.live import ALARM_GROWTH, ALL
from tests.reliability.ledger import ledger_problems, stored_ledger
from tests.reliability.support import Scrape, scrape, wait_ready, write_config
from tests.support.processes import Process, exporter_env, start_exporter
from tests.support.redis import RedisServer
from tests.support.wait import until

DAY = 86400.0
WINDOW = 3 * DAY


async def settled(
    session: aiohttp.ClientSession, proc: Process, redis_server: RedisServer, org_id: str
) -> tuple[Scrape, float]:
    """A scrape and the ledger cursor of the same alarms run (read around the scrape)."""

    async def probe() -> tuple[Scrape, Any, Any]:
        before = stored_ledger(redis_server, org_id)
        metrics = await scrape(session, proc.url)
        return metrics, before, stored_ledger(redis_server, org_id)

    def same_run(found: tuple[Scrape, Any, Any]) -> bool:
        metrics, before, after = found
        if before is None or after is None or before["cursor"] is None:
            return False
        last = metrics.last_success("alarms") or 0.0
        cursor = float(before["cursor"])
        # The cursor is the run's start as the job saw it, a little after the scheduler's:
        # the same run when within half the 5 s interval (a busy machine stretches the gap).
        return cursor == after["cursor"] and abs(cursor - last) < 2.5

    metrics, ledger, _ = await until(probe, same_run, within=60, what="a settled alarms run")
    return metrics, float(ledger["cursor"])


async def alarm_runs(
    session: aiohttp.ClientSession, proc: Process, after: float, count: int = 1
) -> Scrape:
    """Wait for ``count`` successful alarm runs that started after ``after``."""
    seen: list[float] = []

    def done(metrics: Scrape) -> bool:
        last = metrics.last_success("alarms") or 0.0
        if last > after and last not in seen:
            seen.append(last)
        return len(seen) >= count

    return await until(
        lambda: scrape(session, proc.url), done, within=60, what=f"{count} alarm run(s)"
    )


# The ledger check counts each alarm at its count when the check runs; growth across rescans
# (a later count than the exporter's last walk saw) is checked in tests/collect/test_live_org.py.
STILL_ALARMS = ALL - {ALARM_GROWTH}


def check(sim: Simulator, metrics: Scrape, cursor: float, first: tuple[float, float]) -> None:
    problems = ledger_problems(sim, metrics, cursor, first_start=first, window=WINDOW)
    assert problems == [], "alarm ledger: " + "; ".join(problems)


@pytest.mark.slow
async def test_sigkill_mid_walk_then_restart_counts_alarms_once(
    tmp_path: Path, own_redis_server: RedisServer
) -> None:
    own_redis_server.start()
    config = write_config(
        tmp_path / f"ledger-{own_redis_server.port}.yml",
        alarm_window_seconds=WINDOW,
        calls_per_hour=5000,
    )
    # 1000 sites hold ~1,440 alarms in three days: two pages; 0.15 s a call makes walks long.
    async with serve(SimConfig(sites=1000, seed=7, latency_ms=150, live=STILL_ALARMS)) as sim:
        org_id = sim.simulator.org_id
        env = exporter_env(sim.base_url, redis_url=own_redis_server.url)
        args = ["--config", str(config)]
        async with aiohttp.ClientSession() as session:
            launched = time.time()
            first = start_exporter(tmp_path, env, args=args)
            try:
                mid_walk = await until(
                    lambda: stored_ledger(own_redis_server, org_id),
                    lambda ledger: ledger is not None and ledger["cursor"] is None,
                    within=60,
                    what="the first alarm page in the ledger",
                    every=0.02,
                )
                first.kill()
            finally:
                first.stop()
            killed = time.time()
            assert mid_walk is not None
            partial = len(mid_walk["seen"])
            truth = sim.simulator.truth(killed, alarms_since=killed - WINDOW)
            assert 0 < partial < len(truth.alarm_ids), "the kill did not land mid-walk"

            second = start_exporter(tmp_path, env, args=args)
            try:
                await wait_ready(session, second)
                await alarm_runs(session, second, killed)
                metrics, cursor = await settled(session, second, own_redis_server, org_id)
            finally:
                assert second.stop() == 0
    check(sim.simulator, metrics, cursor, (launched - WINDOW, killed - WINDOW))


@pytest.mark.slow
async def test_redis_killed_and_restarted_under_the_exporter(
    tmp_path: Path, own_redis_server: RedisServer
) -> None:
    """Redis killed and started at once, then down for a while, under a running exporter."""
    own_redis_server.start()
    config = write_config(
        tmp_path / f"ledger-{own_redis_server.port}.yml",
        alarm_window_seconds=WINDOW,
        calls_per_hour=5000,
    )
    async with serve(SimConfig(sites=300, seed=8, live=STILL_ALARMS)) as sim:
        org_id = sim.simulator.org_id
        env = exporter_env(sim.base_url, redis_url=own_redis_server.url)
        async with aiohttp.ClientSession() as session:
            launched = time.time()
            proc = start_exporter(tmp_path, env, args=["--config", str(config)])
            try:
                await wait_ready(session, proc)
                ready = await alarm_runs(session, proc, 0.0)
                first_done = ready.last_success("alarms") or 0.0
                first = (launched - WINDOW, first_done - WINDOW)

                # A crash and an immediate restart: Redis comes back empty between two calls.
                own_redis_server.kill()
                own_redis_server.start()
                restarted = time.time()
                await alarm_runs(session, proc, restarted)
                metrics, cursor = await settled(session, proc, own_redis_server, org_id)
                check(sim.simulator, metrics, cursor, first)

                # A longer outage: the exporter runs on memory, says so, and writes back.
                own_redis_server.kill()
                down = await until(
                    lambda: scrape(session, proc.url),
                    lambda m: m.value("mist_state_store_up") == 0.0,
                    within=30,
                    what="mist_state_store_up 0",
                )
                await alarm_runs(session, proc, time.time())
                assert down.value("mist_up") == 1.0, "Redis down must not fail collection"
                own_redis_server.start()
                await until(
                    lambda: scrape(session, proc.url),
                    lambda m: m.value("mist_state_store_up") == 1.0,
                    within=30,
                    what="mist_state_store_up 1 again",
                )
                await alarm_runs(session, proc, time.time())
                metrics, cursor = await settled(session, proc, own_redis_server, org_id)
                check(sim.simulator, metrics, cursor, first)
            finally:
                assert proc.stop() == 0
