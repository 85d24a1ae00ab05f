"""Running the simulator: ``serve()`` for tests and the demo, ``run()`` for ``simulate``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from exporter.clock import Clock, SystemClock
from exporter.simulator.app import Simulator
from exporter.simulator.config import SimConfig
from exporter.simulator.flags import config_from_args
from exporter.simulator.webhooks import WebhookSender, deliver_forever


class Listening:
    """What a served simulator or replay shares: where it listens."""

    __slots__ = ()
    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class RunningSimulator(Listening):
    simulator: Simulator
    host: str
    port: int


@asynccontextmanager
async def serve(
    config: SimConfig, *, host: str = "127.0.0.1", port: int = 0, clock: Clock | None = None
) -> AsyncIterator[RunningSimulator]:
    """Serve a simulator on ``host:port`` (0 = a free port) until the context exits."""
    simulator = Simulator(config, clock or SystemClock())
    runner = web.AppRunner(
        simulator.app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1]
        yield RunningSimulator(simulator, host, bound)
    finally:
        simulator.close()
        await runner.cleanup()


@asynccontextmanager
async def _webhooks(args: argparse.Namespace, running: RunningSimulator) -> AsyncIterator[None]:
    """The webhook senders of ``--webhook-url`` (one per org, each delivery carrying its org's
    ``org_id``), for as long as the simulator runs."""
    url = getattr(args, "webhook_url", None)
    if not url:
        yield
        return
    simulator = running.simulator
    senders = [
        WebhookSender(
            org.world,
            url,
            args.webhook_secret or "",
            redeliver=args.webhook_redeliver,
            forge=args.webhook_forge,
        )
        for org in simulator.orgs
    ]
    task = asyncio.create_task(deliver_forever(senders, simulator.clock, args.webhook_period))
    print(f"webhooks {url}", flush=True)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def run(args: argparse.Namespace) -> int:
    """``mist-wan-exporter simulate``: serve until SIGINT/SIGTERM or cancellation."""
    if getattr(args, "replay", None):
        from exporter.simulator import replay

        return await replay.run(args)
    try:
        config = config_from_args(args)
    except ValueError as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 2

    async def serve_until(stop: asyncio.Event) -> None:
        async with serve(config, host=args.host, port=args.port) as running:
            zero, *others = running.simulator.orgs
            announce(zero.org_id, running.base_url, [org.org_id for org in others])
            async with _webhooks(args, running):
                await stop.wait()

    return await until_signalled(  # a ValueError: an --event that does not fit the fleet
        serve_until, args.host, args.port, "simulate"
    )


def announce(org_id: str, base_url: str, other_org_ids: Sequence[str] = ()) -> None:
    """The lines a caller of ``simulate`` reads from stdout to find the server: an ``org_id``
    line per org (org 0 first), then ``base_url``."""
    for each in (org_id, *other_org_ids):
        print(f"org_id {each}", flush=True)
    print(f"base_url {base_url}", flush=True)


async def until_signalled(
    serving: Callable[[asyncio.Event], Awaitable[None]], host: str, port: int, prefix: str
) -> int:
    """Run ``serving(stop)`` with ``stop`` set on SIGINT/SIGTERM; the exit code of ``simulate``.

    A ValueError (bad input found while starting) is 2 and an OSError (the port) is 1, each
    printed after ``prefix``; the signal handlers are removed again however it ends.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await serving(stop)
    except ValueError as error:
        print(f"{prefix}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"simulate: cannot listen on {host}:{port}: {error.strerror}", file=sys.stderr)
        return 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signum)
    return 0
