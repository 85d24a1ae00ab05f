"""Gateways (``stats/devices``), their WAN ports (``stats/ports/search``) and VPN peer paths
(``stats/vpn_peers/search``).

Search walks are sorted by time, so a row that changed mid-walk comes back on a later page:
rows are de-duplicated by identity, the newest (``timestamp``/``last_seen``) kept. HA pairs
report their second node in ``if2_stat``/``cpu2_stat``/``memory2_stat``; rows with a ``node``
name it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from exporter.mist import endpoints
from exporter.mist.parse.fields import (
    MBPS,
    MS,
    PERCENT,
    Fields,
    Skips,
    each_row,
    newest,
    normalise_mac,
)
from exporter.model import Gateway, GatewayNode, PeerPath, WanInterface, WanPort

DEVICE_STATS = endpoints.DEVICE_STATS.template
PORT_SEARCH = endpoints.PORT_SEARCH.template
PEER_SEARCH = endpoints.PEER_SEARCH.template
WAN_PORT_USAGES = frozenset({"wan", "lte"})


def parse_gateways(
    rows: Any, skips: Skips | None = None, as_of: float = 0.0
) -> tuple[Gateway, ...]:
    """Gateway rows of ``stats/devices?type=gateway`` (rows of other device types are left out),
    fetched at ``as_of`` (the time their WAN interfaces' status and counters are as of)."""

    def read(row: Fields) -> tuple[str, float, Gateway] | None:
        return _gateway(row, as_of)

    return newest(DEVICE_STATS, each_row(DEVICE_STATS, rows, read, skips, walk=True), skips)


def _gateway(row: Fields, as_of: float) -> tuple[str, float, Gateway] | None:
    if row.opt_text("type", "gateway") != "gateway":
        return None
    mac = normalise_mac(row.text("mac"))
    ha = any(row.has(f"{key}2_stat") for key in ("if", "cpu", "memory"))
    nodes = (
        (_node(row, "", "node0", as_of), _node(row, "2", "node1", as_of))
        if ha
        else (_node(row, "", "", as_of),)
    )
    gateway = Gateway(
        site_id=row.opt_text("site_id"),
        mac=mac,
        name=row.opt_text("name") or row.opt_text("hostname"),
        model=row.opt_text("model"),
        version=row.opt_text("version"),
        up=row.opt_text("status") == "connected",
        uptime_seconds=row.opt_number("uptime"),
        nodes=nodes,
    )
    return mac, row.opt_number("last_seen") or 0.0, gateway


def _node(row: Fields, suffix: str, name: str, as_of: float) -> GatewayNode:
    """One node's stats: ``cpu_stat``... (``suffix`` "") or the HA second node's ``cpu2_stat``..."""
    cpu = row.opt_child(f"cpu{suffix}_stat")
    memory = row.opt_child(f"memory{suffix}_stat")
    return GatewayNode(
        node=name,
        cpu_ratio=_cpu_ratio(cpu) if cpu is not None else None,
        memory_ratio=memory.opt_number("usage", PERCENT) if memory is not None else None,
        wan_interfaces=_wan_interfaces(row.opt_child(f"if{suffix}_stat"), as_of),
    )


def _cpu_ratio(cpu: Fields) -> float | None:
    if cpu.has("usage"):
        return cpu.number("usage") * PERCENT
    if cpu.has("idle"):
        return (100.0 - cpu.number("idle")) * PERCENT
    return None


def _wan_interfaces(if_stat: Fields | None, as_of: float) -> tuple[WanInterface, ...]:
    """WAN ports of an ``if_stat`` (keyed by interface, ``ge-0/0/0.0``), in Mist's order: names
    from the port's first WAN unit; up when any unit is; counters summed over its units."""
    if if_stat is None:
        return ()
    found: dict[str, WanInterface] = {}
    for name in if_stat.data:
        # Keys are interface names (with dots): bracketed, so an error names ``if_stat``.
        entry = Fields(if_stat.endpoint, if_stat.data[name], f"{if_stat.path}[{name}]")
        if entry.opt_text("port_usage") not in WAN_PORT_USAGES:
            continue
        port_id = entry.opt_text("port_id") or port_of(name)
        unit = WanInterface(
            port_id=port_id,
            wan_name=entry.opt_text("wan_name"),
            wan_type=entry.opt_text("wan_type"),
            up=entry.flag("up") if entry.has("up") else None,
            receive_bytes=entry.opt_number("rx_bytes"),
            transmit_bytes=entry.opt_number("tx_bytes"),
            as_of=as_of,
        )
        first = found.get(port_id)
        found[port_id] = unit if first is None else _with_unit(first, unit)
    return tuple(found.values())


def _with_unit(port: WanInterface, unit: WanInterface) -> WanInterface:
    """``port`` with another of its WAN units: up if either is, counters added."""
    ups = [u for u in (port.up, unit.up) if u is not None]
    return replace(
        port,
        up=any(ups) if ups else None,
        receive_bytes=_add(port.receive_bytes, unit.receive_bytes),
        transmit_bytes=_add(port.transmit_bytes, unit.transmit_bytes),
    )


def _add(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else a + b


def port_of(interface: str) -> str:
    """The port of an interface name: ``ge-0/0/0.0`` (unit 0) -> ``ge-0/0/0``."""
    return interface.split(".", 1)[0]


def parse_wan_ports(
    rows: Any, gateways: Sequence[Gateway], skips: Skips | None = None, as_of: float = 0.0
) -> tuple[WanPort, ...]:
    """WAN (and LTE) rows of ``stats/ports/search`` fetched at ``as_of``, named from the
    gateways' ``if_stat``.

    A row is a WAN port when its ``port_usage`` says so or its gateway lists it as a WAN
    interface; ``wan_name``/``wan_type`` come from the gateway, else from the row, else "".
    """
    known = {
        (gw.mac, wan.port_id): (node.node, wan)
        for gw in gateways
        for node in gw.nodes
        for wan in node.wan_interfaces
    }

    def read(row: Fields) -> tuple[tuple[str, str], float, WanPort] | None:
        mac = normalise_mac(row.text("mac"))
        port_id = row.text("port_id")
        node, wan = known.get((mac, port_id), ("", None))
        if wan is None and row.opt_text("port_usage") not in WAN_PORT_USAGES:
            return None
        port = WanPort(
            site_id=row.text("site_id"),
            gateway_mac=mac,
            port_id=port_id,
            wan_name=wan.wan_name if wan and wan.wan_name else row.opt_text("wan_name"),
            wan_type=wan.wan_type if wan and wan.wan_type else row.opt_text("wan_type"),
            up=row.flag("up"),
            speed_bytes_per_second=row.opt_number("speed", MBPS),
            receive_bytes=row.opt_number("rx_bytes"),
            transmit_bytes=row.opt_number("tx_bytes"),
            receive_rate_bytes_per_second=row.opt_number("rx_bps", 1 / 8),
            transmit_rate_bytes_per_second=row.opt_number("tx_bps", 1 / 8),
            latency_seconds=row.opt_number("latency", MS),
            jitter_seconds=row.opt_number("jitter", MS),
            loss_ratio=row.opt_number("loss", PERCENT),
            last_flap_timestamp=row.opt_number("last_flapped") or None,
            node=row.opt_text("node") or node,
            as_of=as_of,
        )
        freshness = row.opt_number("timestamp") or row.opt_number("last_seen") or 0.0
        return (mac, port_id), freshness, port

    return newest(PORT_SEARCH, each_row(PORT_SEARCH, rows, read, skips, walk=True), skips)


def parse_peer_paths(rows: Any, skips: Skips | None = None) -> tuple[PeerPath, ...]:
    """Rows of ``stats/vpn_peers/search``; quality fields Mist leaves out are None.

    Every field is optional in the spec; a row without the four that name its path (``mac``,
    ``port_id``, ``peer_mac``, ``peer_port_id``) cannot be published and is counted as skipped.
    """

    def read(row: Fields) -> tuple[tuple[str, str, str, str], float, PeerPath]:
        path = PeerPath(
            site_id=row.opt_text("site_id"),
            gateway_mac=normalise_mac(row.text("mac")),
            port_id=row.text("port_id"),
            peer_mac=normalise_mac(row.text("peer_mac")),
            peer_port_id=row.text("peer_port_id"),
            up=row.flag("up"),
            active=row.flag("is_active"),
            latency_seconds=row.opt_number("latency", MS),
            jitter_seconds=row.opt_number("jitter", MS),
            loss_ratio=row.opt_number("loss", PERCENT),
            mos=row.opt_number("mos"),
            last_seen=row.opt_number("last_seen"),
        )
        key = (path.gateway_mac, path.port_id, path.peer_mac, path.peer_port_id)
        return key, path.last_seen or 0.0, path

    return newest(PEER_SEARCH, each_row(PEER_SEARCH, rows, read, skips, walk=True), skips)
