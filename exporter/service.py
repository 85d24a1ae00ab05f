"""Wires the parts together: client -> scheduler -> publisher -> web, for ``run`` and ``demo``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from exporter.clock import Clock, SystemClock
from exporter.collect.jobs import Job
from exporter.collect.publisher import Publisher
from exporter.collect.scheduler import Scheduler
from exporter.collect.webhooks import WebhookIntake
from exporter.config import DEMO_TOKEN, Config, ConfigError, parse_listen_address
from exporter.metrics.requests import RequestRecorder
from exporter.mist.client import MistClient
from exporter.mist.errors import MistError, OrgDiscoveryError
from exporter.mist.parse import Skips
from exporter.model import ExporterStatus, RequestEvent
from exporter.state import StateStore, open_store
from exporter.web.app import build_app, serve
from exporter.web.webconfig import load_web_config

log = logging.getLogger("exporter")
EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1


async def _discover(config: Config, clock: Clock) -> str:
    if config.mist.org_id:
        return config.mist.org_id
    async with MistClient(config.mist, clock=clock) as client:
        return await client.discover_org()


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
    """``demo``: the simulated org's size, seed and latency."""

    sites: int = 200
    seed: int = 1
    latency_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class Stack:
    """The collection side of a running exporter."""

    scheduler: Scheduler
    publisher: Publisher
    client: MistClient
    intake: WebhookIntake


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
    """Client, scheduler and publisher wired together, with the status the web layer shows."""
    publisher = Publisher(clock=clock, simulated=simulated)
    skips = Skips()
    started = clock.time()
    async with MistClient(config.mist, clock=clock, store=store, observers=observers) as client:
        scheduler = Scheduler(
            client=client,
            store=store,
            clock=clock,
            config=config,
            org_id=org_id,
            publisher=publisher,
            skips=skips,
            jobs=jobs,
        )
        intake = WebhookIntake(
            publisher=publisher,
            store=store,
            clock=clock,
            collect=config.collect,
            skips=skips,
            on_delivery=scheduler.pushed,
        )
        publisher.set_status_source(
            lambda: ExporterStatus(
                jobs=scheduler.statuses(),
                budgets=client.budgets(),
                state_store_up=store.up,
                state_store_kind="redis" if config.state.redis_url else "memory",
                started_at=started,
                first_publish_at=publisher.first_publish_at,
                skipped_rows=tuple((e, r, n) for (e, r), n in sorted(skips.counts().items())),
                thresholds=config.thresholds,
                webhook_events=intake.counts(),
                webhook_last_event=intake.last_delivery(),
            )
        )
        yield Stack(scheduler, publisher, client, intake)


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
        org_id = await _discover(config, clock)
    except OrgDiscoveryError as exc:
        reason = str(exc).removeprefix(f"{exc.endpoint}: ")
        print(f"mist-wan-exporter: MIST_ORG_ID: {reason}", file=sys.stderr)
        return EXIT_CONFIG
    except MistError as exc:
        print(f"mist-wan-exporter: cannot reach Mist to find the org: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    store = open_store(config.state, org_id, clock)
    await store.start()
    recorder = RequestRecorder()
    try:
        async with collection_stack(
            config, org_id, store, clock, observers=[recorder], simulated=simulated
        ) as stack:
            await stack.scheduler.warm_start()
            secret = config.web.webhook_secret
            app = build_app(
                stack.publisher,
                recorder,
                auth=web.auth,
                clock=clock,
                webhooks=(secret, stack.intake) if secret else None,
            )
            runner = await serve(app, listen, web.tls)
            scheme = "https" if web.tls else "http"
            host = "127.0.0.1" if listen[0] in ("0.0.0.0", "") else listen[0]
            log.info("serving %s://%s:%d/metrics for org %s", scheme, host, listen[1], org_id)
            if secret:
                log.info("receiving Mist webhooks on POST /webhooks/mist")
            collecting = asyncio.create_task(stack.scheduler.run_forever(), name="scheduler")
            try:
                await _wait_for_signal()
            finally:
                collecting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await collecting
                await runner.cleanup()
    finally:
        await store.close()
    return 0


async def run_demo(config: Config, options: DemoOptions) -> int:
    """The simulator and the exporter in one process, the exporter pointed at the simulator."""
    from exporter.simulator import SimConfig
    from exporter.simulator import serve as serve_simulator

    if options.sites < 0:
        raise ConfigError("--sites", "must be >= 0")
    sim_config = SimConfig(sites=options.sites, seed=options.seed, latency_ms=options.latency_ms)
    async with serve_simulator(sim_config) as sim:
        demo = replace(
            config,
            mist=replace(
                config.mist,
                base_url=sim.base_url,
                tokens=(DEMO_TOKEN,),
                org_id=sim.simulator.org_id,
            ),
        )
        listen = options.listen_address or config.web.listen_address
        host, port = parse_listen_address(listen)
        shown = "127.0.0.1" if host == "0.0.0.0" else host
        print(
            f"simulator: {sim.base_url} ({options.sites} sites, org {sim.simulator.org_id})\n"
            f"exporter:  http://{shown}:{port}/metrics  status page: http://{shown}:{port}/\n"
            "Ctrl-C to stop.",
            flush=True,
        )
        return await run_exporter(demo, options)
