"""The Mist OpenAPI spec's own examples, as the parse tests feed them to the parsers.

``mist_openapi_examples.json`` is cut from the official spec (mistsys/mist_openapi 2610.1.0,
MIT): the GET 200 responses of the endpoints with examples, their examples, the named examples
of the endpoints whose responses have none, and the ``alarm`` schema (whose properties carry
examples), so the tests run from a plain clone.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SPEC = Path(__file__).with_name("mist_openapi_examples.json")


@cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC.read_text())
    return spec


def _resolve(node: dict[str, Any]) -> Any:
    while "$ref" in node:
        target: Any = _spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def response_examples(path: str) -> dict[str, Any]:
    """``{example name: value}`` of the JSON 200 answer of ``GET path`` (fresh copies)."""
    response = _resolve(_spec()["paths"][path]["get"]["responses"]["200"])
    examples = response["content"]["application/json"].get("examples", {})
    return {name: copy.deepcopy(_resolve(ex)["value"]) for name, ex in examples.items()}


def response_example(path: str, name: str | None = None) -> Any:
    examples = response_examples(path)
    return examples[name] if name is not None else next(iter(examples.values()))


def named_example(name: str) -> Any:
    return copy.deepcopy(_spec()["components"]["examples"][name]["value"])


def schema_example(schema: str) -> dict[str, Any]:
    """An object built from the ``examples`` the spec gives for each property of ``schema``."""
    properties = _resolve(_spec()["components"]["schemas"][schema])["properties"]
    built = {}
    for key, prop in properties.items():
        examples = prop.get("examples") or _resolve(prop).get("examples")
        if examples:
            built[key] = copy.deepcopy(examples[0])
    return built
