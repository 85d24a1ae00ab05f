"""The families of BGP sessions and secure-edge tunnels (parts of :mod:`snapshot_families`),
filled a column at a time like the other big parts."""

from __future__ import annotations

from operator import attrgetter

from exporter.metrics.series import Builder, L
from exporter.model import Snapshot

# Label keys sorted by name, the order they are written in, so rows need no reordering.
BGP_PEER = ("gateway_mac", "neighbor", "site_id", "vrf")
BGP_STATE = tuple(sorted((*BGP_PEER, "state")))
TUNNEL = ("gateway_mac", "node", "peer_host", "site_id", "tunnel_name")
TUNNEL_INFO = tuple(sorted((*TUNNEL, "peer_ip", "protocol", "priority", "wan_name")))
# (family, attribute) of each session's and each tunnel's series after up (and state), in order.
BGP_PEER_VALUES = (
    ("mist_bgp_peer_uptime_seconds", "uptime_seconds"),
    ("mist_bgp_peer_received_routes", "received_routes"),
    ("mist_bgp_peer_advertised_routes", "advertised_routes"),
    ("mist_bgp_peer_flaps_total", "flaps"),
)
TUNNEL_VALUES = (
    ("mist_wan_tunnel_up", "up"),
    ("mist_wan_tunnel_uptime_seconds", "uptime_seconds"),
    ("mist_wan_tunnel_receive_bytes_total", "receive_bytes"),
    ("mist_wan_tunnel_transmit_bytes_total", "transmit_bytes"),
    ("mist_wan_tunnel_receive_packets_total", "receive_packets"),
    ("mist_wan_tunnel_transmit_packets_total", "transmit_packets"),
    ("mist_wan_tunnel_last_flap_timestamp_seconds", "last_flap_timestamp"),
)


def bgp_peers(snapshot: Snapshot, b: Builder[L]) -> None:
    peers = snapshot.bgp_peers
    ids = b.label_column(BGP_PEER, map(attrgetter(*BGP_PEER), peers))
    b.family("mist_bgp_peer_up").add_column(ids, map(attrgetter("up"), peers))
    stated = [p for p in peers if p.state]
    states = b.label_column(BGP_STATE, map(attrgetter(*BGP_STATE), stated))
    b.family("mist_bgp_peer_state").add_column(states, [1] * len(stated))
    for name, field in BGP_PEER_VALUES:
        b.family(name).add_column(ids, map(attrgetter(field), peers))


def wan_tunnels(snapshot: Snapshot, b: Builder[L]) -> None:
    tunnels = snapshot.wan_tunnels
    info = b.label_column(TUNNEL_INFO, map(attrgetter(*TUNNEL_INFO), tunnels))
    b.family("mist_wan_tunnel_info").add_column(info, [1] * len(tunnels))
    ids = b.label_column(TUNNEL, map(attrgetter(*TUNNEL), tunnels))
    for name, field in TUNNEL_VALUES:
        b.family(name).add_column(ids, map(attrgetter(field), tunnels))
