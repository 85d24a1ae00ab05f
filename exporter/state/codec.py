"""JSON for the model's frozen dataclasses, so parts of a snapshot can be kept in the store.

``encode`` turns a dataclass (or tuple, frozenset, mapping, scalar) into JSON-compatible data;
``decode(type, data)`` rebuilds it from a type such as ``tuple[WanPort, ...]``,
``Inventory | None`` or ``SummaryTrend``, raising ValueError naming the path of any mismatch.
Non-finite floats are written as the strings ``"inf"``, ``"-inf"`` and ``"nan"`` (strict JSON
has no literal for them); frozensets as sorted lists.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from exporter.state.store import JSON

_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The fields of a dataclass type, None for any other type (cached: encode is hot)."""
    if cls not in _FIELD_NAMES:
        is_dc = dataclasses.is_dataclass(cls)
        _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls)) if is_dc else None
    return _FIELD_NAMES[cls]


def encode(obj: Any) -> JSON:
    kind = type(obj)
    if kind is str or kind is int or kind is bool or obj is None:
        return obj
    if kind is float:
        if math.isfinite(obj):
            return obj
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    names = _field_names(kind)
    if names is not None:
        return {name: encode(getattr(obj, name)) for name in names}
    if isinstance(obj, tuple | list):
        return [encode(item) for item in obj]
    if isinstance(obj, frozenset | set):
        return sorted((encode(item) for item in obj), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(obj, Mapping):
        if not all(isinstance(key, str) for key in obj):
            raise ValueError("only mappings with string keys can be encoded")
        return {key: encode(value) for key, value in obj.items()}
    raise ValueError(f"cannot encode {type(obj).__name__}")


def decode(cls: Any, data: JSON) -> Any:
    """Rebuild a value of type ``cls`` from what :func:`encode` gave."""
    return _decode(cls, data, getattr(cls, "__name__", str(cls)))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(cls: Any, data: JSON, path: str) -> Any:
    if cls is Any:
        return data
    if cls is type(None):
        if data is not None:
            raise ValueError(f"{path}: expected null")
        return None
    origin = typing.get_origin(cls)
    args = typing.get_args(cls)
    if origin is typing.Union or origin is types.UnionType:
        return _union(args, data, path)
    if dataclasses.is_dataclass(cls) and isinstance(cls, type):
        return _dataclass(cls, data, path)
    if origin in (tuple, list, frozenset, set):
        return _collection(origin, args, data, path)
    if origin in (dict, Mapping):
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected an object")
        return {str(k): _decode(args[1], v, f"{path}.{k}") for k, v in data.items()}
    if cls in (bool, int, float, str):
        return _scalar(cls, data, path)
    raise ValueError(f"{path}: cannot decode into {cls!r}")


def _union(args: tuple[Any, ...], data: JSON, path: str) -> Any:
    if data is None and type(None) in args:
        return None
    errors = []
    for option in args:
        if option is type(None):
            continue
        try:
            return _decode(option, data, path)
        except ValueError as exc:
            errors.append(str(exc))
    raise ValueError("; ".join(errors) or f"{path}: no type matches")


def _dataclass(cls: type, data: JSON, path: str) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object for {cls.__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(f"{path}: unknown field(s) {', '.join(map(str, unknown))}")
    hints = _hints(cls)
    values = {}
    for name, field in fields.items():
        if name in data:
            values[name] = _decode(hints[name], data[name], f"{path}.{name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ValueError(f"{path}.{name}: missing")
    return cls(**values)


def _collection(origin: Any, args: tuple[Any, ...], data: JSON, path: str) -> Any:
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected an array")
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        if len(args) != len(data):
            raise ValueError(f"{path}: expected {len(args)} items, got {len(data)}")
        pairs = enumerate(zip(args, data, strict=True))
        return tuple(_decode(option, item, f"{path}[{i}]") for i, (option, item) in pairs)
    items = [_decode(args[0], item, f"{path}[{i}]") for i, item in enumerate(data)]
    return frozenset(items) if origin in (frozenset, set) else origin(items)


def _scalar(cls: type, data: JSON, path: str) -> Any:
    if cls is float:
        if isinstance(data, str) and data in _NON_FINITE:
            return _NON_FINITE[data]
        if isinstance(data, int | float) and not isinstance(data, bool):
            return float(data)
    elif isinstance(data, cls) and (cls is bool or not isinstance(data, bool)):
        return data
    raise ValueError(f"{path}: expected {cls.__name__}, got {type(data).__name__}")
