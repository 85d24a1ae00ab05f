"""Port and VPN peer search walks (``stats/ports/search``, ``stats/vpn_peers/search``).

With the live habits (``live.BEHAVIOURS``): a row that changes during a walk is sent in its
older state and again, current, on the next page (``page_repeats``); some paths are sent twice,
first without quality (``duplicate_paths``); optional fields are missing on some rows
(``missing_fields``); ports of an offline gateway keep their last status (``offline_ports_up``);
paths of offline and decommissioned gateways come with the ``last_seen`` of their last status,
up to a day old, unless the window asked for is shorter (``stale_paths``); HA clusters name
each port's ``node`` (``ha_nodes``). The cursor carries the walk's start time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from exporter.simulator import live
from exporter.simulator.api import Api
from exporter.simulator.dynamics import PathState
from exporter.simulator.fleet import GatewaySpec, PathSpec, PortSpec
from exporter.simulator.ghosts import Ghost, ghosts
from exporter.simulator.paging import decode_cursor, next_url, search_limit
from exporter.simulator.replies import ApiError, Call, Reply, window

_R = TypeVar("_R")
_PORT_OPTIONAL = ("speed", "port_mac", "full_duplex", "last_flapped", "lte_imsi", "lte_iccid")
_PEER_OPTIONAL = ("uptime", "mtu", "router_name", "peer_router_name", "peer_site_id", "type")
_QUALITY = ("latency", "jitter", "loss", "mos")


def _search(
    call: Call, total: int, rows: list[dict[str, Any]], cursor: list[float] | None
) -> Reply:
    start, end = window(call)
    body: dict[str, Any] = {
        "start": int(start),
        "end": int(end),
        "limit": search_limit(call),
        "total": total,
        "results": rows,
    }
    if cursor is not None:
        body["next"] = next_url(call, cursor, {"start": str(int(start)), "end": str(int(end))})
    return Reply(body)


def _position(call: Call) -> tuple[int, float]:
    """(offset, the time the walk started) from the cursor; a first page starts a walk now."""
    cursor = decode_cursor(call)
    if cursor is None:
        return 0, call.now
    offset = cursor[0] if cursor else None
    walk = cursor[1] if len(cursor) == 2 else call.now
    if (
        len(cursor) not in (1, 2)
        or not isinstance(offset, int)
        or offset < 0
        or not isinstance(walk, int | float)
    ):
        raise ApiError(400, "search_after: invalid cursor")
    return offset, float(walk)


def _filtered(
    call: Call,
    rows: Sequence[_R],
    gateway: Callable[[_R], GatewaySpec],
    port: Callable[[_R], PortSpec],
) -> Sequence[_R]:
    """Rows matching the ``site_id``/``mac``/``port_id`` query filters."""
    site_id, mac, port_id = (call.query.get(k) for k in ("site_id", "mac", "port_id"))
    if not (site_id or mac or port_id):
        return rows
    return [
        row
        for row in rows
        if (not site_id or gateway(row).site_id == site_id)
        and (not mac or gateway(row).mac == mac)
        and (not port_id or port(row).port_id == port_id)
    ]


def _walk(
    call: Call,
    rows: Sequence[_R],
    render: Callable[[_R, bool], dict[str, Any] | list[dict[str, Any]]],
    key: Callable[[_R], int | None],
    repeats: bool,
) -> Reply:
    """One page of ``rows``: with ``repeats``, a row changing mid-walk (``key`` not None and
    drawn) is rendered older (``render(row, True)``) and again, current, on the next page."""
    offset, walk = _position(call)
    limit = search_limit(call)
    more = offset + limit < len(rows)

    def changes(row: _R) -> bool:
        row_key = key(row)
        return repeats and row_key is not None and live.repeated(row_key, walk)

    body: list[dict[str, Any]] = []
    for row in rows[offset : offset + limit]:
        rendered = render(row, more and changes(row))
        body.extend(rendered if isinstance(rendered, list) else [rendered])
    if offset > 0:
        for row in rows[max(0, offset - limit) : offset]:
            if changes(row):
                again = render(row, False)
                body.extend(again if isinstance(again, list) else [again])
    return _search(call, len(rows), body, [offset + limit, walk] if more else None)


def port_row(api: Api, gateway: GatewaySpec, port: PortSpec, now: float) -> dict[str, Any]:
    """A port search row as the port is at ``now`` (no habits applied)."""
    state = api.world.port_state(gateway, port, now)
    row: dict[str, Any] = {
        "mac": gateway.mac,
        "port_id": port.port_id,
        "port_mac": port.port_mac,
        "site_id": gateway.site_id,
        "org_id": api.fleet.org_id,
        "type": "gateway",
        "port_usage": port.usage,
        "up": state.up,
        "active": state.up,
        "disabled": False,
        "full_duplex": True,
        "speed": port.speed_mbps,
        "rx_bytes": state.rx_bytes,
        "tx_bytes": state.tx_bytes,
        "rx_pkts": state.rx_bytes // 700,
        "tx_pkts": state.tx_bytes // 700,
        "rx_bps": state.rx_bps,
        "tx_bps": state.tx_bps,
        "rx_errors": 0,
        "tx_errors": 0,
        "last_flapped": state.last_flapped,
        "for_site": True,
    }
    if port.is_wan:
        row["latency"] = state.latency
        row["jitter"] = state.jitter
        row["loss"] = state.loss
    if port.transport == "lte":
        row["lte_imsi"] = f"20801{port.key % 10**10:010d}"
        row["lte_iccid"] = f"8933{port.key % 10**15:015d}"
        row["lte_imei"] = f"35{port.key % 10**13:013d}"
    return row


def _flipped(row: dict[str, Any], up: bool) -> dict[str, Any]:
    """The row before its change to ``not up`` (no traffic while down)."""
    row["up"] = row["active"] = up
    if not up:
        row["rx_bps"] = row["tx_bps"] = 0
    return row


def get_ports(api: Api, call: Call) -> Reply:
    api.check_org(call)
    kind = call.query.get("device_type") or "gateway"
    ports = api.fleet.ports if kind in ("gateway", "all") else ()
    rows = _filtered(call, ports, lambda row: row[0], lambda row: row[1])
    now = call.now
    offline: dict[int, float | None] = {}

    def gone(gateway: GatewaySpec) -> float | None:
        if gateway.index not in offline:
            offline[gateway.index] = api.world.disconnected_since(gateway, now)
        return offline[gateway.index]

    def render(item: tuple[GatewaySpec, PortSpec], older: bool) -> dict[str, Any]:
        gateway, port = item
        since = gone(gateway)
        if since is not None and api.does(live.OFFLINE_PORTS_UP):
            row = port_row(api, gateway, port, since - 1)  # the last status before
        elif since is not None:
            row = port_row(api, gateway, port, now)
            row["up"] = row["active"] = False
            row["rx_bps"] = row["tx_bps"] = 0
        elif older:
            before = not api.world.port_state(gateway, port, now).up
            row = _flipped(port_row(api, gateway, port, now - live.REPEAT_AGE), before)
        else:
            row = port_row(api, gateway, port, now)
        if gateway.ha and api.does(live.HA_NODES):
            row["node"] = f"node{port.node}"
        if api.does(live.MISSING_FIELDS):
            live.drop(row, port.key, _PORT_OPTIONAL)
        return row

    def key(item: tuple[GatewaySpec, PortSpec]) -> int | None:
        """Rows of offline gateways do not change: they keep their last status."""
        return None if gone(item[0]) is not None else item[1].key

    return _walk(call, rows, render, key, api.does(live.PAGE_REPEATS))


def _path_row(api: Api, path: PathSpec, state: PathState, last_seen: float) -> dict[str, Any]:
    gateway, port, hub = path.gateway, path.port, path.hub
    row: dict[str, Any] = {
        "org_id": api.fleet.org_id,
        "site_id": gateway.site_id,
        "mac": gateway.mac,
        "port_id": port.port_id,
        "router_name": gateway.name,
        "peer_site_id": hub.site_id,
        "peer_mac": hub.mac,
        "peer_port_id": path.peer_port_id,
        "peer_router_name": hub.name,
        "type": "ipsec" if gateway.family == "srx" else "svr",
        "up": state.up,
        "is_active": state.active,
        "uptime": state.uptime,
        "last_seen": round(last_seen, 3),
        "mtu": 1400 if port.transport == "lte" else 1500,
    }
    if state.quality:
        row["latency"] = state.latency
        row["jitter"] = state.jitter
        row["loss"] = state.loss
        row["mos"] = state.mos
    return row


def get_peers(api: Api, call: Call) -> Reply:
    api.check_org(call)
    now = call.now
    stale = api.does(live.STALE_PATHS)
    world = api.world
    since: dict[int, float | None] = {}
    states: dict[tuple[int, float], dict[tuple[int, int], PathState]] = {}

    def offline(gateway: GatewaySpec) -> float | None:
        if gateway.index not in since:
            since[gateway.index] = world.disconnected_since(gateway, now)
        return since[gateway.index]

    def state(path: PathSpec, at: float) -> PathState:
        gateway = path.gateway
        memo = (gateway.index, at)
        if memo not in states:
            states[memo] = world.path_states(gateway, at)
        return states[memo][(gateway.wan_ports.index(path.port), path.hub_index)]

    paths = _filtered(call, api.fleet.paths, lambda path: path.gateway, lambda path: path.port)
    items: Sequence[PathSpec | Ghost] = paths
    if stale:
        explicit = bool(call.query.get("start") or call.query.get("duration"))
        start = window(call)[0] if explicit else now - 86400.0

        def seen(item: PathSpec) -> bool:
            went = offline(item.gateway)
            return went is None or went - 1 >= start

        old = [g for g in ghosts(api.fleet) if g.last_seen(now) >= start and g.matches(call.query)]
        items = [*[p for p in paths if seen(p)], *old]

    def render(item: PathSpec | Ghost, older: bool) -> list[dict[str, Any]]:
        if isinstance(item, Ghost):
            return [item.row(api.fleet.org_id, now)]
        went = offline(item.gateway)
        if went is not None and stale:
            row = _path_row(api, item, state(item, went - 1), went - 1)
        elif older:
            row = _path_row(api, item, state(item, now - live.REPEAT_AGE), now - live.REPEAT_AGE)
            row["up"] = not state(item, now).up
            row["is_active"] = row["is_active"] and row["up"]
        else:
            row = _path_row(api, item, state(item, now), now)
        if api.does(live.MISSING_FIELDS):
            live.drop(row, item.key, _PEER_OPTIONAL)
            if live.missing(item.key, "peer_port_id", live.NO_PEER_PORT_SHARE):
                del row["peer_port_id"]
        rows = [row]
        if api.does(live.DUPLICATE_PATHS) and live.duplicated(item.key):
            rows.insert(0, {k: v for k, v in row.items() if k not in _QUALITY})
        return rows

    def key(item: PathSpec | Ghost) -> int | None:
        if isinstance(item, Ghost) or (stale and offline(item.gateway) is not None):
            return None
        return item.key

    return _walk(call, items, render, key, api.does(live.PAGE_REPEATS))
