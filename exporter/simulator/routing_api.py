"""The org searches of BGP peers (``stats/bgp_peers/search``) and tunnels
(``stats/tunnels/search``), paged like the port and peer-path searches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from exporter.simulator import routing
from exporter.simulator.api import Api
from exporter.simulator.paging import decode_cursor, next_url, search_limit
from exporter.simulator.replies import ApiError, Call, Reply, window
from exporter.simulator.routing import BgpSpec, States, TunnelSpec

_S = TypeVar("_S", BgpSpec, TunnelSpec)
_TUNNEL_TYPES = ("wan", "wxtunnel")


def _page(
    api: Api, call: Call, specs: Sequence[_S], render: Callable[[States, _S], dict[str, Any]]
) -> Reply:
    site_id, mac = call.query.get("site_id"), call.query.get("mac")
    rows = [
        s
        for s in specs
        if (not site_id or s.link.gateway.site_id == site_id)
        and (not mac or s.link.gateway.mac in mac.split(","))
    ]
    cursor = decode_cursor(call) or [0]
    if len(cursor) != 1 or not isinstance(cursor[0], int) or cursor[0] < 0:
        raise ApiError(400, "search_after: invalid cursor")
    offset, limit = cursor[0], search_limit(call)
    states = States(api.world, call.now)
    start, end = window(call)
    body: dict[str, Any] = {
        "start": int(start),
        "end": int(end),
        "limit": limit,
        "total": len(rows),
        "results": [render(states, spec) for spec in rows[offset : offset + limit]],
    }
    if offset + limit < len(rows):
        fixed = {"start": str(int(start)), "end": str(int(end))}
        body["next"] = next_url(call, [offset + limit], fixed)
    return Reply(body)


def bgp_row(states: States, spec: BgpSpec) -> dict[str, Any]:
    gateway, state = spec.link.gateway, states.link(spec.link)
    up, now = state.up, states.now
    row: dict[str, Any] = {
        "org_id": states.world.fleet.org_id,
        "site_id": gateway.site_id,
        "mac": gateway.mac,
        "model": gateway.model,
        "router_id": f"10.{gateway.site_index >> 8 & 255}.{gateway.site_index & 255}.1",
        "neighbor": spec.neighbor,
        "neighbor_as": spec.neighbor_as,
        "local_as": spec.local_as,
        "vrf_name": spec.vrf,
        "for_overlay": spec.vrf == routing.OVERLAY_VRF,
        "evpn_overlay": False,
        "state": "established" if up else routing.down_state(spec.link, now),
        "up": up,
        "uptime": int(now - state.since) if up else 0,
        "rx_routes": spec.routes_in if up else 0,
        "tx_routes": spec.routes_out if up else 0,
        "rx_pkts": int((now - state.since) // 30) if up else 0,
        "tx_pkts": int((now - state.since) // 30) if up else 0,
        "flap_count": state.flaps,
        "timestamp": round(now, 3),
    }
    if spec.neighbor_mac:
        row["neighbor_mac"] = spec.neighbor_mac
    return row


def tunnel_row(states: States, spec: TunnelSpec) -> dict[str, Any]:
    link = spec.link
    gateway, state = link.gateway, states.link(link)
    port = link.port
    assert port is not None
    counters = states.ports(gateway)[port.port_id]
    rx, tx = int(counters.rx_bytes * spec.share), int(counters.tx_bytes * spec.share)
    row: dict[str, Any] = {
        "org_id": states.world.fleet.org_id,
        "site_id": gateway.site_id,
        "mac": gateway.mac,
        "tunnel_name": spec.name,
        "peer_host": spec.peer_host,
        "peer_ip": spec.peer_ip,
        "ip": f"100.64.{port.key >> 8 & 255}.{port.key & 252 | 1}",
        "wan_name": port.wan_name,
        "priority": spec.priority,
        "protocol": "ipsec",
        "ike_version": "2",
        "auth_algo": "hmac-sha-256-128",
        "encrypt_algo": "aes-256-gcm",
        "up": state.up,
        "uptime": int(states.now - state.since) if state.up else 0,
        "rx_bytes": rx,
        "tx_bytes": tx,
        "rx_pkts": rx // 800,
        "tx_pkts": tx // 800,
    }
    if not state.up:
        row["last_event"] = state.reason
    return row


def get_bgp_peers(api: Api, call: Call) -> Reply:
    api.check_org(call)
    return _page(api, call, routing.of(api.world).bgp, bgp_row)


def get_tunnels(api: Api, call: Call) -> Reply:
    """WAN tunnels with ``type=wan``; the default type (``wxtunnel``: Mist Edge) has none."""
    api.check_org(call)
    kind = call.query.get("type") or "wxtunnel"
    if kind not in _TUNNEL_TYPES:
        raise ApiError(400, f"type: invalid choice {kind!r}")
    specs = routing.of(api.world).tunnels if kind == "wan" else ()
    return _page(api, call, specs, tunnel_row)
