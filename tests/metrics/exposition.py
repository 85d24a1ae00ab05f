"""Render families the way /metrics does and read them back with prometheus_client's parsers."""

from __future__ import annotations

from prometheus_client.metrics_core import Metric
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from exporter.metrics.render import EOF, Format, encode
from exporter.metrics.self_families import self_families
from exporter.metrics.snapshot_families import snapshot_families
from exporter.model import ExporterStatus, Snapshot


def render(
    snapshot: Snapshot,
    status: ExporterStatus | None = None,
    fmt: Format = Format.TEXT,
    *,
    simulated: bool = False,
    requests: dict[tuple[str, int], int] | None = None,
    auth_failures: dict[int, int] | None = None,
) -> str:
    metrics = list(snapshot_families(snapshot))
    if status is not None:
        metrics += self_families(
            status,
            simulated=simulated,
            requests=requests or {},
            render_seconds=0.25,
            auth_failures={1: 2} if auth_failures is None else auth_failures,
        )
    body = encode(metrics, fmt) + (EOF if fmt is Format.OPENMETRICS else b"")
    return body.decode()


def parse(text: str, fmt: Format = Format.TEXT) -> dict[str, Metric]:
    parser = openmetrics_families if fmt is Format.OPENMETRICS else text_string_to_metric_families
    return {m.name: m for m in parser(text)}


def samples(families: dict[str, Metric], name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Samples named ``name`` (in any family) keyed by their sorted label items."""
    return {
        tuple(sorted(s.labels.items())): s.value
        for m in families.values()
        for s in m.samples
        if s.name == name
    }


def value(families: dict[str, Metric], name: str, **labels: str) -> float:
    matches = [
        v
        for key, v in samples(families, name).items()
        if all(dict(key).get(k) == want for k, want in labels.items())
    ]
    assert len(matches) == 1, f"{name}{labels}: {len(matches)} samples"
    return matches[0]
