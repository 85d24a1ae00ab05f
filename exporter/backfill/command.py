"""``mist-wan-exporter backfill``: write the SLE history of every site as OpenMetrics.

One org-level ``insights/sites-sle`` walk per step window, windows in time order, appended to
``FILE.partial`` as they complete; the state store remembers the plan, the windows done and the
file length, so a run interrupted for any reason continues where it stopped. The finished file
ends in ``# EOF`` and is renamed to ``FILE``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from exporter.backfill import openmetrics
from exporter.backfill.plan import (
    DAY,
    HOUR,
    Cost,
    Pacer,
    Plan,
    allowance,
    label,
    parse_resolution,
)
from exporter.backfill.progress import Progress
from exporter.clock import Clock, SystemClock
from exporter.collect.jobs import refused
from exporter.config import Config, ConfigError, load_config
from exporter.metrics.catalogue import BY_NAME
from exporter.mist import endpoints as ep
from exporter.mist.client import MistClient
from exporter.mist.errors import MistError, MistPayloadError, OrgDiscoveryError
from exporter.mist.parse import Skips, parse_sites_sle
from exporter.model import RequestEvent
from exporter.state import StateStore, open_store

METRIC = BY_NAME["mist_site_sle_ratio"]
LIMIT = 1000
KIND = "backfill"
STATE_TTL = 7 * DAY
EXIT_FAILED = 1
EXIT_USAGE = 2


def say(text: str) -> None:
    """Print at once, so the cost shows before the run (and before any error on stderr)."""
    print(text, flush=True)


class Refused(Exception):
    """The run does not fit the budget share (exit 2)."""


@dataclass(frozen=True, slots=True)
class Result:
    windows: int
    resumed: int
    samples: int
    calls: int
    skipped_windows: int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``backfill`` flags."""
    parser.add_argument("--config", metavar="FILE", help="YAML config file (see README)")
    parser.add_argument("--days", type=float, default=7.0, help="days of history (default 7)")
    parser.add_argument(
        "--resolution", default="1h", help="one sample per site and SLE per step: 10m..1d (1h)"
    )
    parser.add_argument("--out", metavar="FILE", required=True, help="OpenMetrics file to write")
    parser.add_argument(
        "--spread",
        action="store_true",
        help="when the calls exceed the budget share of one hour, pace them over several "
        "clock hours instead of refusing",
    )


def _partial(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


async def _window_rows(client: MistClient, start: int, end: int, first: Any = None) -> list[Any]:
    """Every row of ``sites-sle`` for one window: page 1 (unless given), then the others."""
    query = {"sle": "wan", "start": start, "end": end, "limit": LIMIT}
    body = first if first is not None else await client.get(ep.SITES_SLE, page=1, **query)
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list):
        raise MistPayloadError(ep.SITES_SLE.template, "expected an object with a `results` array")
    rows: list[Any] = list(results)
    if _pages(body) > 1:
        async for page in client.pages(ep.SITES_SLE, resume="2", **query):
            rows.extend(page.records)
    return rows


def _pages(body: Any) -> int:
    total = body.get("total") if isinstance(body, dict) else None
    if not isinstance(total, int) or isinstance(total, bool):
        return 1
    return max(1, math.ceil(total / LIMIT))


class Backfill:
    """One backfill run; :meth:`run` writes ``out`` or leaves a resumable ``out.partial``."""

    def __init__(
        self,
        config: Config,
        out: Path,
        plan: Plan,
        *,
        clock: Clock,
        store: StateStore,
        org_id: str,
        spread: bool = False,
        echo: Callable[[str], None] = say,
        progress: TextIO = sys.stderr,
        tty: bool | None = None,
    ) -> None:
        self.config = config
        self.out = out
        self.plan = plan
        self.clock = clock
        self.store = store
        self.org_id = org_id
        self.spread = spread
        self.echo = echo
        self._progress_stream = progress
        self._tty = tty
        self.calls = 0
        self.key = str(out.resolve())

    def _count(self, event: RequestEvent) -> None:
        self.calls += 1 + event.retries

    async def _resume_point(self) -> tuple[int, int, int]:
        """(windows done, file length, samples) of an earlier run of the same plan, else 0s.

        The same plan is the same step and span; the earlier run's windows are kept, not
        shifted by the time that passed since.
        """
        saved = await self.store.get(KIND, self.key)
        partial = _partial(self.out)
        if not isinstance(saved, dict) or not partial.exists():
            return 0, 0, 0
        try:
            plan = Plan(int(saved["start"]), int(saved["end"]), int(saved["step"]))
            done, offset, samples = (int(saved[k]) for k in ("done", "offset", "samples"))
        except (KeyError, TypeError, ValueError):
            return 0, 0, 0
        span = self.plan.end - self.plan.start
        if plan.step != self.plan.step or plan.end - plan.start != span:
            return 0, 0, 0
        if partial.stat().st_size < offset or not 0 <= done <= plan.windows:
            return 0, 0, 0
        self.plan = plan
        return done, offset, samples

    async def _save(self, done: int, offset: int, samples: int) -> None:
        state = {
            "start": self.plan.start,
            "end": self.plan.end,
            "step": self.plan.step,
            "done": done,
            "offset": offset,
            "samples": samples,
        }
        await self.store.put(KIND, self.key, state, ttl=STATE_TTL)

    def _cost(self, windows: int, pages: int) -> Cost:
        mist = self.config.mist
        share = self.config.collect.budget_share
        return Cost(windows, pages, allowance(share, mist.calls_per_hour, len(mist.tokens)))

    def _announce(self, cost: Cost, sites: int) -> None:
        share = self.config.collect.budget_share
        tokens = len(self.config.mist.tokens)
        self.echo(
            f"backfill: cost {cost.windows} windows x {cost.pages} page(s) ({sites} sites, "
            f"{LIMIT} per page) = {cost.calls} calls; budget share {share:.0%} of {tokens} "
            f"token(s) x {self.config.mist.calls_per_hour}/h = {cost.allowance} calls/h"
        )

    async def run(self) -> Result:
        done, offset, samples = await self._resume_point()
        if done:
            self.echo(f"backfill: resuming at window {done + 1} of {self.plan.windows}")
        windows = self.plan.windows - done
        if self.plan.step < HOUR:
            self.echo(
                f"backfill: --resolution {label(self.plan.step)} costs {HOUR // self.plan.step}x "
                f"the calls of 1h: {windows} windows x one call per {LIMIT} sites"
            )
        max_wait = 3600.0 if self.spread else 60.0
        async with MistClient(
            self.config.mist,
            clock=self.clock,
            store=self.store,
            observers=[self._count],
            max_wait=max_wait,
        ) as client:
            client.org_id = self.org_id
            probe: Any = None
            pacer: Pacer | None = None
            pages = 1
            if windows > 0:
                probe, pages, pacer = await self._probe(client, done)
            partial = _partial(self.out)
            if not done:
                partial.parent.mkdir(parents=True, exist_ok=True)
                partial.write_text(openmetrics.header(METRIC), encoding="utf-8")
                offset = partial.stat().st_size
                await self._save(0, offset, 0)
            progress = Progress(self.plan.windows, self._progress_stream, self.clock, tty=self._tty)
            skips = Skips()
            skipped = 0
            with partial.open("r+b") as file:
                file.truncate(offset)
                file.seek(offset)
                for index in range(done, self.plan.windows):
                    start, end = self.plan.window(index)
                    first, probe = probe, None
                    if pacer is not None:
                        await pacer.take(pages - (first is not None))
                    try:
                        rows = await _window_rows(client, start, end, first)
                    except MistError as exc:
                        if not refused(exc):
                            raise
                        skipped += 1  # Mist has no data for this window: nothing to write
                        rows = []
                    scores = parse_sites_sle(rows, skips)
                    lines = (({"site_id": s.site_id, "sle": s.sle}, s.ratio) for s in scores)
                    _append(file, openmetrics.samples(METRIC, lines, end))
                    samples += len(scores)
                    await self._save(index + 1, file.tell(), samples)
                    progress.update(index + 1, self.calls)
                _append(file, openmetrics.EOF_LINE)
            os.replace(partial, self.out)
            await self.store.delete(KIND, self.key)
        return Result(self.plan.windows, done, samples, self.calls, skipped)

    async def _probe(self, client: MistClient, done: int) -> tuple[Any, int, Pacer | None]:
        """Page 1 of the next window tells the pages per window: the cost, said before the rest.

        Raises :class:`Refused` when it exceeds the budget share and ``--spread`` is not given.
        """
        start, end = self.plan.window(done)
        body = await client.get(ep.SITES_SLE, sle="wan", start=start, end=end, limit=LIMIT, page=1)
        pages = _pages(body)
        cost = self._cost(self.plan.windows - done, pages)
        total = body.get("total") if isinstance(body, dict) else None
        self._announce(cost, total if isinstance(total, int) else 0)
        if cost.fits:
            return body, pages, None
        if not self.spread:
            raise Refused(
                f"backfill: {cost.calls} calls exceed the budget share of one hour "
                f"({cost.allowance} calls); pass --spread to pace them over {cost.hours} clock "
                "hours, or add tokens, use a coarser --resolution, raise collect.budget_share"
            )
        self.echo(f"backfill: --spread: paced over up to {cost.hours} clock hours")
        pacer = Pacer(cost.allowance, self.clock)
        await pacer.take(1)  # the probe
        return body, pages, pacer


def _append(file: BinaryIO, text: str) -> None:
    """Append durably: what the state store says is written is on disk."""
    file.write(text.encode("utf-8"))
    file.flush()
    os.fsync(file.fileno())


async def backfill(
    config: Config,
    out: Path,
    *,
    days: float,
    step: int,
    spread: bool = False,
    clock: Clock | None = None,
    store: StateStore | None = None,
    echo: Callable[[str], None] = say,
    progress: TextIO = sys.stderr,
    tty: bool | None = None,
) -> Result:
    """Discover the org like ``run``, open the state store, and run the backfill."""
    clock = clock or SystemClock()
    plan = Plan.ending(clock.time(), days, step)
    org_id = config.mist.one_org("backfill")
    if not org_id:
        async with MistClient(config.mist, clock=clock) as client:
            org_id = await client.discover_org()
    own = store is None
    store = store if store is not None else open_store(config.state, org_id, clock)
    if own:
        await store.start()
    try:
        job = Backfill(
            config,
            out,
            plan,
            clock=clock,
            store=store,
            org_id=org_id,
            spread=spread,
            echo=echo,
            progress=progress,
            tty=tty,
        )
        return await job.run()
    finally:
        if own:
            await store.close()


def run(args: argparse.Namespace) -> int:
    """The command: 0 when written, 1 when Mist fails (run it again to resume), 2 on usage."""
    try:
        step = parse_resolution(args.resolution)
        Plan.ending(0, args.days, step)
        config = load_config(args.config)
    except ValueError as exc:  # ConfigError is a ValueError too
        prefix = "" if isinstance(exc, ConfigError) else "backfill: "
        print(f"mist-wan-exporter: {prefix}{exc}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out)
    if out.is_dir():
        print(f"mist-wan-exporter: backfill: --out {out} is a directory", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = asyncio.run(backfill(config, out, days=args.days, step=step, spread=args.spread))
    except Refused as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except OrgDiscoveryError as exc:
        reason = str(exc).removeprefix(f"{exc.endpoint}: ")
        print(f"mist-wan-exporter: MIST_ORG_ID: {reason}", file=sys.stderr)
        return EXIT_USAGE
    except MistError as exc:
        kept = (
            "the windows done are kept in Redis: run the same command again to continue"
            if config.state.redis_url
            else "without REDIS_URL the progress is not kept: set it to make runs resumable"
        )
        print(f"backfill: {exc}; {kept}", file=sys.stderr)
        return EXIT_FAILED
    resumed = f", {result.resumed} from an earlier run" if result.resumed else ""
    skipped = f", {result.skipped_windows} windows without data" if result.skipped_windows else ""
    print(
        f"backfill: wrote {out}: {result.samples} samples of {METRIC.name} in "
        f"{result.windows} windows{resumed}{skipped}, {result.calls} calls"
    )
    return 0
