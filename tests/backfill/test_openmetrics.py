"""The OpenMetrics writer: the live family's HELP/TYPE, escaped labels, ordered samples."""

from __future__ import annotations

import math

from exporter.backfill import openmetrics
from exporter.metrics.catalogue import BY_NAME

METRIC = BY_NAME["mist_site_sle_ratio"]


def test_header_is_the_live_help_and_type() -> None:
    assert openmetrics.header(METRIC) == (
        f"# HELP mist_site_sle_ratio {METRIC.help}\n# TYPE mist_site_sle_ratio gauge\n"
    )


def test_samples_are_ordered_by_labels_in_catalogue_order_with_the_timestamp() -> None:
    rows = [
        ({"sle": "wan-link-health", "site_id": "b"}, 0.5),
        ({"site_id": "a", "sle": "gateway-health", "extra": "x"}, 1.0),
    ]
    assert openmetrics.samples(METRIC, rows, 1_700_000_000) == (
        'mist_site_sle_ratio{site_id="a",sle="gateway-health"} 1.0 1700000000\n'
        'mist_site_sle_ratio{site_id="b",sle="wan-link-health"} 0.5 1700000000\n'
    )


def test_label_values_and_help_are_escaped() -> None:
    line = openmetrics.sample("m", {"a": 'q"b\\n\nx'}, 0.25, 5)
    assert line == 'm{a="q\\"b\\\\n\\nx"} 0.25 5\n'


def test_special_values() -> None:
    assert [openmetrics.number(v) for v in (math.nan, math.inf, -math.inf, 1, 0.1)] == [
        "NaN",
        "+Inf",
        "-Inf",
        "1.0",
        "0.1",
    ]
