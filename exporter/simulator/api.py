"""The state a handler reads: the fleet, its world at a time, and the spelling to speak."""

from __future__ import annotations

from dataclasses import dataclass

from exporter.simulator.dynamics import World
from exporter.simulator.fleet import Fleet, SiteSpec
from exporter.simulator.replies import FORBIDDEN, NOT_FOUND, ApiError, Call


@dataclass(frozen=True, slots=True)
class Api:
    fleet: Fleet
    world: World
    live: bool
    site_index: dict[str, int]

    @classmethod
    def create(cls, fleet: Fleet, world: World, spelling: str) -> Api:
        return cls(fleet, world, spelling == "live", {s.site_id: s.index for s in fleet.sites})

    def check_org(self, call: Call) -> None:
        if call.params.get("org_id") != self.fleet.org_id:
            raise ApiError(403, FORBIDDEN)

    def site(self, call: Call) -> SiteSpec:
        index = self.site_index.get(call.params.get("site_id", ""))
        if index is None:
            raise ApiError(404, NOT_FOUND)
        return self.fleet.sites[index]
