"""Command line: ``run`` (default), ``demo``, ``simulate``, ``check-config``, ``plan`` and
``capture``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence

from exporter import __version__
from exporter.config import DEFAULT_LISTEN, ConfigError, load_config, parse_listen_address, redacted

EXIT_CONFIG = 2
COMMANDS = ("run", "demo", "simulate", "check-config", "plan", "capture", "backfill")
log = logging.getLogger("exporter")


def _add_common(parser: argparse.ArgumentParser, *, listen: bool = True) -> None:
    parser.add_argument("--config", metavar="FILE", help="YAML config file (see README)")
    parser.add_argument(
        "--log.level",
        dest="log_level",
        choices=("debug", "info", "warning", "error"),
        help="log level (default: from config, else info)",
    )
    if listen:
        parser.add_argument(
            "--web.listen-address",
            dest="listen_address",
            metavar="HOST:PORT",
            help=f"where to serve /metrics and the status page (default {DEFAULT_LISTEN})",
        )
        parser.add_argument(
            "--web.config.file",
            dest="web_config_file",
            metavar="FILE",
            help="exporter-toolkit web config: TLS and basic auth",
        )


def build_parser() -> argparse.ArgumentParser:
    from exporter import simulator

    parser = argparse.ArgumentParser(
        prog="mist-wan-exporter",
        description="Prometheus exporter for Juniper Mist WAN: gateways, WAN circuits, VPN peer "
        "paths, SLEs and alarms, within Mist's 5,000 calls/hour/token budget.",
        epilog="Environment: MIST_APITOKEN (comma-separated tokens), MIST_ORG_ID, MIST_HOST "
        "(cloud host or base URL), REDIS_URL; *_FILE variants for secrets.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run the exporter (the default)")
    _add_common(run)
    demo = sub.add_parser(
        "demo", help="run the built-in simulator and the exporter against it, in one process"
    )
    _add_common(demo)
    demo.add_argument("--sites", type=int, default=200, help="simulated sites (default 200)")
    demo.add_argument("--orgs", type=int, default=1, help="simulated orgs (default 1)")
    demo.add_argument("--seed", type=int, default=1, help="simulator seed (default 1)")
    demo.add_argument(
        "--latency-ms", type=float, default=0.0, help="simulated API latency per call"
    )
    sim = sub.add_parser("simulate", help="serve the Mist API simulator alone")
    simulator.add_arguments(sim)
    check = sub.add_parser(
        "check-config", help="validate the config and print it with secrets redacted"
    )
    _add_common(check, listen=False)
    plan = sub.add_parser("plan", help="print the hourly API call plan for an org of N sites")
    _add_common(plan, listen=False)
    plan.add_argument("--sites", type=int, required=True, help="number of sites")
    plan.add_argument("--tokens", type=int, default=1, help="number of API tokens (default 1)")
    plan.add_argument(
        "--degraded", type=float, default=0.05, help="share of degraded sites (default 0.05)"
    )
    from exporter.capture import command as capture

    recorder = sub.add_parser(
        "capture",
        help="record one pass over every Mist endpoint the exporter calls into a directory "
        "(for `simulate --replay DIR` and bug reports)",
    )
    capture.add_arguments(recorder)
    from exporter.backfill import command as backfill

    history = sub.add_parser(
        "backfill",
        help="write the past days of mist_site_sle_ratio as OpenMetrics for "
        "`promtool tsdb create-blocks-from openmetrics`",
    )
    backfill.add_arguments(history)
    return parser


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _with_default_command(argv: Sequence[str]) -> list[str]:
    """``mist-wan-exporter --config x`` means ``mist-wan-exporter run --config x``."""
    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--version")):
        return list(argv)
    return ["run", *argv]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_with_default_command(sys.argv[1:] if argv is None else argv))
    command: str = args.command
    try:
        if command == "simulate":
            from exporter import simulator

            _setup_logging("info")
            return asyncio.run(simulator.run(args))
        if command == "capture":
            from exporter.capture import command as capture

            _setup_logging("warning")
            return capture.run(args)
        if command == "backfill":
            from exporter.backfill import command as backfill

            _setup_logging("warning")
            return backfill.run(args)
        if command == "check-config":
            config = load_config(args.config)
            print(json.dumps(redacted(config), indent=2, sort_keys=True))
            return 0
        if command == "plan":
            from exporter.collect.plan import print_plan

            config = load_config(args.config, require_tokens=False)
            return print_plan(config, sites=args.sites, tokens=args.tokens, degraded=args.degraded)
        from exporter.service import DemoOptions, RunOptions, run_demo, run_exporter

        if args.listen_address is not None:
            parse_listen_address(args.listen_address, "--web.listen-address")
        if command == "demo":
            config = load_config(args.config, require_tokens=False)
            _setup_logging(args.log_level or config.log_level)
            demo = DemoOptions(
                listen_address=args.listen_address,
                web_config_file=args.web_config_file,
                sites=args.sites,
                orgs=args.orgs,
                seed=args.seed,
                latency_ms=args.latency_ms,
            )
            return asyncio.run(run_demo(config, demo))
        config = load_config(args.config)
        _setup_logging(args.log_level or config.log_level)
        options = RunOptions(args.listen_address, args.web_config_file)
        return asyncio.run(run_exporter(config, options))
    except ConfigError as exc:
        print(f"mist-wan-exporter: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
