"""``mist-wan-exporter capture``: record one pass over the Mist API into a directory."""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from exporter.capture.anonymize import Anonymizer
from exporter.capture.manifest import Entry, Manifest
from exporter.capture.walk import Recorded, Walk
from exporter.clock import Clock, SystemClock
from exporter.config import Config, ConfigError, load_config
from exporter.mist.client import MistClient
from exporter.mist.errors import MistError
from exporter.model import RequestEvent

DEFAULT_SITES = 3
REDACTED = "***"


@dataclass(frozen=True, slots=True)
class Summary:
    files: int
    calls: int
    refused: int

    def line(self, out: Path, anonymized: bool) -> str:
        how = "anonymized" if anonymized else "NOT anonymized"
        return (
            f"capture: {self.files} files, {self.calls} calls made, {self.refused} refused, "
            f"{how}, in {out}"
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``capture`` flags."""
    parser.add_argument("--config", metavar="FILE", help="YAML config file (see README)")
    parser.add_argument("--out", metavar="DIR", required=True, help="new or empty directory")
    parser.add_argument(
        "--anonymize",
        action="store_true",
        help="replace names, MACs, IDs and IPs consistently across all files",
    )
    parser.add_argument(
        "--salt",
        help="anonymisation key (default: random, never written); the same salt gives the "
        "same replacements",
    )
    parser.add_argument(
        "--sites",
        type=int,
        default=DEFAULT_SITES,
        help=f"deep-dive the N sites worst by SLE (default {DEFAULT_SITES})",
    )


async def capture(
    config: Config,
    out: Path,
    *,
    anonymize: bool,
    salt: str | None = None,
    sites: int = DEFAULT_SITES,
    clock: Clock | None = None,
) -> Summary:
    """Walk every endpoint the exporter calls and write each page and a manifest into ``out``."""
    clock = clock or SystemClock()
    calls = 0

    def count(event: RequestEvent) -> None:
        nonlocal calls
        calls += 1 + event.retries

    async with MistClient(config.mist, clock=clock, observers=[count]) as client:
        org_id = config.mist.one_org("capture") or await client.discover_org()
        walk = Walk(client, config, org_id, clock.time())
        await walk.run(sites)
    anonymizer = Anonymizer(salt or secrets.token_hex(16)) if anonymize else None
    tokens = config.mist.tokens
    return await asyncio.to_thread(
        write, out, org_id, clock.time(), walk.recorded, tokens, anonymizer, calls
    )


def write(
    out: Path,
    org_id: str,
    captured_at: float,
    recorded: Sequence[Recorded],
    tokens: Sequence[str],
    anonymizer: Anonymizer | None,
    calls: int,
) -> Summary:
    """Write each answer's JSON and the manifest; tokens redacted, anonymised if asked."""
    if anonymizer is not None:
        for answer in recorded:
            anonymizer.learn(answer.body)

    def clean(text: str) -> str:
        for token in tokens:
            text = text.replace(token, REDACTED)
        return anonymizer.text(text) if anonymizer is not None else text

    out.mkdir(parents=True, exist_ok=True)
    entries: list[Entry] = []
    for number, answer in enumerate(recorded, 1):
        name = None
        if answer.body is not None:
            body = anonymizer.value(answer.body) if anonymizer is not None else answer.body
            name = f"{number:04d}-{answer.endpoint.name}.json"
            text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
            for token in tokens:
                text = text.replace(token, REDACTED)
            (out / name).write_text(text + "\n", encoding="utf-8")
        entries.append(
            Entry(
                endpoint=answer.endpoint.template,
                name=answer.endpoint.name,
                path=clean(answer.path),
                query={k: clean(v) for k, v in answer.query.items()},
                status=answer.status,
                file=name,
                headers=dict(answer.headers),
            )
        )
    anonymized = anonymizer is not None
    Manifest(clean(org_id), round(captured_at, 3), anonymized, tuple(entries)).write(out)
    files = sum(1 for e in entries if e.file is not None)
    return Summary(files=files, calls=calls, refused=len(entries) - files)


def run(args: argparse.Namespace) -> int:
    """The command: exit 0 on success, 1 when Mist fails us, 2 on a usage or config error."""
    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        print(f"capture: {out} exists and is not an empty directory", file=sys.stderr)
        return 2
    if args.sites < 0:
        print("capture: --sites must not be negative", file=sys.stderr)
        return 2
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"mist-wan-exporter: {exc}", file=sys.stderr)
        return 2
    try:
        summary = asyncio.run(
            capture(config, out, anonymize=args.anonymize, salt=args.salt, sites=args.sites)
        )
    except MistError as exc:
        print(f"capture: {exc}", file=sys.stderr)
        return 1
    print(summary.line(out, args.anonymize))
    return 0
