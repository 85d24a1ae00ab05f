"""Runs the jobs on the planned intervals, persists their results and reports their status.

A job's result is saved to the state store after every success, so a restart publishes at once
(warm start) and the next run of each job is due only when its data would be stale anyway. One
failing job never stops the others: each runs in its own task, and its error is recorded.
"""

from __future__ import annotations

import asyncio
import logging
import math
import typing
from asyncio import FIRST_COMPLETED
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from exporter.clock import Clock
from exporter.collect import alarms, definitions  # noqa: F401  (register those jobs' code)
from exporter.collect.deepdive import DeepDiveJob
from exporter.collect.deepdive_pairs import degraded_pairs
from exporter.collect.jobs import Collected, Context, CountingClient, Job
from exporter.collect.plan import (
    DEEP_DIVE_WAKE_SECONDS,
    WEBHOOK_FRESH_SECONDS,
    Plan,
    demand,
    make_plan,
)
from exporter.collect.publisher import Publisher
from exporter.collect.table import BY_NAME, JOBS, WAN_SLE_METRICS, OrgShape
from exporter.config import Config
from exporter.mist.client import MistClient
from exporter.mist.errors import MistError, MistRateLimited
from exporter.mist.parse import Skips
from exporter.model import JobStatus, Snapshot
from exporter.state import codec
from exporter.state.store import StateStore

log = logging.getLogger(__name__)

KIND_JOB = "job"
KIND_RESULT = "result"
RETRY_BASE_SECONDS = 15.0
CALLS_SMOOTHING = 0.2
SNAPSHOT_TYPES = typing.get_type_hints(Snapshot)


def all_jobs() -> tuple[Job, ...]:
    """One instance of the code of every row of the jobs table, in table order."""
    return tuple(Job.registry[spec.name]() for spec in JOBS)


class Scheduler:
    def __init__(
        self,
        *,
        client: MistClient,
        store: StateStore,
        clock: Clock,
        config: Config,
        org_id: str,
        publisher: Publisher,
        skips: Skips | None = None,
        jobs: Sequence[Job] | None = None,
        balance: Callable[[], None] | None = None,
    ) -> None:
        """``balance`` runs before each replan: it shares the tokens' hours among the orgs
        (:meth:`MistClient.share`), so ``client.calls_per_hour_capacity`` is this org's share."""
        self.client = client
        self.store = store
        self.clock = clock
        self.config = config
        self.org_id = org_id
        self.publisher = publisher
        self.skips = skips or Skips()
        self.jobs = {job.name: job for job in (jobs or all_jobs())}
        self._status = {
            name: JobStatus(
                job=name,
                interval_seconds=config.collect.intervals[name],
                next_run=0.0,
                org_id=org_id,
            )
            for name in self.jobs
        }
        self._calls: dict[str, float] = {}
        self._failures: dict[str, int] = dict.fromkeys(self.jobs, 0)
        self._pushed_at: dict[str, float] = {}
        self._balance = balance
        self.plan = self.replan()

    def statuses(self) -> tuple[JobStatus, ...]:
        return tuple(self._status[name] for name in self.jobs)

    def shape(self) -> OrgShape:
        snap = self.publisher.snapshot
        estimate = OrgShape.estimate(len(snap.inventory.sites) if snap.inventory else 0)
        return OrgShape(
            sites=estimate.sites,
            gateways=len(snap.gateways) or estimate.gateways,
            port_rows=estimate.port_rows,
            peer_rows=len(snap.peer_paths) or estimate.peer_rows,
            sle_metrics=len({s.sle for s in snap.sle_scores}) or len(WAN_SLE_METRICS),
            alarm_rows=sum(a.count for a in snap.alarm_counts) or estimate.alarm_rows,
            bgp_rows=len(snap.bgp_peers) or estimate.bgp_rows,
            tunnel_rows=len(snap.wan_tunnels) or estimate.tunnel_rows,
            degraded_pairs=len(
                degraded_pairs(snap.sle_scores, snap.worst_sites, self.config.thresholds)
            ),
        )

    def pushing(self) -> frozenset[str]:
        """The webhook topics that delivered within the last ``WEBHOOK_FRESH_SECONDS``."""
        now = self.clock.time()
        return frozenset(t for t, at in self._pushed_at.items() if now - at < WEBHOOK_FRESH_SECONDS)

    def pushed(self, topic: str) -> None:
        """A verified webhook delivery of ``topic`` arrived: replan when that stretches a job."""
        before = self.pushing()
        self._pushed_at[topic] = self.clock.time()
        if self.pushing() != before:
            self.replan()

    def demand(self) -> float:
        """Calls per hour this org asks for (:func:`~exporter.collect.plan.demand`)."""
        return demand(
            self.shape(),
            self.config.collect.intervals,
            measured=self._calls,
            pushed=self.pushing(),
        )

    def replan(self) -> Plan:
        """Plan the hour from the org as last seen and the calls each job last made."""
        if self._balance is not None:
            self._balance()
        plan = make_plan(
            self.shape(),
            self.config.collect.intervals,
            capacity_calls_per_hour=self.client.calls_per_hour_capacity,
            budget_share=self.config.collect.budget_share,
            measured=self._calls,
            pushed=self.pushing(),
        )
        hourly = plan.per_job()
        for name in self.jobs:
            interval = (
                plan.entry(name).interval_seconds if name != "deep_dive" else DEEP_DIVE_WAKE_SECONDS
            )
            self._status[name] = replace(
                self._status[name],
                interval_seconds=interval,
                planned_calls_per_hour=hourly.get(name, 0.0),
            )
        deep_dive = self.jobs.get("deep_dive")
        if isinstance(deep_dive, DeepDiveJob):
            deep_dive.configure(plan)
        self.plan = plan
        return plan

    async def warm_start(self) -> None:
        """Publish what the store holds and schedule each job for when its data goes stale."""
        names = list(self.jobs)
        states = await self.store.get_many(KIND_JOB, names)
        results = await self.store.get_many(KIND_RESULT, names)
        now = self.clock.time()
        for name, state, result in zip(names, states, results, strict=True):
            if not isinstance(state, dict) or not isinstance(result, dict):
                continue
            try:
                parts = Snapshot(
                    **{
                        field: codec.decode(SNAPSHOT_TYPES[field], result["parts"][field])
                        for field in BY_NAME[name].fills
                    }
                )
            except (KeyError, ValueError, TypeError) as exc:
                log.warning("ignoring the cached result of %s: %s", name, exc)
                continue
            self.publisher.publish(name, parts)
            last = float(state["last_success"])
            self._calls[name] = float(state.get("calls") or 0) or self._calls.get(name, 0)
            self._status[name] = replace(
                self._status[name],
                last_success=last,
                duration_seconds=state.get("duration"),
                errors_total=int(state.get("errors_total", 0)),
                next_run=max(now, last + (self._status[name].interval_seconds or 0)),
            )
            log.info("warm start: published %s from %.0f s ago", name, now - last)
        self.replan()

    def _ready(self, now: float, busy: Iterable[str]) -> list[Job]:
        busy = set(busy)
        ready = []
        for name, job in self.jobs.items():
            status = self._status[name]
            if name in busy or (status.next_run or 0) > now:
                continue
            # A dependency matters until its first run has ended (e.g. WAN ports join gateways).
            published = self.publisher.snapshot.published
            waiting = any(
                dep in self.jobs and dep not in published and self._status[dep].last_attempt is None
                for dep in BY_NAME[name].after
            )
            if not waiting:
                ready.append(job)
        return ready

    def next_due(self, busy: Iterable[str] = ()) -> float:
        busy = set(busy)
        times = [s.next_run or 0.0 for n, s in self._status.items() if n not in busy]
        return min(times) if times else math.inf

    async def tick(self) -> float:
        """Run every due job to completion, dependencies first; return when the next is due."""
        done: set[str] = set()
        while True:
            ready = [j for j in self._ready(self.clock.time(), ()) if j.name not in done]
            if not ready:
                break
            await asyncio.gather(*(self.run_job(job) for job in ready))
            done.update(job.name for job in ready)
        return self.next_due()

    async def run_forever(self) -> None:
        """Start each job when due, each in a task of its own; wait on the injected clock."""
        running: dict[str, asyncio.Task[None]] = {}
        try:
            while True:
                now = self.clock.time()
                for job in self._ready(now, running):
                    running[job.name] = asyncio.create_task(self.run_job(job), name=job.name)
                wait = max(0.05, self.next_due(running) - now)
                sleeper = asyncio.ensure_future(self.clock.sleep(min(wait, 3600)))
                try:
                    await asyncio.wait({sleeper, *running.values()}, return_when=FIRST_COMPLETED)
                finally:
                    sleeper.cancel()
                running = {n: t for n, t in running.items() if not t.done()}
        finally:
            for task in running.values():
                task.cancel()
            await asyncio.gather(*running.values(), return_exceptions=True)

    async def run_job(self, job: Job) -> None:
        """One run: collect, publish, persist; never raises (but lets cancellation through)."""
        ctx = Context(
            client=CountingClient(self.client),
            store=self.store,
            clock=self.clock,
            config=self.config,
            org_id=self.org_id,
            publisher=self.publisher,
            skips=self.skips,
        )
        started = self.clock.time()
        t0 = self.clock.monotonic()
        status = replace(self._status[job.name], last_attempt=started)
        error: BaseException | None = None
        collected: Collected | None = None
        try:
            collected = await job.collect(ctx)
            if collected.failures:
                error = _partial(collected.failures)
        except MistError as exc:
            error = exc
        except Exception as exc:  # a bug must not stop the other jobs: record it, retry later
            log.exception("job %s raised an unexpected error", job.name)
            error = exc
        duration = self.clock.monotonic() - t0
        if collected is not None:
            self.publisher.publish(job.name, collected.parts)
            await self._save(job.name, collected.parts, started, duration, ctx.client.calls, status)
        if error is None:
            self._failures[job.name] = 0
            # Calls per run vary (the alarms' full walks): plan on a moving average.
            last = self._calls.get(job.name)
            calls = float(ctx.client.calls)
            self._calls[job.name] = (
                calls if last is None else last + CALLS_SMOOTHING * (calls - last)
            )
            status = replace(
                status,
                last_success=started,
                duration_seconds=duration,
                last_error=None,
                next_run=started + (status.interval_seconds or 0),
            )
        else:
            status = self._failed(job.name, status, error, started, duration)
        self._status[job.name] = status
        self.replan()

    def _failed(
        self,
        name: str,
        status: JobStatus,
        error: BaseException,
        started: float,
        duration: float,
    ) -> JobStatus:
        self._failures[name] += 1
        failures = self._failures[name]
        retry = min(status.interval_seconds or 60.0, RETRY_BASE_SECONDS * 2 ** min(failures, 6))
        next_run = started + retry
        if isinstance(error, MistRateLimited):
            next_run = max(next_run, error.retry_at)
        message = f"{type(error).__name__}: {error}"
        if failures == 1 or message != status.last_error:
            log.warning("job %s failed: %s", name, message)
        return replace(
            status,
            errors_total=status.errors_total + 1,
            duration_seconds=duration,
            last_error=message,
            next_run=next_run,
        )

    async def _save(
        self,
        name: str,
        parts: Snapshot,
        started: float,
        duration: float,
        calls: int,
        status: JobStatus,
    ) -> None:
        encoded = {field: codec.encode(getattr(parts, field)) for field in BY_NAME[name].fills}
        await self.store.put(KIND_RESULT, name, {"at": started, "parts": encoded})
        await self.store.put(
            KIND_JOB,
            name,
            {
                "last_success": started,
                "duration": duration,
                "calls": calls,
                "errors_total": status.errors_total,
            },
        )


def _partial(failures: Sequence[MistError]) -> MistError:
    """One error standing for the failed parts of a run whose other parts were published."""
    first = failures[0]
    return MistError(first.endpoint, f"{len(failures)} part(s) failed; first: {first}")
