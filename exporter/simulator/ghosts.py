"""Decommissioned gateways the peer search still reports (live habit ``stale_paths``).

At half a percent of sites a gateway was replaced; Mist keeps answering its paths, up as they
were last seen, between one hour and a day ago (the age cycles daily, seeded per gateway).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exporter.simulator.fleet import Fleet, HubSpec
from exporter.simulator.live import GHOST_SHARE
from exporter.simulator.rand import hash64, tag, unit

MIN_AGE = 3600.0
_DAY = 86400.0
_CACHE: dict[tuple[int, int], tuple[Ghost, ...]] = {}


@dataclass(frozen=True, slots=True)
class Ghost:
    """One path of a decommissioned gateway; ``phase`` sets when it was last seen."""

    key: int
    site_id: str
    mac: str
    name: str
    port_id: str
    hub: HubSpec
    peer_port_id: str
    phase: float

    def last_seen(self, now: float) -> float:
        return round(now - MIN_AGE - (now + self.phase) % (_DAY - MIN_AGE), 3)

    def matches(self, query: Mapping[str, str]) -> bool:
        """Whether the ``site_id``/``mac``/``port_id`` filters of a search let it through."""
        wanted = {"site_id": self.site_id, "mac": self.mac, "port_id": self.port_id}
        return all(not query.get(k) or query[k] == v for k, v in wanted.items())

    def row(self, org_id: str, now: float) -> dict[str, Any]:
        return {
            "org_id": org_id,
            "site_id": self.site_id,
            "mac": self.mac,
            "port_id": self.port_id,
            "router_name": self.name,
            "peer_site_id": self.hub.site_id,
            "peer_mac": self.hub.mac,
            "peer_port_id": self.peer_port_id,
            "peer_router_name": self.hub.name,
            "type": "ipsec",
            "up": True,
            "is_active": self.port_id == "ge-0/0/0",
            "uptime": int(unit(self.key, tag("uptime")) * 30 * _DAY),
            "last_seen": self.last_seen(now),
            "mtu": 1500,
        }


def ghosts(fleet: Fleet) -> tuple[Ghost, ...]:
    """The org's decommissioned gateways' paths (two ports to each hub)."""
    cached = _CACHE.get((fleet.seed, len(fleet.sites)))
    if cached is not None:
        return cached
    found = []
    for site in fleet.sites:
        if unit(site.key, tag("ghost")) >= GHOST_SHARE:
            continue
        key = hash64(site.key, tag("ghost"))
        mac = f"4c9615{key & 0xFFFFFF:06x}"
        phase = unit(key, tag("phase")) * _DAY
        name = f"{site.name.lower().replace(' ', '-')}-old"
        for slot, port_id in enumerate(("ge-0/0/0", "ge-0/0/1")):
            for hub in fleet.hubs:
                peer = hub.mpls_port if slot == 0 else hub.inet_port
                path_key = hash64(key, slot, hash64(tag(hub.name)))
                found.append(Ghost(path_key, site.site_id, mac, name, port_id, hub, peer, phase))
    _CACHE[(fleet.seed, len(fleet.sites))] = result = tuple(found)
    return result
