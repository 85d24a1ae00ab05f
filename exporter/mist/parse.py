"""The only module that knows Mist's JSON: decoded responses in, frozen model dataclasses out.

Every function takes what ``json.loads`` gave (the body, or the ``results`` rows of a paged
endpoint) and raises :class:`MistPayloadError` naming the endpoint template and the field for any
shape it cannot read, and nothing else. Optional fields Mist leaves out become ``None``; known
spelling variants are accepted; values are converted to base units (bytes, seconds, ratios).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from exporter.config import RegionRule
from exporter.mist import endpoints
from exporter.mist.errors import MistPayloadError
from exporter.model import (
    Alarm,
    Gateway,
    HistogramBucket,
    ImpactedGateway,
    ImpactedInterface,
    Org,
    PeerPath,
    Site,
    SleScore,
    SummaryTrend,
    TrendBucket,
    WanInterface,
    WanPort,
    WorstSite,
)

ORG = endpoints.ORG.template
SITEGROUPS = endpoints.SITEGROUPS.template
SITES = endpoints.SITES.template
DEVICE_STATS = endpoints.DEVICE_STATS.template
PORT_SEARCH = endpoints.PORT_SEARCH.template
PEER_SEARCH = endpoints.PEER_SEARCH.template
SITES_SLE = endpoints.SITES_SLE.template
WORST_SITES = endpoints.ORG_INSIGHT.template
ALARM_SEARCH = endpoints.ALARM_SEARCH.template
SLE_METRICS = endpoints.SLE_METRICS.template
SUMMARY_TREND = endpoints.SLE_SUMMARY_TREND.template
HISTOGRAM = endpoints.SLE_HISTOGRAM.template
THRESHOLD = endpoints.SLE_THRESHOLD.template
IMPACTED_GATEWAYS = endpoints.SLE_IMPACTED_GATEWAYS.template
IMPACTED_INTERFACES = endpoints.SLE_IMPACTED_INTERFACES.template

MBPS = 1e6 / 8
MS = 1e-3
PERCENT = 1e-2
MINUTE = 60.0  # Mist's user-minutes -> user-seconds
# Counts (user-minutes, samples) above this are not Mist's: a bound that keeps every sum finite.
MAX_COUNT = 1e15
WAN_PORT_USAGES = frozenset({"wan", "lte"})
# Keys of a sites-sle row that are never SLE scores (besides ``num_*`` counts).
_SLE_ROW_NON_METRICS = frozenset({"site_id", "timestamp", "start", "end", "interval"})


def sle_name(name: str) -> str:
    """The canonical spelling of an SLE metric or classifier name (hyphens, not underscores)."""
    return name.replace("_", "-")


def normalise_mac(mac: str) -> str:
    """``AA:BB:cc-dd.eeff`` -> ``aabbccddeeff``."""
    return mac.lower().replace(":", "").replace("-", "").replace(".", "")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


class _Fields:
    """One JSON object, read field by field; errors name the endpoint and the field's path."""

    __slots__ = ("data", "endpoint", "path")

    def __init__(self, endpoint: str, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise MistPayloadError(endpoint, f"{path}: expected an object, got {_kind(data)}")
        self.endpoint = endpoint
        self.data: dict[str, Any] = data
        self.path = path

    def error(self, key: str, message: str) -> MistPayloadError:
        return MistPayloadError(self.endpoint, f"{self.path}.{key}: {message}")

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, got {_kind(value)}")
        return value

    def opt_text(self, key: str, default: str = "") -> str:
        return default if self.data.get(key) is None else self.text(key)

    def number(self, key: str) -> float:
        return _finite(self.endpoint, f"{self.path}.{key}", self.data.get(key))

    def opt_number(self, key: str, scale: float = 1.0) -> float | None:
        """The value times ``scale`` (a unit conversion), or None when Mist left it out."""
        if self.data.get(key) is None:
            return None
        return _finite(self.endpoint, f"{self.path}.{key}", self.number(key) * scale)

    def count(self, key: str) -> float:
        """A non-negative count of user-minutes or samples, at most :data:`MAX_COUNT`."""
        return _count(self.endpoint, f"{self.path}.{key}", self.data.get(key))

    def integer(self, key: str) -> int:
        value = self.number(key)
        if not value.is_integer():
            raise self.error(key, "expected an integer")
        return int(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, f"expected a boolean, got {_kind(value)}")
        return value

    def child(self, key: str) -> _Fields:
        return _Fields(self.endpoint, self.data.get(key), f"{self.path}.{key}")

    def opt_child(self, key: str) -> _Fields | None:
        return None if self.data.get(key) is None else self.child(key)

    def items(self, key: str) -> list[Any]:
        return _array(self.endpoint, self.data.get(key), f"{self.path}.{key}")

    def strings(self, key: str) -> list[str]:
        values = self.items(key)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise self.error(f"{key}[{index}]", f"expected a string, got {_kind(value)}")
        return values

    def first_text(self, *keys: str) -> str:
        """The first of ``keys`` present (spelling variants), required."""
        for key in keys:
            if self.has(key):
                return self.text(key)
        raise self.error(keys[0], "missing")


def _finite(endpoint: str, path: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MistPayloadError(endpoint, f"{path}: expected a number, got {_kind(value)}")
    try:
        result = float(value)
    except OverflowError:
        raise MistPayloadError(endpoint, f"{path}: number out of range") from None
    if not math.isfinite(result):
        raise MistPayloadError(endpoint, f"{path}: expected a finite number, got {result}")
    return result


def _count(endpoint: str, path: str, value: Any) -> float:
    result = _finite(endpoint, path, value)
    if not 0.0 <= result <= MAX_COUNT:
        raise MistPayloadError(
            endpoint, f"{path}: expected a count in 0..{MAX_COUNT:g}, got {result}"
        )
    return result


def _array(endpoint: str, data: Any, path: str) -> list[Any]:
    if not isinstance(data, list):
        raise MistPayloadError(endpoint, f"{path}: expected an array, got {_kind(data)}")
    return data


def _rows(endpoint: str, rows: Any, path: str = "rows") -> Iterator[_Fields]:
    for index, row in enumerate(_array(endpoint, rows, path)):
        yield _Fields(endpoint, row, f"{path}[{index}]")


def parse_org(data: Any) -> Org:
    org = _Fields(ORG, data, "org")
    return Org(org_id=org.text("id"), name=org.opt_text("name"))


def parse_sitegroups(rows: Any) -> dict[str, str]:
    """``sitegroup_id -> name``."""
    return {row.text("id"): row.opt_text("name") for row in _rows(SITEGROUPS, rows)}


def parse_sites(rows: Any, sitegroups: Mapping[str, str], rule: RegionRule) -> tuple[Site, ...]:
    """Sites with their region: the first of their site groups named with the rule's prefix."""
    sites = []
    for row in _rows(SITES, rows):
        groups = row.strings("sitegroup_ids") if row.has("sitegroup_ids") else []
        sites.append(
            Site(
                site_id=row.text("id"),
                name=row.opt_text("name"),
                region=_region(groups, sitegroups, rule),
                country_code=row.opt_text("country_code"),
            )
        )
    return tuple(sites)


def _region(groups: list[str], names: Mapping[str, str], rule: RegionRule) -> str:
    for group_id in groups:
        name = names.get(group_id)
        if name is not None and name.startswith(rule.sitegroup_prefix):
            region = name[len(rule.sitegroup_prefix) :] if rule.strip_prefix else name
            if region:
                return region
    return rule.default


def parse_gateways(rows: Any) -> tuple[Gateway, ...]:
    """Gateway rows of ``stats/devices?type=gateway`` (rows of other device types are skipped)."""
    gateways = []
    for row in _rows(DEVICE_STATS, rows):
        if row.opt_text("type", "gateway") != "gateway":
            continue
        mac = normalise_mac(row.text("mac"))
        cpu = row.opt_child("cpu_stat")
        memory = row.opt_child("memory_stat")
        gateways.append(
            Gateway(
                site_id=row.opt_text("site_id"),
                mac=mac,
                name=row.opt_text("name") or row.opt_text("hostname"),
                model=row.opt_text("model"),
                version=row.opt_text("version"),
                up=row.opt_text("status") == "connected",
                uptime_seconds=row.opt_number("uptime"),
                cpu_ratio=_cpu_ratio(cpu) if cpu is not None else None,
                memory_ratio=memory.opt_number("usage", PERCENT) if memory is not None else None,
                wan_interfaces=_wan_interfaces(row),
            )
        )
    return tuple(gateways)


def _cpu_ratio(cpu: _Fields) -> float | None:
    if cpu.has("usage"):
        return cpu.number("usage") * PERCENT
    if cpu.has("idle"):
        return (100.0 - cpu.number("idle")) * PERCENT
    return None


def _wan_interfaces(row: _Fields) -> tuple[WanInterface, ...]:
    """WAN interfaces of ``if_stat`` (keyed ``ge-0/0/0.0``), one per port, in Mist's order."""
    if_stat = row.opt_child("if_stat")
    if if_stat is None:
        return ()
    found: dict[str, WanInterface] = {}
    for name in if_stat.data:
        entry = if_stat.child(name)
        if entry.opt_text("port_usage") not in WAN_PORT_USAGES:
            continue
        port_id = entry.opt_text("port_id") or name.split(".", 1)[0]
        if port_id not in found:
            found[port_id] = WanInterface(
                port_id=port_id,
                wan_name=entry.opt_text("wan_name"),
                wan_type=entry.opt_text("wan_type"),
            )
    return tuple(found.values())


def parse_wan_ports(rows: Any, gateways: Sequence[Gateway]) -> tuple[WanPort, ...]:
    """WAN (and LTE) rows of ``stats/ports/search``, named from the gateways' ``if_stat``.

    A row is a WAN port when its ``port_usage`` says so or its gateway lists it as a WAN
    interface; ``wan_name``/``wan_type`` come from the gateway, else from the row, else "".
    """
    known = {(gw.mac, wan.port_id): wan for gw in gateways for wan in gw.wan_interfaces}
    ports = []
    for row in _rows(PORT_SEARCH, rows):
        mac = normalise_mac(row.text("mac"))
        port_id = row.text("port_id")
        wan = known.get((mac, port_id))
        if wan is None and row.opt_text("port_usage") not in WAN_PORT_USAGES:
            continue
        last_flapped = row.opt_number("last_flapped")
        ports.append(
            WanPort(
                site_id=row.text("site_id"),
                gateway_mac=mac,
                port_id=port_id,
                wan_name=wan.wan_name if wan and wan.wan_name else row.opt_text("wan_name"),
                wan_type=wan.wan_type if wan and wan.wan_type else row.opt_text("wan_type"),
                up=row.flag("up"),
                speed_bytes_per_second=row.opt_number("speed", MBPS),
                receive_bytes=row.opt_number("rx_bytes"),
                transmit_bytes=row.opt_number("tx_bytes"),
                receive_rate_bytes_per_second=row.opt_number("rx_bps", 1 / 8),
                transmit_rate_bytes_per_second=row.opt_number("tx_bps", 1 / 8),
                latency_seconds=row.opt_number("latency", MS),
                jitter_seconds=row.opt_number("jitter", MS),
                loss_ratio=row.opt_number("loss", PERCENT),
                last_flap_timestamp=last_flapped or None,
            )
        )
    return tuple(ports)


def parse_peer_paths(rows: Any) -> tuple[PeerPath, ...]:
    """Rows of ``stats/vpn_peers/search``; quality fields Mist leaves out are None."""
    return tuple(
        PeerPath(
            site_id=row.opt_text("site_id"),
            gateway_mac=normalise_mac(row.text("mac")),
            port_id=row.text("port_id"),
            peer_mac=normalise_mac(row.text("peer_mac")),
            peer_port_id=row.text("peer_port_id"),
            up=row.flag("up"),
            active=row.flag("is_active"),
            latency_seconds=row.opt_number("latency", MS),
            jitter_seconds=row.opt_number("jitter", MS),
            loss_ratio=row.opt_number("loss", PERCENT),
            mos=row.opt_number("mos"),
        )
        for row in _rows(PEER_SEARCH, rows)
    )


def parse_sites_sle(rows: Any) -> tuple[SleScore, ...]:
    """Every numeric key of a ``sites-sle`` row except ``num_*`` counts is an SLE score.

    Both spellings of a name (``application_health``, ``application-health``) give one score.
    """
    scores: dict[tuple[str, str], SleScore] = {}
    for row in _rows(SITES_SLE, rows):
        site_id = row.text("site_id")
        for key, value in row.data.items():
            if key in _SLE_ROW_NON_METRICS or key.startswith("num_"):
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                score = SleScore(site_id=site_id, sle=sle_name(key), ratio=row.number(key))
                scores.setdefault((site_id, score.sle), score)
    return tuple(scores.values())


def parse_worst_sites(data: Any, sle: str) -> tuple[WorstSite, ...]:
    """Rows of ``insights/worst-sites-by-sle?sle=<sle>`` in Mist's order (worst first).

    Rows without a score for ``sle`` (under either spelling) are left out.
    """
    body = _Fields(WORST_SITES, data, "body")
    spellings = dict.fromkeys((sle, sle_name(sle), sle.replace("-", "_")))
    worst = []
    for row in _rows(WORST_SITES, body.data.get("results"), "body.results"):
        key = next((k for k in spellings if row.has(k)), None)
        if key is not None:
            worst.append(
                WorstSite(sle=sle_name(sle), site_id=row.text("site_id"), ratio=row.number(key))
            )
    return tuple(worst)


def parse_alarms(rows: Any) -> tuple[Alarm, ...]:
    """Rows of ``alarms/search``; org-level alarms have site_id ""."""
    alarms = []
    for row in _rows(ALARM_SEARCH, rows):
        count_key = "incident_count" if row.has("incident_count") else "count"
        alarms.append(
            Alarm(
                alarm_id=row.text("id"),
                site_id=row.opt_text("site_id"),
                group=row.text("group"),
                severity=row.text("severity"),
                alarm_type=row.text("type"),
                timestamp=row.number("timestamp"),
                incident_count=row.integer(count_key) if row.has(count_key) else 1,
            )
        )
    return tuple(alarms)


def parse_sle_metrics(data: Any) -> tuple[str, ...]:
    """Enabled metric names of a site's ``sle/.../metrics``, spelled as Mist spells them.

    The names go back into deep-dive URLs unchanged; use :func:`sle_name` for labels.
    """
    return tuple(_Fields(SLE_METRICS, data, "body").strings("enabled"))


def parse_summary_trend(data: Any) -> SummaryTrend:
    """Buckets at ``start + i * interval`` of user-seconds (Mist's user-minutes) in total and
    degraded.

    Classifier names are canonical (hyphens); a classifier without its own ``total`` samples
    shares the metric's totals. Null samples count as 0.
    """
    body = _Fields(SUMMARY_TREND, data, "body")
    start = body.number("start")
    buckets = _trend(body.child("sle"), start, None)
    totals = tuple(b.total for b in buckets)
    classifiers = []
    if body.has("classifiers"):
        for row in _rows(SUMMARY_TREND, body.data["classifiers"], "body.classifiers"):
            classifiers.append((sle_name(row.text("name")), _trend(row, start, totals)))
    return SummaryTrend(buckets=buckets, classifiers=tuple(classifiers))


def _trend(
    series: _Fields, start: float, totals: tuple[float, ...] | None
) -> tuple[TrendBucket, ...]:
    interval = series.number("interval")
    if interval <= 0:
        raise series.error("interval", "expected a positive number")
    samples = series.child("samples")
    degraded = _samples(samples, "degraded")
    total = _samples(samples, "total") if totals is None or samples.has("total") else totals
    if len(total) != len(degraded):
        raise samples.error("degraded", f"{len(degraded)} samples for {len(total)} totals")
    _finite(series.endpoint, f"{series.path}.interval", start + len(total) * interval)
    return tuple(
        TrendBucket(timestamp=start + i * interval, total=t, degraded=d)
        for i, (t, d) in enumerate(zip(total, degraded, strict=True))
    )


def _samples(samples: _Fields, key: str) -> tuple[float, ...]:
    path = f"{samples.path}.{key}"
    return tuple(
        0.0 if value is None else _count(samples.endpoint, f"{path}[{i}]", value) * MINUTE
        for i, value in enumerate(samples.items(key))
    )


def parse_histogram(data: Any) -> tuple[HistogramBucket, ...]:
    """Mist's ``range``/``value`` bins as cumulative buckets, ``le`` ascending, last ``+Inf``."""
    body = _Fields(HISTOGRAM, data, "body")
    bins: dict[float, float] = {}
    for row in _rows(HISTOGRAM, body.data.get("data"), "body.data"):
        upper = _upper_bound(row)
        count = row.count("value")
        bins[upper] = bins.get(upper, 0.0) + count
    bins.setdefault(math.inf, 0.0)
    buckets = []
    running = 0.0
    for upper in sorted(bins):
        running += bins[upper]
        buckets.append(HistogramBucket(le=upper, count=running))
    return tuple(buckets)


def _upper_bound(row: _Fields) -> float:
    """The bin's upper edge; an open upper edge (``null``) or a missing range is +Inf."""
    if not row.has("range"):
        return math.inf
    edges = row.items("range")
    if len(edges) != 2:
        raise row.error("range", f"expected [low, high], got {len(edges)} items")
    if edges[1] is None:
        return math.inf
    return _finite(row.endpoint, f"{row.path}.range[1]", edges[1])


def parse_threshold(data: Any) -> float | None:
    """The configured threshold (Mist sends it as a string), else the default, else None."""
    body = _Fields(THRESHOLD, data, "body")
    for key in ("threshold", "default"):
        value = body.data.get(key)
        if isinstance(value, str):
            if not value.strip():
                continue
            try:
                number = float(value)
            except ValueError:
                raise body.error(key, "expected a numeric string") from None
            return _finite(THRESHOLD, f"body.{key}", number)
        if value is not None:
            return body.number(key)
    return None


def parse_impacted_gateways(data: Any) -> tuple[ImpactedGateway, ...]:
    body = _Fields(IMPACTED_GATEWAYS, data, "body")
    if not body.has("gateways"):
        return ()
    return tuple(
        ImpactedGateway(
            gateway_mac=normalise_mac(row.text("gateway_mac")),
            degraded_seconds=row.count("degraded") * MINUTE,
        )
        for row in _rows(IMPACTED_GATEWAYS, body.data["gateways"], "body.gateways")
    )


def parse_impacted_interfaces(data: Any) -> tuple[ImpactedInterface, ...]:
    """Rows name their device ``gateway_mac`` (WAN) or ``switch_mac`` (as the spec has it)."""
    body = _Fields(IMPACTED_INTERFACES, data, "body")
    if not body.has("interfaces"):
        return ()
    return tuple(
        ImpactedInterface(
            gateway_mac=normalise_mac(row.first_text("gateway_mac", "switch_mac")),
            interface=row.text("interface_name"),
            degraded_seconds=row.count("degraded") * MINUTE,
        )
        for row in _rows(IMPACTED_INTERFACES, body.data["interfaces"], "body.interfaces")
    )
