"""Many orgs in one simulated cloud: each org's fleet and world, and which org a call reads.

Org 0 is ``build_fleet(seed, sites)``; org k > 0 is built from a seed hashed from (seed, k),
drawn again should one of its gateway or hub MACs be another org's. A token reads the orgs its
``SimConfig.token_orgs`` entry lists (all without one). Org paths serve the org they name, site
paths the org owning the site; an org outside the token's scope is refused with 403, as Mist
refuses an org the token holds no privilege on. Unknown orgs and sites are left to org 0's
handlers, which refuse them as the single-org simulator always has (403 and 404).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from exporter.clock import Clock
from exporter.simulator.api import Api
from exporter.simulator.config import SimConfig
from exporter.simulator.dynamics import World
from exporter.simulator.events import Event, Placed
from exporter.simulator.fleet import Fleet, build_fleet
from exporter.simulator.live import ALARM_GROWTH
from exporter.simulator.rand import hash64, tag
from exporter.simulator.replies import FORBIDDEN, ApiError
from exporter.simulator.truth import GroundTruth, ground_truth


@dataclass
class EventIds:
    """Ids unique across the orgs (``event-1``, ``event-2``...); a refused event takes none."""

    taken: int = 0

    def next(self) -> str:
        return f"event-{self.taken + 1}"


class SimOrg:
    """One simulated org: its fleet, its world (events included) and the handlers' view."""

    def __init__(
        self, index: int, fleet: Fleet, config: SimConfig, clock: Clock, ids: EventIds
    ) -> None:
        self.index = index
        self.fleet = fleet
        self.org_id = fleet.org_id
        self.org_name = fleet.org_name
        self.world = World(
            fleet,
            alarms_per_site_hour=config.alarms_per_site_hour,
            alarm_growth=ALARM_GROWTH in config.live,
            alarm_start=config.alarm_start,
        )
        self.api = Api.create(fleet, self.world, config.spelling, config.live)
        self._clock = clock
        self._ids = ids

    def truth(self, now: float | None = None, *, alarms_since: float | None = None) -> GroundTruth:
        return ground_truth(self.api, self._clock.time() if now is None else now, alarms_since)

    def add_event(self, event: Event) -> Placed:
        """Put ``event`` in force from now (ValueError when it does not fit the fleet)."""
        placed = self.world.place(event, self._ids.next(), self._clock.time())
        self._ids.taken += 1
        self.world.apply((*self.world.events, placed))
        return placed

    def clear_events(self) -> int:
        count = len(self.world.events)
        self.world.apply(())
        return count


def _macs(fleet: Fleet) -> set[str]:
    return {gw.mac for gw in fleet.gateways} | {hub.mac for hub in fleet.hubs}


def build_fleets(seed: int, sites: int, orgs: int) -> tuple[Fleet, ...]:
    """The fleets of ``orgs`` orgs; org k's fleet depends on (seed, sites, k) only."""
    fleets = [build_fleet(seed, sites)]
    taken = _macs(fleets[0])
    for k in range(1, orgs):
        attempt = 0
        while True:
            fleet = build_fleet(hash64(seed, tag("org"), k, attempt), sites)
            macs = _macs(fleet)
            if not macs & taken:
                break
            attempt += 1
        taken |= macs
        fleets.append(replace(fleet, org_name=f"{fleets[0].org_name} #{k + 1}"))
    return tuple(fleets)


class Directory:
    """The orgs of a simulator, and which of them each token may read."""

    def __init__(self, orgs: tuple[SimOrg, ...], config: SimConfig) -> None:
        self.orgs = orgs
        self._by_id = {org.org_id: org for org in orgs}
        self._by_site = {site.site_id: org for org in orgs for site in org.fleet.sites}
        scopes = config.token_orgs + (None,) * (len(config.tokens) - len(config.token_orgs))
        self._scopes = tuple(
            frozenset(range(len(orgs)) if scope is None else scope) for scope in scopes
        )
        self._privileges = tuple(
            tuple((org.org_id, org.org_name) for org in orgs if org.index in scope)
            for scope in self._scopes
        )

    def privileges(self, token: int) -> tuple[tuple[str, str], ...]:
        """(org_id, org name) of each org token ``token`` may read, in org order."""
        return self._privileges[token]

    def api_for(self, params: Mapping[str, str], token: int) -> Api:
        """The org a call's path names (by org or by site); 403 outside the token's scope."""
        org = None
        if "org_id" in params:
            org = self._by_id.get(params["org_id"])
        elif "site_id" in params:
            org = self._by_site.get(params["site_id"])
        if org is None:
            return self.orgs[0].api
        if org.index not in self._scopes[token]:
            raise ApiError(403, FORBIDDEN)
        return org.api

    def org(self, org_id: str | None, event: Event) -> SimOrg:
        """The org an event is for: ``org_id``, else the org owning the site it names, else 0."""
        if org_id is not None:
            found = self._by_id.get(org_id)
            if found is None:
                raise ValueError(f"unknown org_id {org_id!r}")
            return found
        if isinstance(event.site, str) and event.site in self._by_site:
            return self._by_site[event.site]
        return self.orgs[0]
