"""The direct writer of /metrics lines writes what prometheus_client writes, byte for byte."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.utils import floatToGoString

from exporter.metrics.families import MetricBuilder
from exporter.metrics.lines import (
    BLOCK,
    LineBuilder,
    label_text,
    label_texts,
    value_text,
    value_texts,
)
from exporter.metrics.render import Format, data_chunks, encode, header
from exporter.metrics.series import Builder, L
from exporter.metrics.snapshot_families import PARTS, PORT, snapshot_families
from exporter.model import Inventory, Org, Site, Snapshot
from tests.metrics.test_escaping import NASTY, SURROGATES
from tests.support.snapshots import one_of_everything, reference_snapshot


def go(value: float) -> str:
    return str(floatToGoString(value))  # type: ignore[no-untyped-call]


def assert_same(snapshot: Snapshot, fmt: Format) -> None:
    fast = b"".join(data_chunks(snapshot, fmt))
    assert fast == encode(list(snapshot_families(snapshot)), fmt)


@pytest.mark.parametrize("fmt", list(Format))
def test_one_of_everything(fmt: Format) -> None:
    """Every family: counters' _total, the gaugehistogram, HA nodes, optional labels."""
    assert_same(one_of_everything(), fmt)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(Format))
def test_a_reference_org(fmt: Format) -> None:
    """The synthetic org's shape (and more lines than one block of a family)."""
    snapshot = reference_snapshot(1200)
    assert len(snapshot.wan_ports) > BLOCK
    assert_same(snapshot, fmt)


def inventory(names: tuple[str, ...]) -> Snapshot:
    sites = tuple(Site(f"s{i}", name, f"region {name}", "CH") for i, name in enumerate(names))
    return Snapshot(inventory=Inventory(Org("o", 'Org "Q"\\'), sites))


@pytest.mark.parametrize("fmt", list(Format))
def test_odd_label_values(fmt: Format) -> None:
    assert_same(inventory(NASTY), fmt)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=SURROGATES), max_size=20), max_size=4))
def test_any_label_values(names: list[str]) -> None:
    for fmt in Format:
        assert_same(inventory(tuple(names)), fmt)


@given(st.floats() | st.integers(-(2**53), 2**53) | st.booleans())
def test_values_as_floattogostring(value: float) -> None:
    assert value_text(value) == go(value)


@pytest.mark.parametrize("value", [1e6, 999999.5, 1e15 + 0.5, 1e16, 123456789012.0, -1e7, 5e-324])
def test_values_at_the_edges_of_go_form(value: float) -> None:
    assert value_text(value) == go(value)


# Values equal as keys but not as text (0.0, -0.0), equal as both (True, 1, 1.0), NaN, infinities.
POOL = (0.0, -0.0, False, 0, 1.0, True, 1, 2.5, -3.0, 1e6, 123456789.0, 1e16, 5e-324)
SPECIAL = (math.inf, -math.inf, math.nan)


@given(
    st.lists(st.sampled_from(POOL + SPECIAL), max_size=300)
    | st.lists(st.floats() | st.booleans(), max_size=100)
    | st.lists(st.floats(), min_size=17, max_size=100, unique=True)
)
def test_a_block_of_values_as_floattogostring(values: list[float]) -> None:
    """Few distinct values (one text each) or many, however they mix."""
    assert list(value_texts(values)) == [go(v) for v in values]


@pytest.mark.parametrize(
    "values",
    [
        [0.0] * 40 + [-0.0] + [1.0] * 40,  # few distinct, one zero negative
        [-0.0] + [0] * 40,
        [float(i) for i in range(50)] + [-0.0],
        [1e6 + i for i in range(40)] + [math.nan, 5.0],
        [0.5 + i for i in range(40)] + [-math.inf],
    ],
)
def test_values_that_compare_equal_but_read_differently(values: list[float]) -> None:
    assert list(value_texts(values)) == [go(v) for v in values]


def expected_labels(keys: tuple[str, ...], row: tuple[str, ...]) -> str:
    """Labels as prometheus_client writes them: sorted by name, values escaped."""
    escaped = (v.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"") for v in row)
    pairs = sorted(zip(keys, escaped, strict=True))
    return "{" + ",".join(f'{k}="{v}"' for k, v in pairs) + "} " if keys else " "


@pytest.mark.parametrize(
    "keys",
    [("site_id", "gateway_mac", "port_id"), ("gateway_mac", "port_id", "site_id"), ("a",), ()],
)
@pytest.mark.parametrize("odd", [None, *NASTY])
def test_a_column_of_labels_as_prometheus_client(keys: tuple[str, ...], odd: str | None) -> None:
    """Sorted or not, with one odd value among plain ones (escaped) or none."""
    rows = [tuple(f"{k}-{i}" for k in keys) for i in range(5)]
    if odd is not None and keys:
        rows[3] = (odd, *rows[3][1:])
    expected = [expected_labels(keys, row) for row in rows]
    assert label_texts(keys, rows) == expected
    assert [label_text(keys, row) for row in rows] == expected


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(Format))
def test_unreported_values_over_many_blocks(fmt: Format) -> None:
    """A column with a whole block unreported, and gaps in others."""
    snapshot = reference_snapshot(1200)
    ports = tuple(
        dataclasses.replace(
            p,
            latency_seconds=None if i < BLOCK + 10 else p.latency_seconds,
            loss_ratio=None if i % 3 else p.loss_ratio,
            speed_bytes_per_second=None if i > BLOCK else p.speed_bytes_per_second,
        )
        for i, p in enumerate(snapshot.wan_ports)
    )
    assert_same(dataclasses.replace(snapshot, wan_ports=ports), fmt)


def test_a_repeated_series_is_written_once_and_counted() -> None:
    snapshot = one_of_everything()
    port = snapshot.wan_ports[0]
    twin = dataclasses.replace(port, up=not port.up, wan_name="other")
    snapshot = dataclasses.replace(snapshot, wan_ports=(port, twin, *snapshot.wan_ports[1:]))
    builder = LineBuilder()
    next(p for p in PARTS if p.name == "wan_ports").build(snapshot, builder)
    counts = {f.name: f.duplicates for f in builder.families}
    assert counts["mist_wan_port_up"] == 1
    assert counts["mist_wan_port_info"] == 0  # another wan_name: another series
    for fmt in Format:
        assert_same(snapshot, fmt)


def fill(b: Builder[L]) -> None:
    """Columns and rows mixed, missing values, labels repeated within and across them."""
    up = b.family("mist_wan_port_up")
    up.add_column(b.label_column(PORT, [("s", "m", "p1"), ("s", "m", "p2")]), [1.0, None])
    up.add(b.labels(PORT, ("s", "m", "p3")), 0.0)
    up.add(b.labels(PORT, ("s", "m", "p1")), 5.0)
    speed = b.family("mist_wan_port_speed_bytes_per_second")
    twice = b.label_column(PORT, [("s", "m", "p1"), ("s", "m", "p1"), ("s", "m", "p1")])
    speed.add_column(twice, [None, 2e6, 3e6])
    loss = b.family("mist_wan_port_loss_ratio")
    loss.add(b.labels(PORT, ("s", "m", "p1")), 0.5)
    loss.add_column(b.label_column(PORT, [("s", "m", "p1"), ("s", "m", "p2")]), [0.1, 0.2])
    jitter = b.family("mist_wan_port_jitter_seconds")  # two columns: the first one stays
    jitter.add_column(b.label_column(PORT, [("s", "m", "p1"), ("s", "m", "p2")]), [0.1, 0.2])
    jitter.add_column(b.label_column(PORT, [("s", "m", "p2"), ("s", "m", "p3")]), [0.3, 0.4])


def test_columns_and_rows_follow_the_same_rules_as_families() -> None:
    lines, metrics = LineBuilder(), MetricBuilder()
    fill(lines)
    fill(metrics)
    assert [f.duplicates for f in lines.families] == [f.duplicates for f in metrics.families]
    assert [f.duplicates for f in lines.families] == [1, 1, 1, 1]
    for fmt in Format:
        fast = b"".join(header(f.name, fmt) + b"".join(f.samples()) for f in lines.families)
        assert fast == encode(metrics.metrics(), fmt)
        lines = LineBuilder()
        fill(lines)
