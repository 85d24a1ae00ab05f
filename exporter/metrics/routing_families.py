"""The families of BGP sessions and secure-edge tunnels (parts of :mod:`snapshot_families`)."""

from __future__ import annotations

from exporter.metrics.series import Builder, L
from exporter.model import Snapshot

BGP_PEER = ("site_id", "gateway_mac", "neighbor", "vrf")
BGP_STATE = (*BGP_PEER, "state")
TUNNEL = ("site_id", "gateway_mac", "tunnel_name", "peer_host", "node")
TUNNEL_INFO = (*TUNNEL, "peer_ip", "protocol", "priority", "wan_name")


def bgp_peers(snapshot: Snapshot, b: Builder[L]) -> None:
    up, state = b.family("mist_bgp_peer_up"), b.family("mist_bgp_peer_state")
    uptime = b.family("mist_bgp_peer_uptime_seconds")
    received = b.family("mist_bgp_peer_received_routes")
    advertised = b.family("mist_bgp_peer_advertised_routes")
    flaps = b.family("mist_bgp_peer_flaps_total")
    for p in snapshot.bgp_peers:
        peer = (p.site_id, p.gateway_mac, p.neighbor, p.vrf)
        ids = b.labels(BGP_PEER, peer)
        up.add(ids, p.up)
        if p.state:
            state.add(b.labels(BGP_STATE, (*peer, p.state)), 1)
        uptime.add(ids, p.uptime_seconds)
        received.add(ids, p.received_routes)
        advertised.add(ids, p.advertised_routes)
        flaps.add(ids, p.flaps)


def wan_tunnels(snapshot: Snapshot, b: Builder[L]) -> None:
    info, up = b.family("mist_wan_tunnel_info"), b.family("mist_wan_tunnel_up")
    uptime = b.family("mist_wan_tunnel_uptime_seconds")
    rx = b.family("mist_wan_tunnel_receive_bytes_total")
    tx = b.family("mist_wan_tunnel_transmit_bytes_total")
    rx_packets = b.family("mist_wan_tunnel_receive_packets_total")
    tx_packets = b.family("mist_wan_tunnel_transmit_packets_total")
    flap = b.family("mist_wan_tunnel_last_flap_timestamp_seconds")
    for t in snapshot.wan_tunnels:
        tunnel = (t.site_id, t.gateway_mac, t.tunnel_name, t.peer_host, t.node)
        ids = b.labels(TUNNEL, tunnel)
        details = (t.peer_ip, t.protocol, t.priority, t.wan_name)
        info.add(b.labels(TUNNEL_INFO, (*tunnel, *details)), 1)
        up.add(ids, t.up)
        uptime.add(ids, t.uptime_seconds)
        rx.add(ids, t.receive_bytes)
        tx.add(ids, t.transmit_bytes)
        rx_packets.add(ids, t.receive_packets)
        tx_packets.add(ids, t.transmit_packets)
        flap.add(ids, t.last_flap_timestamp)
