"""Org insights: per-site WAN SLE scores, worst sites by SLE, and the alarm search."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from exporter.simulator.alarms import SimAlarm
from exporter.simulator.api import Api
from exporter.simulator.dynamics import (
    APPLICATION_HEALTH,
    GATEWAY_HEALTH,
    HOUR,
    WAN_LINK_HEALTH,
)
from exporter.simulator.fleet import SiteSpec
from exporter.simulator.live import (
    MISSING_FIELDS,
    NO_PATHS_ZERO,
    WORST_SITES_REFUSAL,
    drop,
    no_monitored_paths,
)
from exporter.simulator.paging import body_page, decode_cursor, next_url, search_limit
from exporter.simulator.replies import ApiError, Call, Reply, integer, window

SLE_KINDS = ("wan", "wifi", "wired")
GATEWAY_BANDWIDTH = "gateway-bandwidth"
WAN_LINK_HEALTH_V2 = "wan-link-health-v2"
# What worst-sites-by-sle does not rank (live habit ``worst_sites_refusal``).
UNRANKED = frozenset({GATEWAY_BANDWIDTH, WAN_LINK_HEALTH_V2})
_SPEC_KEYS = {
    GATEWAY_HEALTH: GATEWAY_HEALTH,
    WAN_LINK_HEALTH: WAN_LINK_HEALTH,
    "application_health": APPLICATION_HEALTH,
}
_LIVE_KEYS = {
    GATEWAY_HEALTH: GATEWAY_HEALTH,
    WAN_LINK_HEALTH: WAN_LINK_HEALTH,
    APPLICATION_HEALTH: APPLICATION_HEALTH,
    WAN_LINK_HEALTH_V2: WAN_LINK_HEALTH,
    GATEWAY_BANDWIDTH: GATEWAY_BANDWIDTH,
}


def metric_keys(api: Api) -> dict[str, str]:
    """SLE key of a site row in the configured spelling -> the metric the world computes."""
    return _LIVE_KEYS if api.live else _SPEC_KEYS


def canonical(metric: str) -> str | None:
    """The world's metric behind a name in either spelling (None when not a WAN SLE)."""
    return _LIVE_KEYS.get(metric.replace("_", "-"))


def _interval(start: float, end: float) -> int:
    return HOUR if end - start <= 7 * 86400 else 86400


def _score(api: Api, site: SiteSpec, metric: str, start: float, end: float) -> float:
    if metric == GATEWAY_BANDWIDTH:
        return api.world.bandwidth_score(site.index, start, end)
    return api.world.sle_score(site.index, metric, start, end)


def site_scores(api: Api, site: SiteSpec, start: float, end: float) -> dict[str, float]:
    """A site's score per SLE key of the configured spelling over [start, end); with
    ``no_paths_zero``, ``wan-link-health-v2`` is 0 at a site without monitored paths."""
    scores = {
        key: _score(api, site, metric, start, end) for key, metric in metric_keys(api).items()
    }
    if WAN_LINK_HEALTH_V2 in scores and api.does(NO_PATHS_ZERO) and no_monitored_paths(site.key):
        scores[WAN_LINK_HEALTH_V2] = 0.0
    return scores


def _site_row(api: Api, site: SiteSpec, start: float, end: float) -> dict[str, Any]:
    clients = round(site.clients * (0.5 + 0.5 * math.sin(site.key % 7)), 0)
    row: dict[str, Any] = {
        "site_id": site.site_id,
        **site_scores(api, site, start, end),
        "num_gateways": len(site.gateways),
        "num_clients": max(0, int(clients)),
    }
    if api.does(MISSING_FIELDS):
        drop(row, site.key, ("num_gateways", "num_clients"))
    return row


def get_sites_sle(api: Api, call: Call) -> Reply:
    api.check_org(call)
    kind = call.query.get("sle") or "wan"
    if kind not in SLE_KINDS:
        raise ApiError(400, f"sle: invalid choice {kind!r}")
    start, end = window(call)
    sites = api.fleet.sites if kind == "wan" else ()
    page, limit, part = body_page(call, len(sites))
    return Reply(
        {
            "start": start,
            "end": end,
            "interval": _interval(start, end),
            "limit": limit,
            "page": page,
            "total": len(sites),
            "results": [_site_row(api, site, start, end) for site in sites[part]],
        }
    )


def get_worst_sites(api: Api, call: Call) -> Reply:
    """``insights/worst-sites-by-sle?sle=<metric>``: the lowest-scoring sites first."""
    api.check_org(call)
    wanted = call.query.get("sle") or "wan"
    if api.does(WORST_SITES_REFUSAL) and wanted.replace("_", "-") in UNRANKED:
        raise ApiError(400, f"sle: {wanted!r} is not ranked")
    keys = metric_keys(api)
    ranked = list(keys.values())
    if wanted != "wan":
        ranked = [m for k, m in keys.items() if k.replace("_", "-") == wanted.replace("_", "-")]
        if not ranked:
            raise ApiError(400, f"sle: unknown WAN SLE {wanted!r}")
    limit = integer(call.query, "limit", 100, low=1, high=1000)
    start, end = window(call)

    def badness(site: SiteSpec) -> tuple[float, str]:
        """Sites rank by the wanted score, or by their lowest score for ``sle=wan``."""
        return min(_score(api, site, m, start, end) for m in ranked), site.site_id

    worst = sorted(api.fleet.sites, key=badness)[:limit]
    rows = [_site_row(api, site, start, end) for site in worst]
    return Reply(
        {
            "start": int(start),
            "end": int(end),
            "interval": _interval(start, end),
            "limit": limit,
            "results": rows,
        }
    )


def _alarm_row(api: Api, alarm: SimAlarm) -> dict[str, Any]:
    site = api.fleet.sites[alarm.site_index]
    gateway = site.gateways[alarm.gateway_index]
    row: dict[str, Any] = {
        "id": alarm.alarm_id,
        "org_id": api.fleet.org_id,
        "site_id": site.site_id,
        "timestamp": alarm.timestamp,
        "last_seen": alarm.last_seen,
        "type": alarm.alarm_type,
        "group": alarm.group,
        "severity": alarm.severity,
        "count": alarm.count,
        "gateways": [gateway.mac],
        "hostnames": [gateway.name],
        "acked": False,
        "status": "open",
    }
    if api.live:
        row["incident_count"] = alarm.count
    if api.does(MISSING_FIELDS):
        key = alarm.gateway_index * 0x10001 + int(alarm.timestamp * 1000)
        drop(row, key, ("hostnames", "acked"))
    return row


def _alarm_filter(api: Api, call: Call) -> Callable[[SimAlarm], bool] | None:
    """The ``site_id``/``group``/``severity``/``type`` query filters (``type`` takes a list)."""
    query = call.query
    site_id, group, severity = (query.get(k) for k in ("site_id", "group", "severity"))
    types = set(query["type"].split(",")) if query.get("type") else None
    if not (site_id or group or severity or types):
        return None

    def keep(alarm: SimAlarm) -> bool:
        return (
            (not site_id or api.fleet.sites[alarm.site_index].site_id == site_id)
            and (not group or alarm.group == group)
            and (not severity or alarm.severity == severity)
            and (types is None or alarm.alarm_type in types)
        )

    return keep


def get_alarms(api: Api, call: Call) -> Reply:
    """Alarms of a window, sorted by (timestamp, id); only the page is rendered, so a window
    of tens of thousands of alarms pages fast."""
    api.check_org(call)
    start, end = window(call)
    end = min(end, call.now)
    descending = (call.query.get("sort") or "timestamp").startswith("-")
    alarms = api.world.alarms_between(start, end, call.now)
    keep = _alarm_filter(api, call)
    selected = [a for a in alarms if keep(a)] if keep else list(alarms)
    if descending:
        selected.reverse()
    total = len(selected)
    cursor = decode_cursor(call)
    if cursor is not None:
        if len(cursor) != 2:
            raise ApiError(400, "search_after: invalid cursor")
        mark = (cursor[0], cursor[1])
        if descending:
            selected = [a for a in selected if (a.timestamp, a.alarm_id) < mark]
        else:
            selected = [a for a in selected if (a.timestamp, a.alarm_id) > mark]
    limit = search_limit(call)
    body: dict[str, Any] = {
        "start": int(start),
        "end": math.ceil(end),
        "limit": limit,
        "total": total,
        "results": [_alarm_row(api, alarm) for alarm in selected[:limit]],
    }
    if len(selected) > limit:
        last = selected[limit - 1]
        fixed = {"start": repr(start), "end": repr(end)}
        body["next"] = next_url(call, [last.timestamp, last.alarm_id], fixed)
    return Reply(body)
