"""What a simulator is told: fleet size and seed, accepted tokens, budget, latency, faults,
and the events in force from the start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exporter.config import DEMO_TOKEN
from exporter.simulator.events import Event
from exporter.simulator.live import ALARM_START_FIELDS, ALL

FAULT_MODES = (
    "429",
    "5xx",
    "stall",
    "reset",
    "malformed",
    "truncated",
    "html",
    "missing_fields",
    "401",
)
SPELLINGS = ("spec", "live")


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault injected into matching API calls.

    ``endpoint`` is a glob on the endpoint template (``/api/v1/orgs/{org_id}/sites``) or the
    request path; ``count`` limits it to the first N matching calls; ``rate`` is the share of
    matching calls hit; ``retry_after`` adds that header to a ``429``; ``status`` picks the code
    of ``5xx`` (default: 500, 502, 503 in turn) and ``html`` (default 502; 200 is allowed).
    """

    mode: str
    endpoint: str = "*"
    rate: float = 1.0
    count: int | None = None
    retry_after: float | None = None
    status: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in FAULT_MODES:
            raise ValueError(
                f"unknown fault mode {self.mode!r}; use one of {', '.join(FAULT_MODES)}"
            )
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {self.rate}")
        if self.count is not None and self.count < 1:
            raise ValueError(f"fault count must be at least 1, got {self.count}")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError(f"retry_after must not be negative, got {self.retry_after}")
        if self.status is not None and not (
            (self.mode == "5xx" and 500 <= self.status <= 599)
            or (self.mode == "html" and self.status in (200, 500, 502, 503, 504))
        ):
            raise ValueError(f"status {self.status} does not fit fault mode {self.mode!r}")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """A fault from the JSON body of ``POST /__sim/faults``."""
        unknown = set(data) - {"mode", "endpoint", "rate", "count", "retry_after", "status"}
        if unknown:
            raise ValueError(f"unknown fault key(s): {', '.join(sorted(unknown))}")
        if "mode" not in data:
            raise ValueError("fault needs a 'mode'")
        return cls(
            mode=str(data["mode"]),
            endpoint=str(data.get("endpoint", "*")),
            rate=_number(data, "rate", 1.0),
            count=None if data.get("count") is None else int(_number(data, "count", 0)),
            retry_after=None
            if data.get("retry_after") is None
            else _number(data, "retry_after", 0),
            status=None if data.get("status") is None else int(_number(data, "status", 0)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "endpoint": self.endpoint,
            "rate": self.rate,
            "count": self.count,
            "retry_after": self.retry_after,
            "status": self.status,
        }


def _number(data: Mapping[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"fault {key} must be a number, got {value!r}")
    return float(value)


def parse_fault(text: str) -> Fault:
    """``MODE[:ENDPOINT_GLOB[:RATE]]`` as given to ``--fault``."""
    mode, _, rest = text.partition(":")
    endpoint, _, rate_text = rest.rpartition(":") if rest.count(":") else (rest, "", "")
    try:
        rate = float(rate_text) if rate_text else 1.0
    except ValueError:
        raise ValueError(f"fault rate must be a number, got {rate_text!r}") from None
    return Fault(mode=mode, endpoint=endpoint or "*", rate=rate)


@dataclass(frozen=True, slots=True)
class SimConfig:
    """How big the simulated orgs are and how the simulated cloud behaves.

    ``orgs`` orgs of ``sites`` sites each: org 0 is built from ``seed``, org k from a seed
    derived from (``seed``, k). ``token_orgs[i]`` holds the org indexes token i may read
    (None, or no entry: every org). ``events`` are placed when the simulator starts, at its
    clock's time then (in the org owning the site they name, else org 0). ``live`` holds the
    live cloud's behaviours in force (all by default, see ``live.BEHAVIOURS``);
    ``alarm_start`` is the alarm field the search's ``start`` filters on;
    ``alarms_per_site_hour`` sets the alarm volume.
    """

    sites: int = 200
    seed: int = 1
    tokens: tuple[str, ...] = (DEMO_TOKEN,)
    orgs: int = 1
    token_orgs: tuple[tuple[int, ...] | None, ...] = ()
    latency_ms: float = 0.0
    calls_per_hour: int = 5000
    retry_after: bool = False
    spelling: str = "spec"
    faults: tuple[Fault, ...] = ()
    events: tuple[Event, ...] = ()
    live: frozenset[str] = ALL
    alarm_start: str = "timestamp"
    alarms_per_site_hour: float = 0.02

    def __post_init__(self) -> None:
        if self.sites < 0:
            raise ValueError(f"sites must not be negative, got {self.sites}")
        if not self.tokens or any(not token for token in self.tokens):
            raise ValueError("at least one non-empty token is needed")
        if self.orgs < 1:
            raise ValueError(f"orgs must be at least 1, got {self.orgs}")
        if len(self.token_orgs) > len(self.tokens):
            raise ValueError(
                f"token_orgs scopes {len(self.token_orgs)} tokens, only {len(self.tokens)} given"
            )
        for scope in self.token_orgs:
            if scope is not None and any(not 0 <= org < self.orgs for org in scope):
                raise ValueError(f"token_orgs {list(scope)}: org indexes are 0..{self.orgs - 1}")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must not be negative, got {self.latency_ms}")
        if self.calls_per_hour < 1:
            raise ValueError(f"calls_per_hour must be at least 1, got {self.calls_per_hour}")
        if not self.live <= ALL:
            raise ValueError(f"unknown live behaviour(s): {', '.join(sorted(self.live - ALL))}")
        if self.alarm_start not in ALARM_START_FIELDS:
            raise ValueError(f"alarm_start must be one of {', '.join(ALARM_START_FIELDS)}")
        if not 0 <= self.alarms_per_site_hour <= 100:
            raise ValueError(
                f"alarms_per_site_hour must be between 0 and 100, got {self.alarms_per_site_hour}"
            )
        if self.spelling not in SPELLINGS:
            raise ValueError(
                f"spelling must be one of {', '.join(SPELLINGS)}, got {self.spelling!r}"
            )
