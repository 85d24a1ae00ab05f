"""The state a handler reads: the fleet, its world at a time, and the spelling to speak."""

from __future__ import annotations

from dataclasses import dataclass

from exporter.simulator.dynamics import World
from exporter.simulator.fleet import Fleet, SiteSpec
from exporter.simulator.replies import FORBIDDEN, NOT_FOUND, ApiError, Call


@dataclass(frozen=True, slots=True)
class Api:
    """``live`` is the live spelling of metric names; ``behaviours`` the live habits in force."""

    fleet: Fleet
    world: World
    live: bool
    site_index: dict[str, int]
    behaviours: frozenset[str] = frozenset()

    @classmethod
    def create(
        cls, fleet: Fleet, world: World, spelling: str, behaviours: frozenset[str] = frozenset()
    ) -> Api:
        index = {s.site_id: s.index for s in fleet.sites}
        return cls(fleet, world, spelling == "live", index, behaviours)

    def does(self, behaviour: str) -> bool:
        """Whether the live habit ``behaviour`` (``live.BEHAVIOURS``) is in force."""
        return behaviour in self.behaviours

    def check_org(self, call: Call) -> None:
        if call.params.get("org_id") != self.fleet.org_id:
            raise ApiError(403, FORBIDDEN)

    def site(self, call: Call) -> SiteSpec:
        index = self.site_index.get(call.params.get("site_id", ""))
        if index is None:
            raise ApiError(404, NOT_FOUND)
        return self.fleet.sites[index]
