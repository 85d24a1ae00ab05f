"""Label values with quotes, backslashes, newlines and non-ASCII survive both formats."""

from __future__ import annotations

from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.metrics.render import Format
from exporter.model import Inventory, Org, Site, Snapshot
from tests.metrics.exposition import parse, render, samples

# Lone surrogates cannot be encoded as UTF-8, so no label value holds one.
SURROGATES: tuple[Literal["Cs"]] = ("Cs",)

NASTY = (
    'Store "Flagship" #1',
    "C:\\sites\\north\\",
    "line one\nline two",
    "Zürich Bahnhofstraße",
    "東京 渋谷店",
    "Ελληνικά 🛒",
    'mixed \\"quoted\\"\n\\n end',
    "",
)


def site_names(fmt: Format, names: tuple[str, ...]) -> list[str]:
    sites = tuple(Site(f"s{i}", name, f"region {name}", "CH") for i, name in enumerate(names))
    snapshot = Snapshot(inventory=Inventory(Org("o", 'Org "Q"\\'), sites))
    families = parse(render(snapshot, fmt=fmt), fmt)
    by_id = {dict(k)["site_id"]: dict(k) for k in samples(families, "mist_site_info")}
    assert dict(next(iter(samples(families, "mist_org_info"))))["org_name"] == 'Org "Q"\\'
    for i, name in enumerate(names):
        assert by_id[f"s{i}"]["region"] == f"region {name}"
    return [by_id[f"s{i}"]["site_name"] for i in range(len(names))]


@pytest.mark.parametrize("fmt", list(Format))
def test_nasty_site_names_parse_back(fmt: Format) -> None:
    assert site_names(fmt, NASTY) == list(NASTY)


@pytest.mark.parametrize("fmt", list(Format))
def test_escaped_text_has_no_raw_newline_inside_a_sample(fmt: Format) -> None:
    text = render(Snapshot(inventory=Inventory(Org("o", "a\nb"), ())), fmt=fmt)
    line = next(line for line in text.splitlines() if line.startswith("mist_org_info{"))
    assert line == 'mist_org_info{org_id="o",org_name="a\\nb"} 1.0'


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(exclude_categories=SURROGATES), max_size=40))
def test_any_site_name_round_trips(name: str) -> None:
    for fmt in Format:
        assert site_names(fmt, (name,)) == [name]
