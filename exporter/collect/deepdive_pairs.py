"""Which (site, metric) pairs a deep-dive round takes, and what each costs.

Degraded pairs first (Mist's worst-site ranking, then score), then healthy ones closest to
degraded; a pair costs its every-refresh calls, the impact calls (degraded pairs, at most
hourly) and, the first time, the daily ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from exporter.collect.plan import DEEP_DIVE_DAILY_CALLS_PER_PAIR
from exporter.collect.table import DEEP_DIVE_IMPACT_SECONDS
from exporter.mist import endpoints as ep
from exporter.mist.parse import WAN_LINK_HEALTH_V2
from exporter.model import SleDeepDive, SleScore, WorstSite
from exporter.thresholds import Thresholds

WAN_LINK_HEALTH = "wan-link-health"
APPLICATION_HEALTH = "application-health"
# Every refresh: summary-trend, histogram; at most hourly: impact-summary, impacted-clients and
# one more for these metrics.
MEASURE_CALLS = 2
IMPACT_CALLS = 2
EXTRA_CALL = {
    APPLICATION_HEALTH: ep.SLE_IMPACTED_APPLICATIONS,
    WAN_LINK_HEALTH: ep.SLE_IMPACTED_PEER_PATHS,
    WAN_LINK_HEALTH_V2: ep.SLE_IMPACTED_PEER_PATHS,
}

Pair = tuple[str, str]


def pair_calls(sle: str, *, first: bool = False, impact: bool = True) -> int:
    """Calls of one refresh of a pair (at most the planner's ``DEEP_DIVE_CALLS_PER_PAIR``),
    ``impact`` when the impact calls are due; the first deep-dive of a pair also fetches the
    site's enabled metrics and the threshold."""
    calls = MEASURE_CALLS + (IMPACT_CALLS + (sle in EXTRA_CALL) if impact else 0)
    return calls + DEEP_DIVE_DAILY_CALLS_PER_PAIR if first else calls


def impact_due(dive: SleDeepDive | None, now: float) -> bool:
    """Whether a refresh of the pair makes its impact calls (at most hourly)."""
    return dive is None or now - dive.impact_fetched_at >= DEEP_DIVE_IMPACT_SECONDS


def degraded_pairs(
    scores: Iterable[SleScore], worst: Iterable[WorstSite], thresholds: Thresholds
) -> list[Pair]:
    """Degraded pairs: Mist's worst-site ranking first, then by score.

    Where a site has ``wan-link-health-v2`` it replaces ``wan-link-health`` (the live API's
    newer measure of the same links).
    """
    scores = list(scores)
    rank = {(w.site_id, w.sle): i for i, w in enumerate(sorted(worst, key=lambda w: w.ratio))}
    v2 = {s.site_id for s in scores if s.sle == WAN_LINK_HEALTH_V2}
    below = [
        s
        for s in scores
        if thresholds.degraded(s.sle, s.ratio)
        and not (s.sle == WAN_LINK_HEALTH and s.site_id in v2)
    ]
    below.sort(key=lambda s: (rank.get((s.site_id, s.sle), len(rank)), s.ratio, s.site_id))
    return [(s.site_id, s.sle) for s in below]


def healthy_pairs(scores: Iterable[SleScore], degraded: set[Pair]) -> list[Pair]:
    """The rest of the fleet, closest to degraded first."""
    rest = [s for s in scores if (s.site_id, s.sle) not in degraded]
    rest.sort(key=lambda s: (s.ratio, s.site_id, s.sle))
    return [(s.site_id, s.sle) for s in rest]


def refreshes_before(fetched_at: float, refresh: float, end: float) -> int:
    """How many more times a pair fetched at ``fetched_at`` comes due before ``end``."""
    return max(0, math.ceil((end - fetched_at) / refresh) - 1)


def affordable(
    pairs: Sequence[Pair],
    known: Mapping[Pair, SleDeepDive],
    calls: float,
    now: float,
    *,
    impact: bool = True,
) -> tuple[list[Pair], float]:
    """The leading ``pairs`` that ``calls`` pays for, and the calls left after them; without
    the impact calls unless ``impact`` (degraded pairs)."""
    chosen = []
    for pair in pairs:
        dive = known.get(pair)
        due = impact and impact_due(dive, now)
        cost = pair_calls(pair[1], first=dive is None, impact=due)
        if cost > calls:
            break
        chosen.append(pair)
        calls -= cost
    return chosen, calls
