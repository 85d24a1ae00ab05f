"""Org inventory and device statistics: self, org, sites, site groups, devices, ports, peers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from exporter.simulator.api import Api
from exporter.simulator.dynamics import GatewayState, PathState, PortState
from exporter.simulator.fleet import GatewaySpec, PathSpec, PortSpec, SiteGroupSpec, SiteSpec
from exporter.simulator.paging import decode_cursor, headers_page, next_url, search_limit
from exporter.simulator.replies import ApiError, Call, Reply, window

_R = TypeVar("_R")


def get_self(api: Api, call: Call) -> Reply:
    fleet = api.fleet
    return Reply(
        {
            "admin_id": fleet.org_id[:-12] + "00000000a11e",
            "email": "simulator@example.com",
            "first_name": "Mist",
            "last_name": "Simulator",
            "password_modified_time": fleet.created_time,
            "privileges": [
                {"scope": "org", "org_id": fleet.org_id, "name": fleet.org_name, "role": "admin"}
            ],
        }
    )


def get_org(api: Api, call: Call) -> Reply:
    api.check_org(call)
    fleet = api.fleet
    return Reply(
        {
            "id": fleet.org_id,
            "name": fleet.org_name,
            "allow_mist": True,
            "session_expiry": 1440,
            "created_time": fleet.created_time,
            "modified_time": fleet.created_time,
            "orggroup_ids": [],
        }
    )


def _site(api: Api, site: SiteSpec) -> dict[str, Any]:
    return {
        "id": site.site_id,
        "org_id": api.fleet.org_id,
        "name": site.name,
        "address": f"{site.index + 1} Main Street, {site.city}",
        "country_code": site.country_code,
        "timezone": site.timezone,
        "latlng": {"lat": site.lat, "lng": site.lng},
        "sitegroup_ids": list(site.sitegroup_ids),
        "notes": None,
        "created_time": api.fleet.created_time,
        "modified_time": api.fleet.created_time,
    }


def get_sites(api: Api, call: Call) -> Reply:
    api.check_org(call)
    return headers_page(api.fleet.sites, call, lambda site: _site(api, site))


def get_sitegroups(api: Api, call: Call) -> Reply:
    api.check_org(call)

    def render(group: SiteGroupSpec) -> dict[str, Any]:
        return {
            "id": group.group_id,
            "org_id": api.fleet.org_id,
            "name": group.name,
            "site_ids": list(group.site_ids),
            "created_time": api.fleet.created_time,
            "modified_time": api.fleet.created_time,
        }

    return headers_page(api.fleet.sitegroups, call, render)


def _if_stat(port: PortSpec, state: PortState) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "port_id": port.port_id,
        "port_usage": port.usage,
        "up": state.up,
        "rx_bytes": state.rx_bytes,
        "tx_bytes": state.tx_bytes,
        "rx_pkts": state.rx_bytes // 700,
        "tx_pkts": state.tx_bytes // 700,
        "vlan": 0,
        "address_mode": "DHCP" if port.is_wan else "Static",
        "network_name": "" if port.is_wan else "corp",
        "nat_addresses": [],
        "ips": [],
    }
    if port.is_wan:
        entry["wan_name"] = port.wan_name
        entry["wan_type"] = port.wan_type
        entry["ips"] = [f"100.64.{port.key >> 8 & 255}.{port.key & 252 | 1}/30"]
    return entry


def _device(api: Api, gateway: GatewaySpec, state: GatewayState, now: float) -> dict[str, Any]:
    world = api.world
    connected = state.connected
    return {
        "id": gateway.device_id,
        "mac": gateway.mac,
        "name": gateway.name,
        "hostname": gateway.name,
        "type": "gateway",
        "model": gateway.model,
        "version": gateway.version,
        "serial": gateway.serial,
        "site_id": gateway.site_id,
        "org_id": api.fleet.org_id,
        "status": "connected" if connected else "disconnected",
        "uptime": int(now - state.boot_time) if connected else 0,
        "last_seen": round(now if connected else (now // 3600) * 3600, 3),
        "created_time": api.fleet.created_time,
        "modified_time": api.fleet.created_time,
        "cpu_stat": {
            "idle": round(100 - state.cpu, 1),
            "system": round(state.cpu * 0.4, 1),
            "user": round(state.cpu * 0.6, 1),
            "interrupt": 0,
            "usage": state.cpu,
            "load_avg": [round(state.cpu / 50, 2)] * 3,
        },
        "memory_stat": {"usage": state.memory},
        "if_stat": {
            port.if_name: _if_stat(port, world.port_state(gateway, port, now))
            for port in gateway.ports
        },
        "ext_ip": f"198.51.{gateway.index >> 8 & 255}.{gateway.index & 255}",
        "ip": f"10.{gateway.site_index >> 8 & 255}.{gateway.site_index & 255}.1",
    }


def get_devices(api: Api, call: Call) -> Reply:
    api.check_org(call)
    kind = call.query.get("type") or "ap"
    if kind not in ("ap", "switch", "gateway", "all"):
        raise ApiError(400, f"type: invalid choice {kind!r}")
    gateways = api.fleet.gateways if kind in ("gateway", "all") else ()
    now = call.now
    return headers_page(
        gateways, call, lambda gw: _device(api, gw, api.world.gateway_state(gw, now), now)
    )


def _port_row(api: Api, gateway: GatewaySpec, port: PortSpec, now: float) -> dict[str, Any]:
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


def _search(call: Call, total: int, rows: list[dict[str, Any]], cursor: int | None) -> Reply:
    start, end = window(call)
    body: dict[str, Any] = {
        "start": int(start),
        "end": int(end),
        "limit": search_limit(call),
        "total": total,
        "results": rows,
    }
    if cursor is not None:
        body["next"] = next_url(call, [cursor], {"start": str(int(start)), "end": str(int(end))})
    return Reply(body)


def _offset(call: Call) -> int:
    cursor = decode_cursor(call)
    if cursor is None:
        return 0
    if len(cursor) != 1 or not isinstance(cursor[0], int) or cursor[0] < 0:
        raise ApiError(400, "search_after: invalid cursor")
    return cursor[0]


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


def get_ports(api: Api, call: Call) -> Reply:
    api.check_org(call)
    kind = call.query.get("device_type") or "gateway"
    ports = api.fleet.ports if kind in ("gateway", "all") else ()
    rows = _filtered(call, ports, lambda row: row[0], lambda row: row[1])
    offset = _offset(call)
    limit = search_limit(call)
    body = [_port_row(api, gw, port, call.now) for gw, port in rows[offset : offset + limit]]
    return _search(call, len(rows), body, offset + limit if offset + limit < len(rows) else None)


def _path_row(
    api: Api, path: PathSpec, states: dict[tuple[int, int], PathState], now: float
) -> dict[str, Any]:
    gateway, port, hub = path.gateway, path.port, path.hub
    state = states[(gateway.wan_ports.index(port), path.hub_index)]
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
        "last_seen": round(now, 3),
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
    paths = _filtered(call, api.fleet.paths, lambda path: path.gateway, lambda path: path.port)
    offset = _offset(call)
    limit = search_limit(call)
    memo: dict[int, dict[tuple[int, int], PathState]] = {}
    body = []
    for path in paths[offset : offset + limit]:
        gateway = path.gateway
        if gateway.index not in memo:
            memo[gateway.index] = api.world.path_states(gateway, call.now)
        body.append(_path_row(api, path, memo[gateway.index], call.now))
    return _search(call, len(paths), body, offset + limit if offset + limit < len(paths) else None)
