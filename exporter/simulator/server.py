"""Running the simulator: ``serve()`` for tests and the demo, ``run()`` for ``simulate``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from exporter.clock import Clock, SystemClock
from exporter.config import DEMO_TOKEN
from exporter.simulator.app import Simulator
from exporter.simulator.config import FAULT_MODES, SPELLINGS, SimConfig, parse_fault
from exporter.simulator.events import EVENT_KINDS, Event
from exporter.simulator.live import ALARM_START_FIELDS, BEHAVIOURS, without
from exporter.simulator.webhooks import WebhookSender, deliver_forever

DEFAULT_PORT = 9843


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


def _tokens(text: str) -> tuple[str, ...]:
    tokens = tuple(t.strip() for t in text.split(",") if t.strip())
    if not tokens:
        raise argparse.ArgumentTypeError("give at least one token")
    return tokens


def _token_orgs(text: str) -> tuple[int, tuple[int, ...]]:
    """``TOKEN_INDEX=ORG,ORG...`` (an empty list: the token reads no org)."""
    index, equals, orgs = text.partition("=")
    try:
        if not equals or int(index) < 0:
            raise ValueError
        return int(index), tuple(int(org) for org in orgs.split(",") if org.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected TOKEN_INDEX=ORG[,ORG...], got {text!r}"
        ) from None


def _scopes(pairs: list[tuple[int, tuple[int, ...]]]) -> tuple[tuple[int, ...] | None, ...]:
    """``SimConfig.token_orgs`` from ``--token-orgs`` pairs (tokens not named read every org)."""
    scopes = dict(pairs)
    return tuple(scopes.get(i) for i in range(max(scopes, default=-1) + 1))


def _fault(text: str) -> object:
    try:
        return parse_fault(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _event(text: str) -> object:
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return Event.from_json(data)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``simulate`` flags."""
    parser.add_argument("--sites", type=int, default=200, help="number of sites (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="fleet seed (default 1)")
    parser.add_argument(
        "--orgs", type=int, default=1, help="number of orgs, --sites sites each (default 1)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="listen host (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"listen port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="added latency per call, +-20%% jitter"
    )
    parser.add_argument(
        "--tokens",
        type=_tokens,
        default=(DEMO_TOKEN,),
        help="comma-separated API tokens accepted (default: the documented demo token)",
    )
    parser.add_argument(
        "--token-orgs",
        action="append",
        type=_token_orgs,
        default=[],
        metavar="TOKEN_INDEX=ORG[,ORG...]",
        help="the org indexes the token at TOKEN_INDEX in --tokens may read (repeatable; "
        "default: every org), e.g. 1=0,2",
    )
    parser.add_argument(
        "--calls-per-hour",
        type=int,
        default=5000,
        help="budget per token per clock hour (all orgs)",
    )
    parser.add_argument(
        "--retry-after", action="store_true", help="send Retry-After on budget 429s"
    )
    parser.add_argument(
        "--spelling",
        choices=SPELLINGS,
        default="spec",
        help="metric names as in the OpenAPI spec or as the live API sends them",
    )
    parser.add_argument(
        "--fault",
        action="append",
        type=_fault,
        default=[],
        metavar="MODE[:ENDPOINT_GLOB[:RATE]]",
        help=f"inject a fault (repeatable); modes: {', '.join(FAULT_MODES)}",
    )
    parser.add_argument(
        "--event",
        action="append",
        type=_event,
        default=[],
        metavar="JSON",
        help="an event in force from the start, as POST /__sim/events takes it (repeatable); "
        f"kinds: {', '.join(EVENT_KINDS)}",
    )
    parser.add_argument(
        "--no-live",
        action="append",
        default=[],
        metavar="BEHAVIOUR",
        help="switch a live-cloud habit off (repeatable; 'all' for the tidy simulator): "
        f"{', '.join(BEHAVIOURS)}",
    )
    parser.add_argument(
        "--alarm-start",
        choices=ALARM_START_FIELDS,
        default="timestamp",
        help="the alarm field the alarm search's start filters on (default timestamp)",
    )
    parser.add_argument(
        "--alarms-per-site-hour",
        type=float,
        default=0.02,
        help="alarm volume (default 0.02; 0.5 gives 3,208 sites ~38,000 alarms a day)",
    )
    # Webhooks (exporter/simulator/webhooks.py): push the fleet's changes like Mist does.
    parser.add_argument(
        "--webhook-url",
        metavar="URL",
        help="deliver signed alarms and device-events webhooks to URL as the fleet changes "
        "(e.g. http://127.0.0.1:9842/webhooks/mist)",
    )
    parser.add_argument(
        "--webhook-secret", metavar="S", help="the webhook secret (MIST_WEBHOOK_SECRET)"
    )
    parser.add_argument(
        "--webhook-period", type=float, default=2.0, help="seconds between deliveries (default 2)"
    )
    parser.add_argument(
        "--webhook-redeliver", action="store_true", help="send every delivery twice"
    )
    parser.add_argument(
        "--webhook-forge", action="store_true", help="sign deliveries with a wrong secret"
    )
    # Replay (exporter/simulator/replay.py): serve a capture instead of a simulated fleet.
    parser.add_argument(
        "--replay",
        metavar="DIR",
        help="serve a capture made by `mist-wan-exporter capture` (uses --host, --port, "
        "--tokens and --calls-per-hour; the fleet options are ignored)",
    )


def config_from_args(args: argparse.Namespace) -> SimConfig:
    return SimConfig(
        sites=args.sites,
        seed=args.seed,
        tokens=tuple(args.tokens),
        orgs=args.orgs,
        token_orgs=_scopes(args.token_orgs),
        latency_ms=args.latency_ms,
        calls_per_hour=args.calls_per_hour,
        retry_after=args.retry_after,
        spelling=args.spelling,
        faults=tuple(args.fault),
        events=tuple(args.event),
        live=without(args.no_live),
        alarm_start=args.alarm_start,
        alarms_per_site_hour=args.alarms_per_site_hour,
    )


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
            announce([org.org_id for org in running.simulator.orgs], running.base_url)
            async with _webhooks(args, running):
                await stop.wait()

    return await until_signalled(  # a ValueError: an --event that does not fit the fleet
        serve_until, args.host, args.port, "simulate"
    )


def announce(org_ids: Sequence[str], base_url: str) -> None:
    """The lines a caller of ``simulate`` reads from stdout to find the server: an ``org_id``
    line per org (org 0 first), then ``base_url``."""
    for org_id in org_ids:
        print(f"org_id {org_id}", flush=True)
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
