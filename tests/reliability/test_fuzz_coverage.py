"""The parse fuzz in tests/parse/test_fuzz.py covers every parse function of the Mist client."""

from __future__ import annotations

import inspect

from exporter.mist import parse
from tests.parse.test_fuzz import CASES


def test_every_parse_function_is_fuzzed() -> None:
    public = {
        name.removeprefix("parse_")
        for name, member in inspect.getmembers(parse, inspect.isfunction)
        if name.startswith("parse_") and member.__module__ == parse.__name__
    }
    fuzzed = {name for name, _, _ in CASES}
    assert public - fuzzed == set(), "parse functions without a mutation fuzz case"
