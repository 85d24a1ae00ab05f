"""BGP sessions (``stats/bgp_peers/search``) and secure-edge tunnels (``stats/tunnels/search``).

Every field is optional in the spec. A BGP row without ``mac`` or ``neighbor``, or a tunnel row
without ``mac`` or a name (``tunnel_name``, else ``peer_host``), cannot be published and is
counted as skipped. Rows are de-duplicated by identity: the newest BGP row (``timestamp``) is
kept; tunnel rows carry no time, so the later one wins.
"""

from __future__ import annotations

from typing import Any

from exporter.mist import endpoints
from exporter.mist.parse.fields import Fields, Skips, each_row, newest, normalise_mac
from exporter.model import BgpPeer, WanTunnel

BGP_SEARCH = endpoints.BGP_SEARCH.template
TUNNEL_SEARCH = endpoints.TUNNEL_SEARCH.template
ESTABLISHED = "established"


def parse_bgp_peers(rows: Any, skips: Skips | None = None) -> tuple[BgpPeer, ...]:
    """Rows of ``stats/bgp_peers/search``, one per (gateway, neighbor, VRF).

    ``up`` is Mist's flag, else whether the state is ``established``; the two nodes of an HA
    pair report one session, so ``node`` is not part of its identity.
    """

    def read(row: Fields) -> tuple[tuple[str, str, str], float, BgpPeer]:
        state = row.opt_text("state").lower()
        peer = BgpPeer(
            site_id=row.opt_text("site_id"),
            gateway_mac=normalise_mac(row.text("mac")),
            neighbor=row.text("neighbor"),
            vrf=row.opt_text("vrf_name", "default"),
            up=row.flag("up", state == ESTABLISHED),
            state=state,
            uptime_seconds=row.opt_number("uptime"),
            received_routes=row.opt_number("rx_routes"),
            advertised_routes=row.opt_number("tx_routes"),
            flaps=row.opt_number("flap_count"),
            neighbor_as=_as_text(row, "neighbor_as"),
            node=row.opt_text("node"),
            timestamp=row.opt_number("timestamp"),
        )
        return (peer.gateway_mac, peer.neighbor, peer.vrf), peer.timestamp or 0.0, peer

    return newest(BGP_SEARCH, each_row(BGP_SEARCH, rows, read, skips, walk=True), skips)


def _as_text(row: Fields, key: str) -> str:
    """An AS number as text (the spec allows an integer or a string such as a variable)."""
    value = row.data.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    number = row.number(key)
    return str(int(number)) if number.is_integer() else str(number)


def parse_wan_tunnels(rows: Any, skips: Skips | None = None) -> tuple[WanTunnel, ...]:
    """WAN rows of ``stats/tunnels/search?type=wan``, one per (gateway, name, peer, node).

    Rows of the other shape (``wxtunnel``: an ``mxtunnel_id``, no ``mac``) are left out.
    ``last_flap_timestamp`` is left to the job, which knows the time and the run before.
    """

    def read(row: Fields) -> tuple[tuple[str, str, str, str], float, WanTunnel] | None:
        if row.has("mxtunnel_id") or row.has("mxcluster_id"):
            return None
        peer_host = row.opt_text("peer_host")
        name = row.opt_text("tunnel_name") or peer_host
        if not name:
            raise row.error("tunnel_name", "missing")
        tunnel = WanTunnel(
            site_id=row.opt_text("site_id"),
            gateway_mac=normalise_mac(row.text("mac")),
            tunnel_name=name,
            peer_host=peer_host,
            node=row.opt_text("node"),
            up=row.flag("up"),
            peer_ip=row.opt_text("peer_ip"),
            protocol=row.opt_text("protocol"),
            priority=row.opt_text("priority"),
            wan_name=row.opt_text("wan_name"),
            uptime_seconds=row.opt_number("uptime"),
            receive_bytes=row.opt_number("rx_bytes"),
            transmit_bytes=row.opt_number("tx_bytes"),
            receive_packets=row.opt_number("rx_pkts"),
            transmit_packets=row.opt_number("tx_pkts"),
        )
        key = (tunnel.gateway_mac, tunnel.tunnel_name, tunnel.peer_host, tunnel.node)
        return key, 0.0, tunnel

    return newest(TUNNEL_SEARCH, each_row(TUNNEL_SEARCH, rows, read, skips, walk=True), skips)
