"""Wires the parts together: client -> scheduler -> publisher -> web, for ``run`` and ``demo``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from exporter.clock import Clock, SystemClock
from exporter.collect.jobs import Job
from exporter.collect.merged import MergedSource
from exporter.collect.orgs import Orgs
from exporter.collect.publisher import Publisher
from exporter.collect.scheduler import Scheduler
from exporter.collect.webhooks import WebhookIntake
from exporter.config import DEMO_TOKEN, Config, ConfigError, parse_listen_address
from exporter.metrics.requests import RequestRecorder
from exporter.mist.client import MistClient, ReadableOrg
from exporter.mist.endpoints import SELF
from exporter.mist.errors import MistError, OrgDiscoveryError
from exporter.model import RequestEvent
from exporter.state import StateStore, open_store
from exporter.web.app import build_app, serve
from exporter.web.webconfig import load_web_config

log = logging.getLogger("exporter")
EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1


async def orgs_to_export(config: Config, clock: Clock) -> dict[str, ReadableOrg]:
    """The orgs to export and the tokens that read each: MIST_ORG_ID's (one is taken as read
    by every token, unchecked, as before), else every org the tokens read."""
    listed = config.mist.org_ids
    if len(listed) == 1:
        return {listed[0]: ReadableOrg("", tuple(range(len(config.mist.tokens))))}
    async with MistClient(config.mist, clock=clock) as client:
        readable = await client.discover_orgs()
    seen = sorted(((o, r.name) for o, r in readable.items()), key=lambda o: (o[1], o[0]))
    missing = [org_id for org_id in listed if org_id not in readable]
    if missing or not readable:
        raise OrgDiscoveryError(SELF.template, seen, missing)
    return {org_id: readable[org_id] for org_id in listed or [o for o, _ in seen]}


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What the command line adds to the config for ``run`` (None: the config's value)."""

    listen_address: str | None = None
    web_config_file: str | None = None


@dataclass(frozen=True, slots=True)
class DemoOptions(RunOptions):
    """``demo``: the simulated orgs' number and size, seed and latency."""

    sites: int = 200
    orgs: int = 1
    seed: int = 1
    latency_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class Stack:
    """The collection side of a running exporter with one org."""

    scheduler: Scheduler
    publisher: Publisher
    client: MistClient
    intake: WebhookIntake


@asynccontextmanager
async def collection(
    config: Config,
    orgs: Mapping[str, ReadableOrg],
    stores: Mapping[str, StateStore],
    clock: Clock,
    *,
    observers: Sequence[Callable[[RequestEvent], None]] = (),
    simulated: bool = False,
    jobs: Sequence[Job] | None = None,
) -> AsyncIterator[Orgs]:
    """One client (its hourly counts kept in the first org's store) and each org's stack;
    ``jobs`` (the job instances) only with one org."""
    budget_store = stores[next(iter(orgs))]
    async with MistClient(
        config.mist, clock=clock, store=budget_store, observers=observers
    ) as client:
        collected = Orgs(client, config, clock, simulated=simulated)
        for org_id, org in orgs.items():
            collected.add(org_id, org.name, org.tokens, stores[org_id], jobs=jobs)
        yield collected


@asynccontextmanager
async def collection_stack(
    config: Config,
    org_id: str,
    store: StateStore,
    clock: Clock,
    *,
    observers: Sequence[Callable[[RequestEvent], None]] = (),
    simulated: bool = False,
    jobs: Sequence[Job] | None = None,
) -> AsyncIterator[Stack]:
    """Client, scheduler and publisher of one org read by every token, wired as ``run`` does."""
    every = {org_id: ReadableOrg("", tuple(range(len(config.mist.tokens))))}
    async with collection(
        config, every, {org_id: store}, clock, observers=observers, simulated=simulated, jobs=jobs
    ) as orgs:
        (one,) = orgs.stacks
        yield Stack(one.scheduler, one.publisher, one.client, one.intake)


async def run_exporter(
    config: Config, options: RunOptions = RunOptions(), *, clock: Clock | None = None
) -> int:
    """Run until SIGINT/SIGTERM; exit 2 on a config problem found at start.

    The data is marked simulated (``mist_simulated 1``) when the simulator's documented demo
    token is configured: no Mist cloud accepts it.
    """
    clock = clock or SystemClock()
    simulated = DEMO_TOKEN in config.mist.tokens
    listen = parse_listen_address(
        options.listen_address or config.web.listen_address, "--web.listen-address"
    )
    web = load_web_config(options.web_config_file or config.web.config_file)
    try:
        orgs = await orgs_to_export(config, clock)
    except OrgDiscoveryError as exc:
        reason = str(exc).removeprefix(f"{exc.endpoint}: ")
        print(f"mist-wan-exporter: MIST_ORG_ID: {reason}", file=sys.stderr)
        return EXIT_CONFIG
    except MistError as exc:
        print(f"mist-wan-exporter: cannot reach Mist to find the org: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    stores = {org_id: open_store(config.state, org_id, clock) for org_id in orgs}
    recorder = RequestRecorder()
    try:
        for store in stores.values():
            await store.start()
        async with collection(
            config, orgs, stores, clock, observers=[recorder], simulated=simulated
        ) as collected:
            await collected.warm_start()
            secret = config.web.webhook_secret
            app = build_app(
                MergedSource(collected),
                recorder,
                auth=web.auth,
                clock=clock,
                webhooks=(secret, collected.router) if secret else None,
            )
            runner = await serve(app, listen, web.tls)
            scheme = "https" if web.tls else "http"
            host = "127.0.0.1" if listen[0] in ("0.0.0.0", "") else listen[0]
            shown = ", ".join(orgs)
            log.info("serving %s://%s:%d/metrics for org %s", scheme, host, listen[1], shown)
            if secret:
                log.info("receiving Mist webhooks on POST /webhooks/mist")
            collecting = asyncio.create_task(collected.run_forever(), name="scheduler")
            try:
                await _wait_for_signal()
            finally:
                collecting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await collecting
                await runner.cleanup()
    finally:
        for store in stores.values():
            await store.close()
    return 0


async def run_demo(config: Config, options: DemoOptions) -> int:
    """The simulator and the exporter in one process, the exporter pointed at the simulator."""
    from exporter.simulator import SimConfig
    from exporter.simulator import serve as serve_simulator

    if options.sites < 0:
        raise ConfigError("--sites", "must be >= 0")
    if options.orgs < 1:
        raise ConfigError("--orgs", "must be >= 1")
    sim_config = SimConfig(
        sites=options.sites, orgs=options.orgs, seed=options.seed, latency_ms=options.latency_ms
    )
    async with serve_simulator(sim_config) as sim:
        org_ids = [org.org_id for org in sim.simulator.orgs]
        demo = replace(
            config,
            mist=replace(
                config.mist, base_url=sim.base_url, tokens=(DEMO_TOKEN,), org_id=",".join(org_ids)
            ),
        )
        listen = options.listen_address or config.web.listen_address
        host, port = parse_listen_address(listen)
        shown = "127.0.0.1" if host == "0.0.0.0" else host
        print(
            f"simulator: {sim.base_url} ({options.sites} sites per org, "
            f"org{'s' if len(org_ids) > 1 else ''} {', '.join(org_ids)})\n"
            f"exporter:  http://{shown}:{port}/metrics  status page: http://{shown}:{port}/\n"
            "Ctrl-C to stop.",
            flush=True,
        )
        return await run_exporter(demo, options)
