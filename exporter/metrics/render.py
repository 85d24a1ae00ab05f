"""The /metrics body: snapshot families rendered once per data change, self-metrics per scrape.

Each part of the snapshot (gateways, WAN ports, ...) is rendered with prometheus_client's
exposition generators only when its fields are new objects, in a worker thread so a big org does
not stall the event loop, and under one lock so concurrent scrapes never render twice. The gzip
of the data is cached as a compressor state; each scrape only compresses its self-metrics tail.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from prometheus_client import exposition
from prometheus_client.metrics_core import Metric
from prometheus_client.openmetrics import exposition as openmetrics

from exporter.metrics.requests import RequestRecorder
from exporter.metrics.self_families import self_families
from exporter.metrics.snapshot_families import PARTS, Part
from exporter.metrics.source import Source
from exporter.model import Snapshot

EOF = b"# EOF\n"
GZIP_LEVEL = 6
ALLOW_UTF8 = openmetrics.ALLOWUTF8
T = TypeVar("T")


class Format(Enum):
    TEXT = exposition.CONTENT_TYPE_PLAIN_0_0_4
    OPENMETRICS = openmetrics.CONTENT_TYPE_LATEST

    @property
    def content_type(self) -> str:
        return self.value


def negotiate(accept: str | None) -> Format:
    """OpenMetrics when the Accept header lists it (with a non-zero q), else text 0.0.4."""
    for item in (accept or "").split(","):
        media, *params = (p.strip() for p in item.split(";"))
        if media.lower() != "application/openmetrics-text":
            continue
        if any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params):
            continue
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


@dataclass(frozen=True, slots=True)
class _PartBytes:
    key: tuple[object, ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class _Gzipped:
    head: bytes
    compressor: zlib._Compress


@dataclass(frozen=True, slots=True)
class _Data:
    """The rendered parts of one snapshot, shared with the part cache (not copied)."""

    snapshot: Snapshot
    chunks: tuple[bytes, ...]
    gzipped: _Gzipped | None = None


def _same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _gzip_head(chunks: tuple[bytes, ...]) -> _Gzipped:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return _Gzipped(b"".join(compressor.compress(c) for c in chunks), compressor)


class MetricsRenderer:
    """Produces /metrics bodies from a :class:`Source`; ``renders`` counts data renders."""

    def __init__(
        self, source: Source, recorder: RequestRecorder, *, in_thread: bool = True
    ) -> None:
        self._source = source
        self._recorder = recorder
        self._in_thread = in_thread
        self._lock = asyncio.Lock()
        self._parts: dict[tuple[str, Format], _PartBytes] = {}
        self._data: dict[Format, _Data] = {}
        self.renders = 0
        self.part_renders = 0
        self.last_render_seconds: float | None = None

    async def body(self, fmt: Format, *, gzip: bool = False) -> tuple[bytes, ...]:
        """The /metrics body in ``fmt`` as chunks to write in order, gzip-compressed if ``gzip``.

        The data is brought up to date in a task of its own, shielded, so a scrape that is
        cancelled mid-render neither wastes the render nor lets a second one start beside it.
        """
        data = await asyncio.shield(asyncio.ensure_future(self._current(fmt, gzip)))
        tail = self._render_self(fmt)
        if data.gzipped is None or not gzip:
            return (*data.chunks, tail)
        compressor = data.gzipped.compressor.copy()
        return (data.gzipped.head, compressor.compress(tail) + compressor.flush())

    async def _current(self, fmt: Format, gzip: bool) -> _Data:
        async with self._lock:
            snapshot = self._source.snapshot
            data = self._data.get(fmt)
            if data is None or data.snapshot is not snapshot:
                data = await self._run(self._render_data, snapshot, fmt)
            if gzip and data.gzipped is None:
                gzipped = await self._run(_gzip_head, data.chunks)
                data = _Data(data.snapshot, data.chunks, gzipped)
            self._data[fmt] = data
            return data

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        if self._in_thread:
            return await asyncio.to_thread(fn, *args)
        return fn(*args)

    def _render_data(self, snapshot: Snapshot, fmt: Format) -> _Data:
        started = time.perf_counter()
        chunks = tuple(self._render_part(part, snapshot, fmt) for part in PARTS)
        self.renders += 1
        self.last_render_seconds = time.perf_counter() - started
        return _Data(snapshot, chunks)

    def _render_part(self, part: Part, snapshot: Snapshot, fmt: Format) -> bytes:
        key = part.key(snapshot)
        cached = self._parts.get((part.name, fmt))
        if cached is not None and _same(cached.key, key):
            return cached.body
        body = encode(part.build(snapshot), fmt)
        self.part_renders += 1
        self._parts[(part.name, fmt)] = _PartBytes(key, body)
        return body

    def _render_self(self, fmt: Format) -> bytes:
        metrics = self_families(
            self._source.status(),
            simulated=self._source.simulated,
            requests=self._recorder.counts(),
            render_seconds=self.last_render_seconds,
        )
        body = encode(metrics, fmt)
        return body + EOF if fmt is Format.OPENMETRICS else body
