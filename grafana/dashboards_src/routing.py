"""The BGP session and secure-edge tunnel tables of the Site and Circuit dashboards."""

from __future__ import annotations

from typing import Protocol

from . import Json
from .panels import colored, column, state_column, table
from .shared import GW_JOIN
from .thresholds import FLAPS, steps

BGP_LABELS = "site_id, gateway_mac, gateway_name, neighbor, vrf, state"
BGP_JOIN = (
    f"* on (site_id, gateway_mac, neighbor, vrf) group_left (state) mist_bgp_peer_state {GW_JOIN}"
)
TUNNEL_LABELS = "site_id, gateway_mac, gateway_name, tunnel_name, peer_host, priority, wan_name"
TUNNEL_JOIN = (
    "* on (site_id, gateway_mac, tunnel_name, peer_host, node) group_left (priority, wan_name) "
    f"mist_wan_tunnel_info {GW_JOIN}"
)


class _Query(Protocol):
    def __call__(self, metric: str, around: str = "{}") -> str: ...


def _joined(selector: str, labels: str, join: str) -> _Query:
    """``(metric, around="{}")``: ``metric`` selected, wrapped in ``around`` (a function of
    it, e.g. ``rate({}[15m])``), joined with ``join`` and kept by ``labels``."""

    def query(metric: str, around: str = "{}") -> str:
        series = around.format(f"{metric}{{{selector}}}")
        return f"max by ({labels}) ({series} {join})"

    return query


def bgp_peers_table(title: str, selector: str, *, description: str) -> Json:
    """BGP sessions matching ``selector``: state, uptime, routes, flaps in 24 hours."""

    peer = _joined(selector, BGP_LABELS, BGP_JOIN)

    return table(
        title,
        [
            (peer("mist_bgp_peer_up"), "up"),
            (peer("mist_bgp_peer_uptime_seconds"), "uptime"),
            (peer("mist_bgp_peer_received_routes"), "received"),
            (peer("mist_bgp_peer_advertised_routes"), "advertised"),
            (peer("mist_bgp_peer_flaps_total", "increase({}[24h])"), "flaps"),
        ],
        [
            column("site_id", "site id", hidden=True),
            column("gateway_mac", "gateway", hidden=True),
            column("gateway_name", "Gateway"),
            column("neighbor", "Neighbor"),
            column("vrf", "VRF"),
            state_column(),
            column("state", "BGP state"),
            column("uptime", "Uptime", unit="s"),
            column("received", "Routes received"),
            column("advertised", "Routes advertised"),
            colored("flaps", "Flaps (24h)", steps(FLAPS)),
        ],
        h=8,
        sort_by="State",
        description=description,
    )


def tunnels_table(title: str, selector: str, *, description: str) -> Json:
    """Secure-edge tunnels matching ``selector``: state, uptime, last flap and traffic."""

    tunnel = _joined(selector, TUNNEL_LABELS, TUNNEL_JOIN)

    return table(
        title,
        [
            (tunnel("mist_wan_tunnel_up"), "up"),
            (tunnel("mist_wan_tunnel_uptime_seconds"), "uptime"),
            (tunnel("mist_wan_tunnel_last_flap_timestamp_seconds") + " * 1000", "flapped"),
            (tunnel("mist_wan_tunnel_receive_bytes_total", "rate({}[15m])"), "rx"),
            (tunnel("mist_wan_tunnel_transmit_bytes_total", "rate({}[15m])"), "tx"),
        ],
        [
            column("site_id", "site id", hidden=True),
            column("gateway_mac", "gateway", hidden=True),
            column("gateway_name", "Gateway"),
            column("tunnel_name", "Tunnel"),
            column("peer_host", "Peer"),
            column("priority", "Priority"),
            column("wan_name", "Circuit"),
            state_column(),
            column("uptime", "Uptime", unit="s"),
            column("flapped", "Last flap", unit="dateTimeFromNow"),
            column("rx", "Received", unit="Bps"),
            column("tx", "Transmitted", unit="Bps"),
        ],
        h=8,
        sort_by="State",
        description=description,
    )
