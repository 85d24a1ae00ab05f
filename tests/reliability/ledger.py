"""The alarm ledger check: what the exporter counted against what the simulator served."""

from __future__ import annotations

import json
import math
from typing import Any

from exporter.simulator.app import Simulator
from tests.reliability.support import Scrape
from tests.support.redis import RedisServer


def stored_ledger(redis_server: RedisServer, org_id: str) -> dict[str, Any] | None:
    """The exporter's alarm ledger as it sits in Redis (None when absent)."""
    with redis_server.client() as client:
        raw = client.get(f"mistwan:v1:{org_id}:alarms:ledger")
    return None if raw is None else dict(json.loads(raw))


def ledger_problems(
    sim: Simulator,
    metrics: Scrape,
    cursor: float,
    *,
    first_start: tuple[float, float],
    window: float,
) -> list[str]:
    """Whether ``metrics`` count every alarm once.

    ``cursor`` is the ``now`` of the exporter's last complete alarm walk (it asked for alarms
    before ``int(cursor)``); ``first_start`` bounds the start of its very first walk, which is
    known only to lie between two wall-clock readings. Incidents (``mist_alarm_incidents_total``
    summed) must equal the incident counts of the simulator's alarms from that first start on
    for some start in the bounds; ``mist_alarms`` summed must equal the alarms of the window
    before ``cursor`` exactly.
    """
    problems = []
    end = float(int(cursor))
    lo, hi = math.floor(first_start[0]) - 1, first_start[1] + 1
    served = sim.world.alarms_between(lo, end)
    in_gap = sum(1 for a in served if a.timestamp < hi)
    feasible = {sum(max(a.count, 1) for a in served[skip:]) for skip in range(in_gap + 1)}
    incidents = sum(metrics.series("mist_alarm_incidents_total").values())
    if incidents not in feasible:
        problems.append(
            f"mist_alarm_incidents_total sums to {incidents:.0f}; the simulator served "
            f"{sorted(feasible)} incidents since the first walk"
        )
    truth = sim.truth(end, alarms_since=cursor - window)
    in_window = sum(metrics.series("mist_alarms").values())
    if in_window != len(truth.alarm_ids):
        problems.append(
            f"mist_alarms sums to {in_window:.0f}; the simulator has {len(truth.alarm_ids)} "
            "alarms in the window"
        )
    return problems
