"""Who an SLE episode hurt: ``impacted-applications``, ``impacted-clients``, the live-only
``impacted-peer-paths``, and the WAN fields they add to ``impact-summary``.

All follow :func:`~exporter.simulator.sle_api.attribution`: an application-health episode hurts
one to three of the site's applications, a WAN link episode the peer paths over the port it hit,
and the rest of the degradation is spread over all of them. Impacted clients are the site's
clients that suffered, about half an hour of degraded user-minutes each.
"""

from __future__ import annotations

import math
from typing import Any

from exporter.simulator import live
from exporter.simulator.api import Api
from exporter.simulator.dynamics import APPLICATION_HEALTH, WAN_LINK_HEALTH, Episode
from exporter.simulator.fleet import PathSpec, SiteSpec
from exporter.simulator.rand import hash64, tag
from exporter.simulator.replies import NOT_FOUND, ApiError, Call, Reply, window
from exporter.simulator.sle_api import (
    _impact_common,
    _site_and_metric,
    attribution,
    get_impact_summary,
)

APPLICATIONS = (
    "ZOOM",
    "MICROSOFT-TEAMS",
    "WEBEX",
    "OFFICE365",
    "SALESFORCE",
    "GOOGLE-WORKSPACE",
    "SLACK",
    "SERVICENOW",
    "SAP",
    "YOUTUBE",
    "DROPBOX",
    "WORKDAY",
)
CLIENT_MINUTES = 30.0  # degraded user-minutes of a typical impacted client
PAGE_LIMIT = 1000


def site_applications(site: SiteSpec) -> tuple[str, ...]:
    """The six to twelve applications the site uses."""
    return APPLICATIONS[: 6 + hash64(site.key, tag("apps")) % 7]


def site_paths(api: Api, site: SiteSpec) -> tuple[PathSpec, ...]:
    """The site's VPN peer paths, as the peer search names them."""
    return tuple(
        PathSpec(hash64(port.key, h), gw, port, h, hub)
        for gw in site.gateways
        for port in gw.wan_ports
        for h, hub in enumerate(api.fleet.hubs)
    )


def _applications(
    api: Api, site: SiteSpec, metric: str, span: tuple[float, float], classifier: str | None
) -> tuple[float, dict[str, float]]:
    apps = site_applications(site)

    def hit(_: Episode, hour: int) -> tuple[str, ...]:
        first = hash64(site.key, hour, tag("app-episode"))
        return tuple(apps[(first + i) % len(apps)] for i in range(1 + first % 3))

    return attribution(api, site, metric, span, classifier, apps, hit)


def _paths(
    api: Api, site: SiteSpec, metric: str, span: tuple[float, float], classifier: str | None
) -> tuple[float, dict[PathSpec, float]]:
    paths = site_paths(api, site)

    def hit(episode: Episode, _: int) -> tuple[PathSpec, ...]:
        port = site.gateways[episode.gateway].wan_ports[episode.port]
        return tuple(p for p in paths if p.port is port)

    return attribution(api, site, metric, span, classifier, paths, hit)


def _path_row(path: PathSpec, degraded: float, total: float) -> dict[str, Any]:
    return {
        "gateway_mac": path.gateway.mac,
        "port_id": path.port.port_id,
        "peer_mac": path.hub.mac,
        "peer_port_id": path.peer_port_id,
        "name": f"{path.port.port_id} {path.hub.name} {path.peer_port_id}",
        "degraded": round(degraded, 3),
        "duration": 0,
        "total": round(total, 3),
    }


def _clients(site: SiteSpec, degraded: float) -> list[dict[str, Any]]:
    """The impacted clients: degraded user-minutes shared by about 30 minutes each."""
    count = min(site.clients, math.ceil(degraded / CLIENT_MINUTES)) if degraded > 0 else 0
    return [
        {
            "mac": f"{hash64(site.key, i, tag('client')) % (1 << 48):012x}",
            "name": f"client-{i + 1}",
            "degraded": max(1, round(degraded / count)),
            "duration": 0,
            "total": max(1, round(degraded / count)),
        }
        for i in range(count)
    ]


def _page(call: Call, name: str, start: float, end: float, key: str, rows: list[Any]) -> Reply:
    return Reply(
        {
            **_impact_common(call, name, start, end),
            "limit": PAGE_LIMIT,
            "page": 1,
            "total_count": len(rows),
            key: rows[:PAGE_LIMIT],
        }
    )


def get_impacted_applications(api: Api, call: Call) -> Reply:
    site, name, metric = _site_and_metric(api, call)
    start, end = window(call)
    rows: list[dict[str, Any]] = []
    if metric == APPLICATION_HEALTH:
        total, by_app = _applications(api, site, metric, (start, end), call.query.get("classifier"))
        share = round(total / len(by_app))
        rows = [
            {"app": app, "name": app, "degraded": round(v), "duration": 0, "total": share}
            for app, v in by_app.items()
            if round(v) > 0
        ]
    return _page(call, name, start, end, "apps", rows)


def get_impacted_clients(api: Api, call: Call) -> Reply:
    site, name, metric = _site_and_metric(api, call)
    start, end = window(call)
    _, by_gateway = attribution(
        api, site, metric, (start, end), call.query.get("classifier"), (0,), lambda e, h: (0,)
    )
    return _page(call, name, start, end, "clients", _clients(site, by_gateway[0]))


def get_impacted_peer_paths(api: Api, call: Call) -> Reply:
    """Live only (in neither the spec nor mistapi): WAN link health (``-v2`` too) at a site
    whose paths are monitored; anything else is 404."""
    site, name, metric = _site_and_metric(api, call)
    if metric != WAN_LINK_HEALTH or live.no_monitored_paths(site.key):
        raise ApiError(404, NOT_FOUND)
    start, end = window(call)
    total, by_path = _paths(api, site, metric, (start, end), call.query.get("classifier"))
    share = total / max(1, len(by_path))
    rows = [_path_row(p, v, share) for p, v in by_path.items() if v > 0]
    return _page(call, name, start, end, "peer_paths", rows)


def get_wan_impact_summary(api: Api, call: Call) -> Reply:
    """``impact-summary`` with the WAN fields: peer paths, applications and clients."""
    reply = get_impact_summary(api, call)
    site, _, metric = _site_and_metric(api, call)
    start, end = window(call)
    span, classifier = (start, end), call.query.get("classifier")
    body: dict[str, Any] = reply.body
    body["client"] = [
        {**row, "client": row["mac"]} for row in get_impacted_clients(api, call).body["clients"]
    ]
    body["application"] = []
    body["peer_path"] = []
    if metric == APPLICATION_HEALTH:
        _, by_app = _applications(api, site, metric, span, classifier)
        body["application"] = [
            {"application": app, "name": app, "degraded": round(v, 3), "duration": 0, "total": 0}
            for app, v in by_app.items()
        ]
    elif metric == WAN_LINK_HEALTH:
        _, by_path = _paths(api, site, metric, span, classifier)
        body["peer_path"] = [_path_row(p, v, 0) for p, v in by_path.items()]
    return reply
