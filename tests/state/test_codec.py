"""JSON for model dataclasses: round trips of every model type, strict JSON, clear mismatches."""

from __future__ import annotations

import dataclasses
import json
import math
import typing
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter import model
from exporter.model import (
    AlarmCount,
    Gateway,
    GatewayNode,
    HistogramBucket,
    Inventory,
    Org,
    Site,
    SleDeepDive,
    Snapshot,
    SummaryTrend,
    TrendBucket,
    WanInterface,
)
from exporter.state.codec import decode, encode

MODEL_TYPES = [
    cls for cls in vars(model).values() if dataclasses.is_dataclass(cls) and isinstance(cls, type)
]

SNAPSHOT = Snapshot(
    inventory=Inventory(org=Org("o", "Org"), sites=(Site("s1", "Store 1", "EMEA", "DE"),)),
    gateways=(
        Gateway(
            "s1",
            "aabb",
            "gw",
            "SSR120",
            "6.2",
            True,
            10.0,
            (GatewayNode("", 0.5, None, (WanInterface("ge-0/0/0", "inet", "broadband"),)),),
        ),
    ),
    alarm_counts=(AlarmCount("s1", "infrastructure", "critical", "gw_down", 2),),
    deep_dives=(
        SleDeepDive(
            site_id="s1",
            sle="wan-link-health",
            window_start=0.0,
            window_end=3600.0,
            fetched_at=3600.0,
            trend=(TrendBucket(0.0, 60.0, 6.0),),
            classifiers=(),
            histogram=(HistogramBucket(10.0, 1.0), HistogramBucket(math.inf, 3.0)),
            threshold=None,
            impacted_gateways=(),
            impacted_interfaces=(),
        ),
    ),
    published=frozenset({"gateways", "alarms", "inventory"}),
)


def test_snapshot_round_trip_through_strict_json() -> None:
    text = json.dumps(encode(SNAPSHOT), allow_nan=False)
    assert decode(Snapshot, json.loads(text)) == SNAPSHOT


def test_snapshot_fields_decode_by_their_type_hints() -> None:
    hints = typing.get_type_hints(Snapshot)
    for field in dataclasses.fields(Snapshot):
        value = getattr(SNAPSHOT, field.name)
        assert decode(hints[field.name], encode(value)) == value


def test_nested_heterogeneous_tuples() -> None:
    trend = SummaryTrend(
        buckets=(TrendBucket(0.0, 1.0, 0.5),),
        classifiers=(
            ("network-latency", (TrendBucket(0.0, 1.0, 0.25),)),
            ("isp-reachability-arp", ()),
        ),
    )
    encoded = encode(trend)
    assert encoded["classifiers"][0] == [
        "network-latency",
        [{"timestamp": 0.0, "total": 1.0, "degraded": 0.25}],
    ]
    assert decode(SummaryTrend, encoded) == trend


def test_encoding_details() -> None:
    assert encode(HistogramBucket(math.inf, 1.0)) == {"le": "inf", "count": 1.0}
    assert encode(frozenset({"b", "a"})) == ["a", "b"]
    assert encode({"k": (1, 2)}) == {"k": [1, 2]}
    assert decode(float, 3) == 3.0
    assert decode(float, "-inf") == -math.inf
    assert math.isnan(decode(float, "nan"))
    assert decode(Site, {"site_id": "s", "name": "n", "region": "r", "country_code": ""}) == Site(
        "s", "n", "r", ""
    )


def test_defaults_fill_missing_fields() -> None:
    assert decode(Snapshot, {}) == Snapshot()
    assert decode(model.JobStatus, {"job": "alarms"}) == model.JobStatus("alarms")


@pytest.mark.parametrize(
    ("cls", "data", "message"),
    [
        (Org, {"org_id": "o"}, r"Org\.name: missing"),
        (Org, {"org_id": "o", "name": "n", "extra": 1}, r"Org: unknown field\(s\) extra"),
        (Org, ["o", "n"], r"Org: expected an object"),
        (Org, {"org_id": 1, "name": "n"}, r"Org\.org_id: expected str, got int"),
        (
            AlarmCount,
            {"site_id": "s", "group": "g", "severity": "s", "alarm_type": "t", "count": True},
            r"count: expected int, got bool",
        ),
        (
            AlarmCount,
            {"site_id": "s", "group": "g", "severity": "s", "alarm_type": "t", "count": 1.5},
            r"count: expected int, got float",
        ),
        (
            HistogramBucket,
            {"le": "infinity", "count": 1},
            r"HistogramBucket\.le: expected float, got str",
        ),
        (
            Gateway,
            {**encode(SNAPSHOT.gateways[0]), "uptime_seconds": "high"},
            r"Gateway\.uptime_seconds: expected float",
        ),
        (
            SummaryTrend,
            {"buckets": [], "classifiers": [["x"]]},
            r"classifiers\[0\]: expected 2 items, got 1",
        ),
        (tuple[Site, ...], {"a": 1}, r"expected an array"),
        (Snapshot, {"published": "gateways"}, r"Snapshot\.published: expected an array"),
        (Inventory | None, 5, r"expected an object for Inventory"),
        (type(None), 0, r"expected null"),
    ],
)
def test_mismatches_raise_value_error_naming_the_path(cls: Any, data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode(cls, data)


def test_unencodable_values() -> None:
    with pytest.raises(ValueError, match="cannot encode bytes"):
        encode(b"x")
    with pytest.raises(ValueError, match="string keys"):
        encode({1: "x"})


@pytest.mark.parametrize("cls", MODEL_TYPES, ids=lambda c: c.__name__)
def test_every_model_type_round_trips(cls: type) -> None:
    @settings(max_examples=25, deadline=None)
    @given(obj=st.from_type(cls))
    def check(obj: Any) -> None:
        encoded = encode(obj)
        text = json.dumps(encoded, allow_nan=False)
        assert encode(decode(cls, json.loads(text))) == encoded

    check()
