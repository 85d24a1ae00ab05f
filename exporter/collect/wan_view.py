"""Each WAN port as published: its two sources joined.

The gateways job reads every WAN port's status and byte counters from the gateway's
``if_stat``/``if2_stat`` each minute; the wan_ports job (port search, less often) adds speed,
Mist's rates, latency, jitter, loss and the last flap. :func:`current` joins them per
(gateway, port), so a port either source reports is published once:

- ``up`` from the source fetched last (a pushed port event counts as of its time);
- counters: the larger of the two readings taken since the gateway last booted. Each source's
  counter only grows within a boot, so their maximum never goes backwards because a newer
  reading came from the other source, and a source that reports no bytes (zeros, as in the
  spec's own examples) cannot hide the other's;
- a port of an offline gateway is down, counters kept, rates and quality unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from exporter.model import Gateway, WanInterface, WanPort


def down(port: WanPort) -> WanPort:
    """A port of an offline gateway: down; counters kept, rates and quality unknown."""
    return replace(
        port,
        up=False,
        receive_rate_bytes_per_second=None,
        transmit_rate_bytes_per_second=None,
        latency_seconds=None,
        jitter_seconds=None,
        loss_ratio=None,
    )


def current(gateways: Sequence[Gateway], ports: Iterable[WanPort]) -> tuple[WanPort, ...]:
    """The port search's ports (in their order) joined with the gateways' reports of them,
    then the ports only the gateways report (with status, in the gateways' order)."""
    reported = {
        (g.mac, w.port_id): (g, node.node, w)
        for g in gateways
        for node in g.nodes
        for w in node.wan_interfaces
    }
    offline = {g.mac for g in gateways if not g.up}
    joined = []
    for port in ports:
        hit = reported.pop((port.gateway_mac, port.port_id), None)
        if hit is not None:
            port = _joined(port, hit[0], hit[2])
        joined.append(down(port) if port.gateway_mac in offline else port)
    for gateway, node, w in reported.values():
        if w.up is not None:
            port = _reported(gateway, node, w)
            joined.append(port if gateway.up else down(port))
    return tuple(joined)


def _joined(port: WanPort, gateway: Gateway, w: WanInterface) -> WanPort:
    boot = _booted(gateway, w)
    same_boot = boot is None or port.as_of >= boot
    searched = max(port.as_of, port.last_flap_timestamp or 0.0)
    up = w.up if w.up is not None and w.as_of >= searched else port.up
    joined = replace(
        port,
        up=up,
        receive_bytes=_larger(w.receive_bytes, port.receive_bytes if same_boot else None),
        transmit_bytes=_larger(w.transmit_bytes, port.transmit_bytes if same_boot else None),
    )
    # Down since the search saw it up: its rates and quality are those of before.
    return down(joined) if port.up and not up else joined


def _booted(gateway: Gateway, w: WanInterface) -> float | None:
    """When a connected gateway last booted, by the uptime it reported with ``w``."""
    if not gateway.up or not gateway.uptime_seconds or not w.as_of:
        return None
    return w.as_of - gateway.uptime_seconds


def _larger(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


def _reported(gateway: Gateway, node: str, w: WanInterface) -> WanPort:
    """A port the port search has not listed: status and counters only."""
    return WanPort(
        site_id=gateway.site_id,
        gateway_mac=gateway.mac,
        port_id=w.port_id,
        wan_name=w.wan_name,
        wan_type=w.wan_type,
        up=bool(w.up),
        speed_bytes_per_second=None,
        receive_bytes=w.receive_bytes,
        transmit_bytes=w.transmit_bytes,
        receive_rate_bytes_per_second=None,
        transmit_rate_bytes_per_second=None,
        latency_seconds=None,
        jitter_seconds=None,
        loss_ratio=None,
        last_flap_timestamp=None,
        node=node,
    )
