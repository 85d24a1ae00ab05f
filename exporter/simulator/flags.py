"""The ``simulate`` flags and the :class:`SimConfig` they make."""

from __future__ import annotations

import argparse
import json

from exporter.config import DEMO_TOKEN
from exporter.simulator.config import FAULT_MODES, SPELLINGS, SimConfig, parse_fault
from exporter.simulator.events import EVENT_KINDS, Event
from exporter.simulator.live import ALARM_START_FIELDS, BEHAVIOURS, without

DEFAULT_PORT = 9843


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
