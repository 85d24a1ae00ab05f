"""Org inventory and device statistics: self, org, sites, site groups, devices.

An HA cluster (live habit ``ha_nodes``) reports its second node in ``if2_stat``,
``cpu2_stat`` and ``memory2_stat``; without the habit one ``if_stat`` lists every port.
"""

from __future__ import annotations

from typing import Any

from exporter.simulator import live
from exporter.simulator.api import Api
from exporter.simulator.dynamics import GatewayState, PortState
from exporter.simulator.fleet import GatewaySpec, PortSpec, SiteGroupSpec, SiteSpec
from exporter.simulator.paging import headers_page
from exporter.simulator.rand import between, tag
from exporter.simulator.replies import ApiError, Call, Reply

_DEVICE_OPTIONAL = ("serial", "ext_ip", "hostname", "uptime")


def get_self(api: Api, call: Call) -> Reply:
    """The caller's account: one org privilege per org its token may read."""
    fleet = api.fleet
    return Reply(
        {
            "admin_id": fleet.org_id[:-12] + "00000000a11e",
            "email": "simulator@example.com",
            "first_name": "Mist",
            "last_name": "Simulator",
            "password_modified_time": fleet.created_time,
            "privileges": [
                {"scope": "org", "org_id": org_id, "name": name, "role": "admin"}
                for org_id, name in call.privileges
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


def _cpu_stat(cpu: float) -> dict[str, Any]:
    return {
        "idle": round(100 - cpu, 1),
        "system": round(cpu * 0.4, 1),
        "user": round(cpu * 0.6, 1),
        "interrupt": 0,
        "usage": cpu,
        "load_avg": [round(cpu / 50, 2)] * 3,
    }


def _device(api: Api, gateway: GatewaySpec, state: GatewayState, now: float) -> dict[str, Any]:
    world = api.world
    connected = state.connected
    split = gateway.ha and api.does(live.HA_NODES)
    if_stat = {
        port.if_name: _if_stat(port, world.port_state(gateway, port, now))
        for port in gateway.ports
        if not split or port.node == 0
    }
    row: dict[str, Any] = {
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
        "cpu_stat": _cpu_stat(state.cpu),
        "memory_stat": {"usage": state.memory},
        "if_stat": if_stat,
        "ext_ip": f"198.51.{gateway.index >> 8 & 255}.{gateway.index & 255}",
        "ip": f"10.{gateway.site_index >> 8 & 255}.{gateway.site_index & 255}.1",
    }
    if split:
        minute = int(now // 60)
        row["cpu2_stat"] = _cpu_stat(round(between(5, 35, gateway.key, minute, tag("cpu2")), 1))
        row["memory2_stat"] = {
            "usage": round(between(30, 60, gateway.key, tag("mem2")) + between(0, 3, minute), 1)
        }
        row["if2_stat"] = {
            port.if_name: _if_stat(port, world.port_state(gateway, port, now))
            for port in gateway.wan_ports
            if port.node == 1
        }
    if api.does(live.MISSING_FIELDS):
        live.drop(row, gateway.key, _DEVICE_OPTIONAL)
    return row


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
