"""Each WAN port as published: its two sources joined.

The gateways job reads every WAN port's status and byte counters from the gateway's
``if_stat``/``if2_stat`` each minute; the wan_ports job (port search, less often) adds speed,
Mist's rates, latency, jitter, loss and the last flap. :func:`join` joins them per
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
from dataclasses import dataclass, replace
from operator import attrgetter

from exporter.model import Gateway, WanInterface, WanPort

# What :func:`down` makes unknown: a port down since the search saw it up, or offline.
UNKNOWN_WHEN_DOWN = (
    "receive_rate_bytes_per_second",
    "transmit_rate_bytes_per_second",
    "latency_seconds",
    "jitter_seconds",
    "loss_ratio",
)
JOINED = ("up", "receive_bytes", "transmit_bytes")


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


@dataclass(frozen=True, slots=True)
class Joined:
    """The ports to publish, in order (the search's, then those only the gateways report),
    and, by the same index, their joined status and counters; ``unknown`` indexes the ports
    whose rates and quality are unknown. Columns, not new ports: at 32,080 sites a joined
    copy of every port would cost the render about a second."""

    ports: tuple[WanPort, ...]
    up: list[bool]
    receive_bytes: list[float | None]
    transmit_bytes: list[float | None]
    unknown: frozenset[int]

    def column(self, field: str) -> Iterable[float | bool | None]:
        """The values of one :class:`WanPort` field, port by port."""
        if field in JOINED:
            values: list[float | bool | None] = getattr(self, field)
            return values
        column = map(attrgetter(field), self.ports)
        if field not in UNKNOWN_WHEN_DOWN or not self.unknown:
            return column
        known: list[float | bool | None] = list(column)
        for i in self.unknown:
            known[i] = None
        return known


def join(gateways: Sequence[Gateway], ports: Iterable[WanPort]) -> Joined:
    """The port search's ``ports`` joined with the gateways' reports of them."""
    reported = {
        (g.mac, w.port_id): (g, node.node, w)
        for g in gateways
        for node in g.nodes
        for w in node.wan_interfaces
    }
    offline = {g.mac for g in gateways if not g.up}
    listed = list(ports)
    up: list[bool] = []
    receive: list[float | None] = []
    transmit: list[float | None] = []
    unknown = []
    for i, port in enumerate(listed):
        hit = reported.pop((port.gateway_mac, port.port_id), None)
        now_up, rx, tx = (
            (port.up, port.receive_bytes, port.transmit_bytes)
            if hit is None
            else _joined(port, hit[0], hit[2])
        )
        if port.gateway_mac in offline:
            now_up = False
        if port.up and not now_up:  # its rates and quality are those of before
            unknown.append(i)
        up.append(now_up)
        receive.append(rx)
        transmit.append(tx)
    for gateway, node, w in reported.values():
        if w.up is not None:
            listed.append(_reported(gateway, node, w))
            up.append(w.up and gateway.up)
            receive.append(w.receive_bytes)
            transmit.append(w.transmit_bytes)
    return Joined(tuple(listed), up, receive, transmit, frozenset(unknown))


def _joined(
    port: WanPort, gateway: Gateway, w: WanInterface
) -> tuple[bool, float | None, float | None]:
    boot = _booted(gateway, w)
    same_boot = boot is None or port.as_of >= boot
    searched = max(port.as_of, port.last_flap_timestamp or 0.0)
    up = w.up if w.up is not None and w.as_of >= searched else port.up
    rx = _larger(w.receive_bytes, port.receive_bytes if same_boot else None)
    tx = _larger(w.transmit_bytes, port.transmit_bytes if same_boot else None)
    return up, rx, tx


def _booted(gateway: Gateway, w: WanInterface) -> float | None:
    """When a connected gateway last booted, by the uptime it reported with ``w``."""
    if not gateway.up or not gateway.uptime_seconds or not w.as_of:
        return None
    return w.as_of - gateway.uptime_seconds


def _larger(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


def _reported(gateway: Gateway, node: str, w: WanInterface) -> WanPort:
    """A port the port search has not listed: names only (its status and counters are the
    joined columns)."""
    return WanPort(
        site_id=gateway.site_id,
        gateway_mac=gateway.mac,
        port_id=w.port_id,
        wan_name=w.wan_name,
        wan_type=w.wan_type,
        up=False,
        speed_bytes_per_second=None,
        receive_bytes=None,
        transmit_bytes=None,
        receive_rate_bytes_per_second=None,
        transmit_rate_bytes_per_second=None,
        latency_seconds=None,
        jitter_seconds=None,
        loss_ratio=None,
        last_flap_timestamp=None,
        node=node,
    )
