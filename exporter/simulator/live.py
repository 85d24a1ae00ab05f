"""The live cloud's habits the simulator serves by default, each one switchable off.

Every choice here (which row repeats, which field is missing, which site has no monitored
paths) is a pure function of the seed, the row's key and, where it changes, the clock.
"""

from __future__ import annotations

from collections.abc import Iterable

from exporter.simulator.rand import tag, unit

PAGE_REPEATS = "page_repeats"
DUPLICATE_PATHS = "duplicate_paths"
MISSING_FIELDS = "missing_fields"
STALE_PATHS = "stale_paths"
OFFLINE_PORTS_UP = "offline_ports_up"
TREND_OFFSET = "trend_offset"
SHORT_WINDOW_400 = "short_window_400"
NO_PATHS_ZERO = "no_paths_zero"
ALARM_GROWTH = "alarm_growth"
WORST_SITES_REFUSAL = "worst_sites_refusal"
HA_NODES = "ha_nodes"

BEHAVIOURS: dict[str, str] = {
    PAGE_REPEATS: "search rows updated mid-walk come back on the next page (ports, peers)",
    DUPLICATE_PATHS: "some peer paths twice in a row, first without quality, same last_seen",
    MISSING_FIELDS: "fields the spec leaves optional missing on a seeded share of rows",
    STALE_PATHS: "peer search returns paths last seen up to a day ago unless the window is shorter",
    OFFLINE_PORTS_UP: "ports of a disconnected gateway still up, with the rates of before",
    TREND_OFFSET: "summary-trend starts off the hour, the last bucket partial",
    SHORT_WINDOW_400: "400 for windows under an hour and for impacted-interfaces of gateway-health",
    NO_PATHS_ZERO: "wan-link-health-v2 = 0 at sites without monitored paths (live spelling)",
    ALARM_GROWTH: "open alarms' count/incident_count and last_seen grow over time",
    WORST_SITES_REFUSAL: "worst-sites-by-sle answers 400 for SLE names it does not rank",
    HA_NODES: "HA clusters report a second node (if2_stat, cpu2_stat, memory2_stat, node)",
}
ALL = frozenset(BEHAVIOURS)
ALARM_START_FIELDS = ("timestamp", "last_seen")

# Shares of rows (all seeded by the row's key).
REPEAT_SHARE = 0.01
DUPLICATE_SHARE = 0.01
NO_PEER_PORT_SHARE = 0.005
MISSING_SHARE = 0.03
NO_PATHS_SHARE = 0.05
GHOST_SHARE = 0.005
# How long a row "changed" before it is sent again (the older copy's age).
REPEAT_AGE = 45.0
SHORT_WINDOW = 3600.0
_MISSING = tag("missing")
_REPEAT = tag("repeat")
_DUP = tag("dup")
_NO_PATHS = tag("no-paths")


def without(names: Iterable[str]) -> frozenset[str]:
    """All behaviours but ``names`` (``all`` switches every one off); ValueError on a typo."""
    off = set(names)
    if "all" in off:
        return frozenset()
    unknown = off - ALL
    if unknown:
        raise ValueError(
            f"unknown live behaviour(s) {', '.join(sorted(unknown))}; "
            f"use {', '.join(sorted(ALL))} or all"
        )
    return ALL - off


def missing(key: int, name: str, share: float = MISSING_SHARE) -> bool:
    """Whether the row with ``key`` leaves out the optional field ``name``."""
    return unit(key, _MISSING, tag(name)) < share


def repeated(key: int, walk: float) -> bool:
    """Whether the row with ``key`` changes during the walk that started at ``walk``."""
    return unit(key, _REPEAT, int(walk)) < REPEAT_SHARE


def duplicated(key: int) -> bool:
    """Whether the peer path with ``key`` is sent twice (the spec example's habit)."""
    return unit(key, _DUP) < DUPLICATE_SHARE


def no_monitored_paths(site_key: int) -> bool:
    """Whether a site has no paths monitored for ``wan-link-health-v2``."""
    return unit(site_key, _NO_PATHS) < NO_PATHS_SHARE


def drop(row: dict[str, object], key: int, names: Iterable[str]) -> dict[str, object]:
    """``row`` without the optional ``names`` this row's ``key`` leaves out."""
    for name in names:
        if name in row and missing(key, name):
            del row[name]
    return row
