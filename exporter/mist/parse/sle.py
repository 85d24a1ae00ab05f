"""SLEs: org-level scores (``insights/sites-sle``, ``worst-sites-by-sle``) and the site deep-dive
family (``metrics``, ``summary-trend``, ``histogram``, ``threshold``, ``impacted-*``).

Live semantics the spec leaves open: metric names come with ``_`` or ``-``;
``wan-link-health-v2 = 0`` means no monitored paths (no data, not an outage);
``impacted-interfaces`` answers ``interfaces`` (spec) or ``results`` (live application-health),
naming the device by ``gateway_mac``, ``switch_mac`` or a hostname and the interface with or
without its ``.0`` unit. Counts come in user-minutes and leave here in user-seconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from typing import Any

from exporter.mist import endpoints
from exporter.mist.parse.devices import port_of
from exporter.mist.parse.fields import (
    MINUTE,
    Fields,
    Skips,
    count,
    each_row,
    finite,
    newest,
    normalise_mac,
    sle_name,
)
from exporter.model import (
    HistogramBucket,
    ImpactedGateway,
    ImpactedInterface,
    SleScore,
    SummaryTrend,
    TrendBucket,
    WorstSite,
)

SITES_SLE = endpoints.SITES_SLE.template
WORST_SITES = endpoints.ORG_INSIGHT.template
SLE_METRICS = endpoints.SLE_METRICS.template
SUMMARY_TREND = endpoints.SLE_SUMMARY_TREND.template
HISTOGRAM = endpoints.SLE_HISTOGRAM.template
THRESHOLD = endpoints.SLE_THRESHOLD.template
IMPACTED_GATEWAYS = endpoints.SLE_IMPACTED_GATEWAYS.template
IMPACTED_INTERFACES = endpoints.SLE_IMPACTED_INTERFACES.template
WAN_LINK_HEALTH_V2 = "wan-link-health-v2"
# Keys of a sites-sle row that are never SLE scores (besides ``num_*`` counts).
_SLE_ROW_NON_METRICS = frozenset({"site_id", "timestamp", "start", "end", "interval"})
_DEVICE_NAME_KEYS = ("device_hostname", "gateway_name", "hostname", "switch_name", "name")


def parse_sites_sle(rows: Any, skips: Skips | None = None) -> tuple[SleScore, ...]:
    """Every numeric key of a ``sites-sle`` row except ``num_*`` counts is an SLE score.

    Both spellings of a name (``application_health``, ``application-health``) give one score;
    ``wan-link-health-v2`` of 0 is no data (counted as skipped, never published as an outage).
    """
    scores: dict[tuple[str, str], SleScore] = {}
    no_data = 0

    def read(row: Fields) -> list[SleScore]:
        # The whole row is read before any of it is kept: a row left out leaves nothing behind.
        site_id = row.text("site_id")
        found = []
        for key, value in row.data.items():
            if key in _SLE_ROW_NON_METRICS or key.startswith("num_"):
                continue
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue
            found.append(SleScore(site_id=site_id, sle=sle_name(key), ratio=row.number(key)))
        return found

    for found in each_row(SITES_SLE, rows, read, skips, walk=True):
        for score in found:
            if score.sle == WAN_LINK_HEALTH_V2 and score.ratio == 0:
                no_data += 1
                continue
            scores.setdefault((score.site_id, score.sle), score)
    if no_data and skips is not None:
        skips.skip(SITES_SLE, f"no data {WAN_LINK_HEALTH_V2}", no_data)
    return tuple(scores.values())


def parse_worst_sites(data: Any, sle: str, skips: Skips | None = None) -> tuple[WorstSite, ...]:
    """Rows of ``insights/worst-sites-by-sle?sle=<sle>`` in Mist's order (worst first).

    Rows without a score for ``sle`` (under either spelling) are left out.
    """
    body = Fields(WORST_SITES, data, "body")
    spellings = dict.fromkeys((sle, sle_name(sle), sle.replace("-", "_")))

    def read(row: Fields) -> WorstSite | None:
        key = next((k for k in spellings if row.has(k)), None)
        if key is None:
            return None
        return WorstSite(sle=sle_name(sle), site_id=row.text("site_id"), ratio=row.number(key))

    return tuple(each_row(WORST_SITES, body.data.get("results"), read, skips, "body.results"))


def parse_sle_metrics(data: Any) -> tuple[str, ...]:
    """Enabled metric names of a site's ``sle/.../metrics``, spelled as Mist spells them.

    The names go back into deep-dive URLs unchanged; use :func:`sle_name` for labels.
    """
    return tuple(Fields(SLE_METRICS, data, "body").strings("enabled"))


def parse_summary_trend(data: Any, skips: Skips | None = None) -> SummaryTrend:
    """Buckets at Mist's ``start + i * interval`` of user-seconds in total and degraded.

    ``start`` need not be on the hour and the last bucket may be partial: the trend keeps
    Mist's ``start`` so a later fetch from the same start replaces buckets instead of adding
    to them. Classifier names are canonical (hyphens); a classifier without its own ``total``
    samples shares the metric's; one without ``samples`` is left out (counted). Null samples
    count as 0.
    """
    body = Fields(SUMMARY_TREND, data, "body")
    start = body.number("start")
    buckets = _trend(body.child("sle"), start, None)
    totals = tuple(b.total for b in buckets)
    classifiers: list[tuple[str, tuple[TrendBucket, ...]]] = []
    if body.has("classifiers"):
        classifiers = each_row(
            SUMMARY_TREND,
            body.data["classifiers"],
            lambda row: (sle_name(row.text("name")), _trend(row, start, totals)),
            skips,
            "body.classifiers",
        )
    return SummaryTrend(buckets=buckets, classifiers=tuple(classifiers))


def _trend(
    series: Fields, start: float, totals: tuple[float, ...] | None
) -> tuple[TrendBucket, ...]:
    interval = series.number("interval")
    if interval <= 0:
        raise series.error("interval", "expected a positive number")
    samples = series.child("samples")
    degraded = _samples(samples, "degraded")
    total = _samples(samples, "total") if totals is None or samples.has("total") else totals
    if len(total) != len(degraded):
        raise samples.error("degraded", f"{len(degraded)} samples for {len(total)} totals")
    finite(series.endpoint, f"{series.path}.interval", start + len(total) * interval)
    return tuple(
        TrendBucket(timestamp=start + i * interval, total=t, degraded=d)
        for i, (t, d) in enumerate(zip(total, degraded, strict=True))
    )


def _samples(samples: Fields, key: str) -> tuple[float, ...]:
    path = f"{samples.path}.{key}"
    return tuple(
        0.0 if value is None else count(samples.endpoint, f"{path}[{i}]", value) * MINUTE
        for i, value in enumerate(samples.items(key))
    )


def parse_histogram(data: Any, skips: Skips | None = None) -> tuple[HistogramBucket, ...]:
    """Mist's ``range``/``value`` bins as cumulative buckets, ``le`` ascending, last ``+Inf``."""
    body = Fields(HISTOGRAM, data, "body")
    bins: dict[float, float] = {}
    rows = each_row(
        HISTOGRAM, body.data.get("data"), lambda r: (_upper_bound(r), r.count("value")), skips
    )
    for upper, value in rows:
        bins[upper] = bins.get(upper, 0.0) + value
    bins.setdefault(math.inf, 0.0)
    buckets = []
    running = 0.0
    for upper in sorted(bins):
        running += bins[upper]
        buckets.append(HistogramBucket(le=upper, count=running))
    return tuple(buckets)


def _upper_bound(row: Fields) -> float:
    """The bin's upper edge; an open upper edge (``null``) or a missing range is +Inf."""
    if not row.has("range"):
        return math.inf
    edges = row.items("range")
    if len(edges) != 2:
        raise row.error("range", f"expected [low, high], got {len(edges)} items")
    if edges[1] is None:
        return math.inf
    return finite(row.endpoint, f"{row.path}.range[1]", edges[1])


def parse_threshold(data: Any) -> float | None:
    """The configured threshold (a number or a numeric string), else the default, else None."""
    body = Fields(THRESHOLD, data, "body")
    for key in ("threshold", "default"):
        value = body.data.get(key)
        if isinstance(value, str) and not value.strip():
            continue
        number = body.opt_number(key)
        if number is not None:
            return number
    return None


def parse_impacted_gateways(data: Any, skips: Skips | None = None) -> tuple[ImpactedGateway, ...]:
    """Rows of ``impacted-gateways``; a row without ``gateway_mac`` is left out (counted)."""
    body = Fields(IMPACTED_GATEWAYS, data, "body")
    if not body.has("gateways"):
        return ()
    rows = each_row(IMPACTED_GATEWAYS, body.data["gateways"], gateway_row, skips, "body.gateways")
    return newest(IMPACTED_GATEWAYS, rows, skips)


def gateway_row(row: Fields) -> tuple[str, float, ImpactedGateway]:
    """An impacted-gateway row, keyed for :func:`newest`."""
    gateway = ImpactedGateway(
        gateway_mac=normalise_mac(row.text("gateway_mac")),
        degraded_seconds=row.count("degraded") * MINUTE,
    )
    return gateway.gateway_mac, 0.0, gateway


def parse_impacted_interfaces(
    data: Any, hostnames: Mapping[str, str] | None = None, skips: Skips | None = None
) -> tuple[ImpactedInterface, ...]:
    """Rows of ``interfaces`` (spec) or ``results`` (live), their device named by
    ``gateway_mac``, ``switch_mac`` or a hostname (``hostnames``: name -> gateway MAC), the
    interface by port (``ge-0/0/0.0`` -> ``ge-0/0/0``, as the port metrics name it)."""
    body = Fields(IMPACTED_INTERFACES, data, "body")
    key = next((k for k in ("interfaces", "results") if body.has(k)), None)
    if key is None:
        if skips is not None and any(isinstance(v, list) and v for v in body.data.values()):
            skips.skip(IMPACTED_INTERFACES, "unknown shape")
        return ()
    read = partial(interface_row, hostnames=hostnames or {})
    # Units of one port (ge-0/0/0.0, ge-0/0/0.100) name the same series: one row per port.
    rows = each_row(IMPACTED_INTERFACES, body.data[key], read, skips, f"body.{key}")
    return newest(IMPACTED_INTERFACES, rows, skips)


def interface_row(
    row: Fields, hostnames: Mapping[str, str]
) -> tuple[tuple[str, str], float, ImpactedInterface]:
    """An impacted-interface row (device by MAC or hostname, port without unit), keyed."""
    mac = next((row.text(k) for k in ("gateway_mac", "switch_mac") if row.has(k)), None)
    if mac is None:
        host = next((row.text(k) for k in _DEVICE_NAME_KEYS if row.has(k)), None)
        mac = hostnames.get(host) if host is not None else None
    if mac is None:
        raise row.error("gateway_mac", "no gateway_mac, switch_mac or known hostname")
    interface = row.first_text("interface_name", "interface")
    impacted = ImpactedInterface(
        gateway_mac=normalise_mac(mac),
        interface=port_of(interface),
        degraded_seconds=row.count("degraded") * MINUTE,
    )
    return (impacted.gateway_mac, impacted.interface), 0.0, impacted
