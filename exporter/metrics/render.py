"""The /metrics body: snapshot families rendered once per data change, self-metrics per scrape.

Each part of the snapshot (gateways, WAN ports, ...) is rendered only when its fields are new
objects: its sample lines are written directly (:mod:`exporter.metrics.lines`), the same in
both formats, between HELP and TYPE lines written by prometheus_client's generators. Renders
run in a worker thread so a big org does not stall the event loop, and under one lock so
concurrent scrapes never render twice. Each part's gzip is cached beside its lines, per format,
as a deflate segment (:mod:`exporter.metrics.gzip_parts`), so a new snapshot recompresses only
the parts that changed and each scrape only compresses its self-metrics tail.
``keep_warm`` renders a new snapshot as soon as it is published, so scrapes rarely wait.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import TypeVar

from prometheus_client import exposition
from prometheus_client.metrics_core import Metric
from prometheus_client.openmetrics import exposition as openmetrics

from exporter.metrics.families import Family
from exporter.metrics.gzip_parts import Segment, joined, member, segment
from exporter.metrics.lines import LineBuilder
from exporter.metrics.requests import RequestRecorder
from exporter.metrics.self_families import self_families
from exporter.metrics.snapshot_families import PARTS, Part
from exporter.metrics.source import Source
from exporter.model import Snapshot

EOF = b"# EOF\n"
GZIP_PIECE = 1 << 20  # a part's cached gzip in pieces of about 1 MiB, not one copy of it
GZIP_LEVEL = 2  # 1/3 of level 6's CPU for 13 % more bytes (docs/performance.md)
ALLOW_UTF8 = openmetrics.ALLOWUTF8
log = logging.getLogger(__name__)
# One thread renders, so the memory one render frees is there for the next (the C allocator
# keeps an arena per thread: renders in turn on different threads would each grow one).
T = TypeVar("T")
_RENDERER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="metrics-render")
try:
    _malloc_trim: Callable[[int], int] | None = ctypes.CDLL(None).malloc_trim
except AttributeError:  # not glibc
    _malloc_trim = None


def _released(work: Callable[..., T], *args: object) -> T:
    """``work(*args)``, then the C allocator's free pages go back to the system (glibc keeps
    the hundreds of MiB a big org's render frees otherwise, to the next render's peak)."""
    try:
        return work(*args)
    finally:
        if _malloc_trim is not None:
            _malloc_trim(0)


async def _in_render_thread(work: Callable[..., T], *args: object) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_RENDERER, _released, work, *args)


class Format(Enum):
    TEXT = exposition.CONTENT_TYPE_PLAIN_0_0_4
    OPENMETRICS = openmetrics.CONTENT_TYPE_LATEST

    @property
    def content_type(self) -> str:
        return self.value


def accepted(header: str | None) -> Iterator[str]:
    """The lower-cased media types or codings of an Accept(-Encoding) header, except q=0 ones."""
    for item in (header or "").split(","):
        token, *params = (p.strip() for p in item.split(";"))
        q = next((p.partition("=")[2] for p in params if p.lower().startswith("q=")), "1")
        try:
            wanted = float(q) > 0
        except ValueError:
            wanted = False
        if token and wanted:
            yield token.lower()


def negotiate(accept: str | None) -> Format:
    """OpenMetrics when the Accept header lists it, else text 0.0.4."""
    if "application/openmetrics-text" in accepted(accept):
        return Format.OPENMETRICS
    return Format.TEXT


class _Families:
    """The minimal collector prometheus_client's generators iterate over."""

    def __init__(self, metrics: Iterable[Metric]) -> None:
        self._metrics = metrics

    def collect(self) -> Iterable[Metric]:
        return self._metrics


def encode(metrics: Iterable[Metric], fmt: Format) -> bytes:
    """Families in ``fmt``; OpenMetrics without its ``# EOF`` line, so bodies can be joined.

    Every name in the catalogue is a legacy Prometheus name, so OpenMetrics' "allow-utf-8"
    escaping writes the same bytes as the default while skipping prometheus_client's
    per-character scan of each sample's name.
    """
    if fmt is Format.TEXT:
        return exposition.generate_latest(_Families(metrics))
    body: bytes = openmetrics.generate_latest(  # type: ignore[no-untyped-call]
        _Families(metrics), escaping=ALLOW_UTF8
    )
    return body.removesuffix(EOF)


@cache
def header(name: str, fmt: Format) -> bytes:
    """The HELP and TYPE lines of catalogue family ``name`` in ``fmt``."""
    return encode([Family(name).metric], fmt)


FamilyLines = tuple[tuple[str, tuple[bytes, ...]], ...]


def part_lines(part: Part, snapshot: Snapshot) -> FamilyLines:
    """Each family of ``part`` with its sample lines, the same in both formats."""
    builder = LineBuilder()
    part.build(snapshot, builder)
    return tuple((f.name, tuple(f.samples())) for f in builder.families)


def family_chunks(families: FamilyLines, fmt: Format) -> Iterator[bytes]:
    """``families`` in ``fmt``: each one's header, then its sample lines."""
    for name, samples in families:
        yield header(name, fmt)
        yield from samples


def data_chunks(snapshot: Snapshot, fmt: Format) -> tuple[bytes, ...]:
    """Every data family of ``snapshot`` in ``fmt``, uncached; what a render writes."""
    return tuple(c for part in PARTS for c in family_chunks(part_lines(part, snapshot), fmt))


@dataclass(frozen=True, slots=True)
class _PartLines:
    key: tuple[object, ...]
    families: FamilyLines


@dataclass(frozen=True, slots=True)
class _Wanted:
    """When a format was last scraped, and whether any recent scrape of it asked for gzip."""

    at: float
    gzip: bool


@dataclass(frozen=True, slots=True)
class _Data:
    """The rendered parts of one snapshot, shared with the part cache (not copied)."""

    snapshot: Snapshot
    chunks: tuple[bytes, ...]
    gzipped: Segment | None = None


def _same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


class MetricsRenderer:
    """Produces /metrics bodies from a :class:`Source`; ``renders`` counts data renders,
    ``part_renders`` parts' lines made and ``part_compressions`` parts' gzip segments made."""

    def __init__(self, source: Source, recorder: RequestRecorder) -> None:
        self._source = source
        self._recorder = recorder
        self._lock = asyncio.Lock()
        self._wanted: dict[Format, _Wanted] = {}
        self._parts: dict[str, _PartLines] = {}
        self._segments: dict[tuple[str, Format], Segment] = {}
        self._data: dict[Format, _Data] = {}
        self.renders = 0
        self.part_renders = 0
        self.part_compressions = 0
        self.last_render_seconds: float | None = None

    async def body(self, fmt: Format, *, gzip: bool = False) -> tuple[bytes, ...]:
        """The /metrics body in ``fmt`` as chunks to write in order, gzip-compressed if ``gzip``.

        The data is brought up to date in a task of its own, shielded, so a scrape that is
        cancelled mid-render neither wastes the render nor lets a second one start beside it.
        """
        wanted = self._wanted.get(fmt)
        self._wanted[fmt] = _Wanted(time.monotonic(), gzip or (wanted is not None and wanted.gzip))
        data = await asyncio.shield(asyncio.ensure_future(self._current(fmt, gzip)))
        tail = self._render_self(fmt)
        if data.gzipped is None or not gzip:
            return (*data.chunks, tail)
        return member(data.gzipped, tail, GZIP_LEVEL)

    async def keep_warm(self, period: float = 1.0, idle: float = 600.0) -> None:
        """Forever: render each new snapshot ahead of the next scrape, in the formats (and
        gzip) scraped in the last ``idle`` seconds, checking every ``period`` seconds."""
        failed: Snapshot | None = None
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            snapshot = self._source.snapshot
            for fmt, wanted in list(self._wanted.items()):
                data = self._data.get(fmt)
                if now - wanted.at > idle or snapshot is failed:
                    continue
                if data is not None and data.snapshot is snapshot:
                    continue
                try:
                    await asyncio.shield(asyncio.ensure_future(self._current(fmt, wanted.gzip)))
                except Exception:
                    failed = snapshot
                    log.exception("rendering /metrics ahead of the next scrape failed")

    async def close(self) -> None:
        """Wait for a render in progress, so none outlives the event loop."""
        async with self._lock:
            pass

    async def _current(self, fmt: Format, gzip: bool) -> _Data:
        async with self._lock:
            snapshot = self._source.snapshot
            data = self._data.get(fmt)
            if data is None or data.snapshot is not snapshot:
                # The old body goes (scrapes writing it keep theirs) before the new one is made.
                self._data.pop(fmt, None)
                data = None
                data = await _in_render_thread(self._render_data, snapshot, fmt)
            if gzip and data.gzipped is None:
                gzipped = await _in_render_thread(self._gzip, data.snapshot, fmt)
                data = _Data(data.snapshot, data.chunks, gzipped)
            self._data[fmt] = data
            return data

    def _render_data(self, snapshot: Snapshot, fmt: Format) -> _Data:
        started = time.perf_counter()
        body = tuple(c for part in PARTS for c in family_chunks(self._part(part, snapshot), fmt))
        self.renders += 1
        self.last_render_seconds = time.perf_counter() - started
        return _Data(snapshot, body)

    def _part(self, part: Part, snapshot: Snapshot) -> FamilyLines:
        key = part.key(snapshot)
        cached = self._parts.get(part.name)
        if cached is not None and _same(cached.key, key):
            return cached.families
        del cached  # the old lines and their gzip go before the new ones are made
        self._parts.pop(part.name, None)
        for fmt in Format:
            self._segments.pop((part.name, fmt), None)
        families = part_lines(part, snapshot)
        self.part_renders += 1
        self._parts[part.name] = _PartLines(key, families)
        return families

    def _gzip(self, snapshot: Snapshot, fmt: Format) -> Segment:
        """The parts of ``snapshot`` in ``fmt`` as one deflate segment; only new parts are
        compressed."""
        return joined(self._segment(part, snapshot, fmt) for part in PARTS)

    def _segment(self, part: Part, snapshot: Snapshot, fmt: Format) -> Segment:
        families = self._part(part, snapshot)  # clears the part's segments if it is new
        cached = self._segments.get((part.name, fmt))
        if cached is not None:
            return cached
        made = segment(family_chunks(families, fmt), GZIP_LEVEL, GZIP_PIECE)
        self.part_compressions += 1
        self._segments[part.name, fmt] = made
        return made

    def _render_self(self, fmt: Format) -> bytes:
        metrics = self_families(
            self._source.status(),
            simulated=self._source.simulated,
            requests=self._recorder.counts(),
            render_seconds=self.last_render_seconds,
            auth_failures=self._recorder.auth_failures(),
        )
        body = encode(metrics, fmt)
        return body + EOF if fmt is Format.OPENMETRICS else body
