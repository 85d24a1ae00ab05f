"""Validating simulator responses against the Mist OpenAPI spec, leniently.

``mist_openapi_subset.json`` holds the GET 200 responses of the endpoints the simulator serves
and every component they reference, cut from the official spec (mistsys/mist_openapi, MIT) so
the tests run from a plain clone. It is loaded once and rewritten for JSON Schema 2020-12:
``additionalProperties: false`` is dropped for lenient validation (live responses carry extra
keys) and kept for strict validation, a ``oneOf`` with a discriminator becomes an
``if``/``then`` per mapped type, and any other ``oneOf`` becomes ``anyOf`` (without the dropped
``additionalProperties`` its branches overlap, e.g. every SLE kind accepts an empty page).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # no py.typed, no stubs pinned
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).with_name("mist_openapi_subset.json")
_URN = "urn:mist-openapi"


def _rewrite(node: Any, strict: bool) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, strict) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: _rewrite(v, strict)
        for k, v in node.items()
        if strict or not (k == "additionalProperties" and v is False)
    }
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        out["$ref"] = _URN + ref
    discriminator = node.get("discriminator")
    if "oneOf" in out and isinstance(discriminator, dict) and "mapping" in discriminator:
        prop = discriminator["propertyName"]
        mapping = discriminator["mapping"]
        del out["oneOf"]
        out["allOf"] = [
            {"properties": {prop: {"enum": sorted(mapping)}}, "required": [prop]},
            *(
                {"if": {"properties": {prop: {"const": key}}}, "then": {"$ref": _URN + target}}
                for key, target in sorted(mapping.items())
            ),
        ]
    elif "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    return out


@cache
def _spec(strict: bool) -> tuple[dict[str, Any], Registry]:
    document = _rewrite(json.loads(SPEC_PATH.read_text(encoding="utf-8")), strict)
    registry = Registry().with_resource(_URN, DRAFT202012.create_resource(document))
    return document, registry


def _follow(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix(_URN + "#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


@cache
def validator(template: str, strict: bool) -> Draft202012Validator:
    """The validator of the 200 JSON response of ``GET template``."""
    document, registry = _spec(strict)
    response = _follow(document, document["paths"][template]["get"]["responses"]["200"])
    schema = response["content"]["application/json"]["schema"]
    return Draft202012Validator(schema, registry=registry)


def errors(template: str, body: Any, *, strict: bool = False) -> list[str]:
    """Readable validation errors of ``body`` (empty when it conforms).

    ``strict`` also rejects keys the spec does not declare where it says
    ``additionalProperties: false``.
    """
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
        for error in validator(template, strict).iter_errors(body)
    ]
