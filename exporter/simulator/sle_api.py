"""The site SLE deep-dive family under ``/sites/{site}/sle/site/{site}/``.

Live habits (``live.BEHAVIOURS``): ``trend_offset`` starts summary-trend buckets at the
window's own start (off the hour) and cuts the last one at its end; ``short_window_400``
refuses windows under an hour (summary-trend, histogram, impacted-interfaces) and the
impacted interfaces of gateway-health; ``missing_fields`` leaves ``samples`` out of classifiers
that saw no degradation and ``gateway_mac`` out of some impacted-gateway rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from exporter.simulator import live
from exporter.simulator.api import Api
from exporter.simulator.dynamics import (
    CLASSIFIERS,
    GATEWAY_HEALTH,
    HOUR,
    WAN_LINK_HEALTH,
    WAN_METRICS,
    Episode,
)
from exporter.simulator.fleet import SiteSpec
from exporter.simulator.insight_api import canonical
from exporter.simulator.rand import hash64, tag
from exporter.simulator.replies import NOT_FOUND, ApiError, Call, Reply, window

K = TypeVar("K")
_THRESHOLDS: dict[str, dict[str, Any]] = {
    GATEWAY_HEALTH: {
        "default": 80,
        "direction": "right",
        "minimum": 50,
        "maximum": 100,
        "units": "%",
    },
    WAN_LINK_HEALTH: {
        "default": 150,
        "direction": "right",
        "minimum": 50,
        "maximum": 500,
        "units": "ms",
    },
    "application-health": {
        "default": 100,
        "direction": "right",
        "minimum": 20,
        "maximum": 400,
        "units": "ms",
    },
}


@dataclass(frozen=True, slots=True)
class _Slice:
    """One hour bucket; the current hour counts only up to the end of the window."""

    total: float
    degraded: float
    classifiers: dict[str, float]
    hour: int


def _site_and_metric(api: Api, call: Call) -> tuple[SiteSpec, str, str]:
    site = api.site(call)
    if call.params.get("scope") != "site" or call.params.get("scope_id") != site.site_id:
        raise ApiError(404, NOT_FOUND)
    name = call.params.get("metric", "")
    metric = canonical(name)
    if metric is None or metric not in WAN_METRICS:
        raise ApiError(404, NOT_FOUND)
    return site, name, metric


def _slices(api: Api, site: SiteSpec, metric: str, start: float, end: float) -> list[_Slice]:
    """The clock hours from the one holding ``start``; the last is cut at ``end``."""
    slices = []
    for hour in range(int(start // HOUR), math.ceil(end / HOUR)):
        weight = (min(end, (hour + 1) * HOUR) - hour * HOUR) / HOUR
        if weight <= 0:
            continue
        bucket = api.world.sle_bucket(site.index, metric, hour)
        classifiers = {name: round(value * weight, 3) for name, value in bucket.classifiers}
        slices.append(
            _Slice(
                total=round(bucket.total * weight, 3),
                degraded=round(sum(classifiers.values()), 3),
                classifiers=classifiers,
                hour=hour,
            )
        )
    return slices


def _shifted(api: Api, site: SiteSpec, metric: str, start: float, end: float) -> list[_Slice]:
    """Hour-long buckets from ``start`` itself (off the hour), the last one cut at ``end``."""
    hourly = {s.hour: s for s in _slices(api, site, metric, start - HOUR, end + HOUR)}
    slices = []
    edge = start
    while edge < end:
        stop = min(end, edge + HOUR)
        total = degraded = 0.0
        classifiers: dict[str, float] = {}
        for hour in range(int(edge // HOUR), math.ceil(stop / HOUR)):
            piece = hourly[hour]
            share = (min(stop, (hour + 1) * HOUR) - max(edge, hour * HOUR)) / HOUR
            total += piece.total * share
            for name, value in piece.classifiers.items():
                classifiers[name] = classifiers.get(name, 0.0) + value * share
        classifiers = {name: round(value, 3) for name, value in classifiers.items()}
        degraded = round(sum(classifiers.values()), 3)
        slices.append(_Slice(round(total, 3), degraded, classifiers, int(edge // HOUR)))
        edge = stop
    return slices


def _bare(site_key: int, classifier: str) -> bool:
    """Whether a quiet classifier row leaves out its ``samples`` (a third of them do)."""
    return live.missing(hash64(site_key, tag(classifier)), "samples", 0.3)


def _refuse_short(api: Api, start: float, end: float) -> None:
    if api.does(live.SHORT_WINDOW_400) and end - start < live.SHORT_WINDOW:
        raise ApiError(400, "duration: the window must be at least 1h")


def get_metrics(api: Api, call: Call) -> Reply:
    site = api.site(call)
    if call.params.get("scope") != "site" or call.params.get("scope_id") != site.site_id:
        raise ApiError(404, NOT_FOUND)
    if api.live:
        enabled = ["gateway-health", "wan-link-health", "wan-link-health-v2", "application-health"]
    else:
        enabled = ["gateway-health", "wan-link-health", "application_health"]
    return Reply({"enabled": enabled, "supported": [*enabled, "gateway-bandwidth"]})


def get_summary_trend(api: Api, call: Call) -> Reply:
    site, name, metric = _site_and_metric(api, call)
    start, end = window(call)
    _refuse_short(api, start, end)
    offset = api.does(live.TREND_OFFSET)
    slices = (_shifted if offset else _slices)(api, site, metric, start, end)
    totals = [s.total for s in slices]
    degraded = [s.degraded for s in slices]
    classifiers: list[dict[str, Any]] = []
    for classifier in CLASSIFIERS[metric]:
        values = [s.classifiers.get(classifier, 0.0) for s in slices]
        entry: dict[str, Any] = {
            "name": classifier,
            "interval": HOUR,
            "x_label": "seconds",
            "y_label": "user-minutes",
            "samples": {"total": totals, "degraded": values, "duration": values},
        }
        quiet = not any(values)
        if quiet and api.does(live.MISSING_FIELDS) and _bare(site.key, classifier):
            del entry["samples"]
        classifiers.append(entry)
    return Reply(
        {
            "start": start if offset else (start // HOUR) * HOUR,
            "end": end,
            "sle": {
                "name": name,
                "interval": HOUR,
                "x_label": "seconds",
                "y_label": "user-minutes",
                "samples": {
                    "total": totals,
                    "degraded": degraded,
                    "value": [
                        round(1 - d / t, 4) if t > 0 else None
                        for t, d in zip(totals, degraded, strict=True)
                    ],
                },
            },
            "classifiers": classifiers,
        }
    )


def get_histogram(api: Api, call: Call) -> Reply:
    """User-minutes by the hourly SLE value in 10 % bins."""
    site, name, metric = _site_and_metric(api, call)
    start, end = window(call)
    _refuse_short(api, start, end)
    bins = [0.0] * 10
    for piece in _slices(api, site, metric, start, end):
        if piece.total > 0:
            value = 100 * (1 - piece.degraded / piece.total)
            bins[min(9, int(value // 10))] += piece.total
    return Reply(
        {
            "metric": name,
            "start": start,
            "end": end,
            "x_label": "sle_value(%)",
            "y_label": "user-minutes",
            "data": [
                {"range": [10 * i, 10 * (i + 1)], "value": round(value, 3)}
                for i, value in enumerate(bins)
            ],
        }
    )


def get_threshold(api: Api, call: Call) -> Reply:
    _, name, metric = _site_and_metric(api, call)
    settings = _THRESHOLDS[metric]
    return Reply({"metric": name, "threshold": str(settings["default"]), **settings})


def get_classifiers(api: Api, call: Call) -> Reply:
    _, _, metric = _site_and_metric(api, call)
    return Reply(list(CLASSIFIERS[metric]))


def attribution(
    api: Api,
    site: SiteSpec,
    metric: str,
    window: tuple[float, float],
    classifier: str | None,
    keys: Sequence[K],
    hit: Callable[[Episode, int], Sequence[K]],
) -> tuple[float, dict[K, float]]:
    """(total, degraded per key) over the window: an episode's share goes evenly to the keys
    ``hit(episode, hour)`` names, the rest of the degradation evenly to all ``keys``."""
    total = 0.0
    by_key = dict.fromkeys(keys, 0.0)
    for piece in _slices(api, site, metric, *window):
        total += piece.total
        episode = api.world.episode(site.index, piece.hour)
        for name, value in piece.classifiers.items():
            if classifier and name != classifier:
                continue
            share = 0.0
            if episode is not None and episode.metric == metric and episode.classifier == name:
                targets = hit(episode, piece.hour)
                share = min(value, piece.total * episode.severity) if targets else 0.0
                for key in targets:
                    by_key[key] += share / len(targets)
            for key in by_key:
                by_key[key] += (value - share) / len(by_key)
    return total, by_key


def _attribution(
    api: Api, site: SiteSpec, metric: str, start: float, end: float, classifier: str | None
) -> tuple[float, dict[int, float], dict[tuple[int, int], float]]:
    """(total, degraded per gateway, degraded per (gateway, WAN port)) over the window.

    An episode's share goes to the gateway and port it hit; the rest is spread evenly.
    """
    window = (start, end)
    gateways = range(len(site.gateways))
    total, by_gateway = attribution(
        api, site, metric, window, classifier, gateways, lambda e, _: (e.gateway,)
    )
    ports = [(g, p) for g, gw in enumerate(site.gateways) for p in range(len(gw.wan_ports))]
    _, by_port = attribution(
        api, site, metric, window, classifier, ports, lambda e, _: ((e.gateway, e.port),)
    )
    return total, by_gateway, by_port


def _impact_common(call: Call, name: str, start: float, end: float) -> dict[str, Any]:
    return {
        "start": int(start),
        "end": int(end),
        "metric": name,
        "classifier": call.query.get("classifier") or "",
        "failure": "",
    }


def get_impacted_gateways(api: Api, call: Call) -> Reply:
    site, name, metric = _site_and_metric(api, call)
    start, end = window(call)
    total, by_gateway, _ = _attribution(api, site, metric, start, end, call.query.get("classifier"))
    rows: list[dict[str, Any]] = [
        {
            "gateway_mac": gw.mac,
            "name": gw.name,
            "gateway_model": gw.model,
            "gateway_version": gw.version,
            "degraded": round(by_gateway[g], 3),
            "duration": int(total / len(site.gateways)),
            "total": int(total / len(site.gateways)),
        }
        for g, gw in enumerate(site.gateways)
        if by_gateway[g] > 0
    ]
    if api.does(live.MISSING_FIELDS):
        hit = [gw for g, gw in enumerate(site.gateways) if by_gateway[g] > 0]
        for gw, row in zip(hit, rows, strict=True):
            live.drop(row, gw.key, ("gateway_mac", "gateway_model", "gateway_version"))
    return Reply(
        {
            **_impact_common(call, name, start, end),
            "limit": 1000,
            "page": 1,
            "total_count": len(rows),
            "gateways": rows,
        }
    )


def get_impacted_interfaces(api: Api, call: Call) -> Reply:
    site, name, metric = _site_and_metric(api, call)
    start, end = window(call)
    _refuse_short(api, start, end)
    if api.does(live.SHORT_WINDOW_400) and metric == GATEWAY_HEALTH:
        raise ApiError(400, f"metric {name!r} has no impacted interfaces")
    rows: list[dict[str, Any]] = []
    if metric != GATEWAY_HEALTH:
        total, _, by_port = _attribution(
            api, site, metric, start, end, call.query.get("classifier")
        )
        share = total / max(1, len(by_port))
        mac_key, name_key = (
            ("gateway_mac", "gateway_name") if api.live else ("switch_mac", "switch_name")
        )
        for (g, p), value in by_port.items():
            if value <= 0:
                continue
            gateway = site.gateways[g]
            rows.append(
                {
                    "interface_name": gateway.wan_ports[p].port_id,
                    mac_key: gateway.mac,
                    name_key: gateway.name,
                    "degraded": round(value, 3),
                    "duration": round(share, 3),
                    "total": round(share, 3),
                }
            )
    return Reply(
        {
            **_impact_common(call, name, start, end),
            "limit": 1000,
            "page": 1,
            "total_count": len(rows),
            "interfaces": rows,
        }
    )


def get_impact_summary(api: Api, call: Call) -> Reply:
    site, name, metric = _site_and_metric(api, call)
    start, end = window(call)
    total, by_gateway, by_port = _attribution(
        api, site, metric, start, end, call.query.get("classifier")
    )
    gateways = [
        {
            "gateway_mac": gw.mac,
            "name": gw.name,
            "degraded": round(by_gateway[g], 3),
            "duration": 0,
            "total": round(total / len(site.gateways), 3),
        }
        for g, gw in enumerate(site.gateways)
    ]
    interfaces = [
        {
            "interface_name": site.gateways[g].wan_ports[p].port_id,
            "gateway_mac": site.gateways[g].mac,
            "name": site.gateways[g].wan_ports[p].port_id,
            "degraded": round(value, 3),
            "duration": 0,
            "total": round(total / len(by_port), 3),
        }
        for (g, p), value in by_port.items()
    ]
    return Reply(
        {
            **_impact_common(call, name, start, end),
            "start": start,
            "end": end,
            "ap": [],
            "wlan": [],
            "device_os": [],
            "device_type": [],
            "band": [],
            "gateway": gateways,
            "interface": interfaces if metric != GATEWAY_HEALTH else [],
        }
    )
