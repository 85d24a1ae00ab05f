"""Deterministic, stateless pseudo-randomness: a value is a pure function of its inputs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

_MASK = (1 << 64) - 1
_T = TypeVar("_T")


def split(x: int) -> int:
    """One splitmix64 step."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def hash64(*parts: int) -> int:
    """A 64-bit hash of integers (splitmix64 chained; ``split`` inlined, it is the hot path)."""
    h = 0x2545F4914F6CDD1D
    for part in parts:
        x = ((h ^ (part & _MASK)) + 0x9E3779B97F4A7C15) & _MASK
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
        h = x ^ (x >> 31)
    return h


def unit(*parts: int) -> float:
    """A float in [0, 1) from integers."""
    return (hash64(*parts) >> 11) * (1.0 / (1 << 53))


def between(low: float, high: float, *parts: int) -> float:
    return low + (high - low) * unit(*parts)


def pick(options: Sequence[_T], *parts: int) -> _T:
    return options[int(unit(*parts) * len(options))]


def weighted(options: Sequence[tuple[_T, float]], *parts: int) -> _T:
    """One of ``options`` (value, weight) chosen by the hash of ``parts``."""
    target = unit(*parts) * sum(weight for _, weight in options)
    for value, weight in options:
        target -= weight
        if target < 0:
            return value
    return options[-1][0]


def make_uuid(*parts: int) -> str:
    """A version-4-shaped UUID string derived from ``parts``."""
    high = hash64(*parts, 1)
    low = hash64(*parts, 2)
    return str(uuid.UUID(int=(high << 64) | low, version=4))


@lru_cache(maxsize=1024)
def tag(name: str) -> int:
    """A stable integer for a string (independent of PYTHONHASHSEED)."""
    value = 0
    for char in name.encode():
        value = split(value ^ char)
    return value
