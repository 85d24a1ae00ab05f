"""Org SLE scores, worst sites and the site SLE deep-dive endpoints."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from exporter.mist.errors import MistPayloadError
from exporter.mist.parse import (
    parse_histogram,
    parse_impacted_gateways,
    parse_impacted_interfaces,
    parse_sites_sle,
    parse_sle_metrics,
    parse_summary_trend,
    parse_threshold,
    parse_worst_sites,
    sle_name,
)
from exporter.model import (
    HistogramBucket,
    ImpactedGateway,
    ImpactedInterface,
    SleScore,
    TrendBucket,
    WorstSite,
)
from tests.parse.spec import named_example, response_example

M = 60.0  # Mist sends user-minutes; the model holds user-seconds

SITES_SLE_PATH = "/api/v1/orgs/{org_id}/insights/sites-sle"
INSIGHT_PATH = "/api/v1/orgs/{org_id}/insights/{metric}"


def test_sites_sle_from_spec_example_normalises_names() -> None:
    body = response_example(SITES_SLE_PATH, "WAN SLE")
    site = "f5fcbee5-1234-5678-9101-1619ede87879"
    assert sorted(parse_sites_sle(body["results"]), key=lambda s: s.sle) == [
        SleScore(site_id=site, sle="application-health", ratio=0.8250000047942866),
        SleScore(site_id=site, sle="gateway-health", ratio=1.0),
        SleScore(site_id=site, sle="wan-link-health", ratio=0.9988471089272484),
    ]


def test_sites_sle_live_spellings_and_extra_metrics() -> None:
    row = {
        "site_id": "s1",
        "application-health": 0.5,
        "application_health": 0.7,
        "wan-link-health-v2": 0.9,
        "gateway-bandwidth": 1,
        "gateway-health": None,
        "num_gateways": 2,
        "num_clients": 40,
        "timestamp": 1_700_000_000,
        "note": "not a score",
        "flag": True,
    }
    assert parse_sites_sle([row]) == (
        SleScore(site_id="s1", sle="application-health", ratio=0.5),
        SleScore(site_id="s1", sle="wan-link-health-v2", ratio=0.9),
        SleScore(site_id="s1", sle="gateway-bandwidth", ratio=1.0),
    )


def test_worst_sites_from_spec_example_keep_mist_order() -> None:
    body = response_example(INSIGHT_PATH, "Worst Sites By Sle")
    worst = parse_worst_sites(body, "throughput")
    assert [w.site_id[:8] for w in worst] == ["ab0aca7a", "49ff76e0", "9b9b48f1", "eb0e1671"]
    assert worst[1] == WorstSite(
        sle="throughput", site_id="49ff76e0-a283-4e7d-b38d-041f1e9aff3c", ratio=0.0
    )


@pytest.mark.parametrize("asked", ["application_health", "application-health"])
@pytest.mark.parametrize("key", ["application_health", "application-health"])
def test_worst_sites_accept_both_spellings(asked: str, key: str) -> None:
    body = {
        "start": 0,
        "end": 1,
        "interval": 3600,
        "results": [{"site_id": "s", key: 0.25}, {"site_id": "t"}],
    }
    assert parse_worst_sites(body, asked) == (
        WorstSite(sle="application-health", site_id="s", ratio=0.25),
    )


def test_sle_metrics_from_spec_example_keep_mist_spelling() -> None:
    names = parse_sle_metrics(named_example("SiteSleMetricsExample"))
    assert names[:2] == ("coverage", "capacity")
    assert "application_health" in names
    assert "location_jitter" not in names  # supported, not enabled
    assert sle_name("application_health") == "application-health"


def test_summary_trend_from_spec_example() -> None:
    body = named_example("SleSummaryTrendExample")
    trend = parse_summary_trend(body)
    samples = body["sle"]["samples"]
    assert len(trend.buckets) == 24
    assert trend.buckets[0] == TrendBucket(timestamp=1627226206.0, total=1302.3 * M, degraded=0.0)
    assert trend.buckets[2] == TrendBucket(
        timestamp=1627226206.0 + 7200,
        total=pytest.approx(1396.3167 * M),
        degraded=pytest.approx(210.03334 * M),
    )
    assert sum(b.degraded for b in trend.buckets) == pytest.approx(M * sum(samples["degraded"]))
    names = [name for name, _ in trend.classifiers]
    assert names == ["client-count", "wifi-interference", "client-usage", "non-wifi-interference"]
    wifi = dict(trend.classifiers)["wifi-interference"]
    assert wifi[21] == TrendBucket(
        timestamp=1627226206.0 + 21 * 3600,
        total=pytest.approx(1485.3667 * M),
        degraded=pytest.approx(566.48334 * M),
    )


def test_summary_trend_nulls_and_shared_totals() -> None:
    body = {
        "start": 100,
        "end": 700,
        "sle": {
            "interval": 600,
            "samples": {"total": [10, None], "degraded": [None, 2.5], "value": []},
        },
        "classifiers": [
            {"name": "network_latency", "interval": 600, "samples": {"degraded": [1, 2]}}
        ],
    }
    trend = parse_summary_trend(body)
    assert trend.buckets == (TrendBucket(100.0, 10 * M, 0.0), TrendBucket(700.0, 0.0, 2.5 * M))
    assert trend.classifiers == (
        ("network-latency", (TrendBucket(100.0, 10 * M, M), TrendBucket(700.0, 0.0, 2 * M))),
    )
    del body["classifiers"]
    assert parse_summary_trend(body).classifiers == ()


def test_histogram_from_spec_example_is_cumulative() -> None:
    buckets = parse_histogram(named_example("SleHistogramExample"))
    assert [b.le for b in buckets] == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, math.inf]
    assert buckets[0] == HistogramBucket(le=0.0, count=0.0)
    assert buckets[2] == HistogramBucket(le=20.0, count=5105.0)
    assert buckets[3].count == 5105 + 10616
    assert buckets[-1].count == 5105 + 10616 + 40051 + 141201 + 949823 + 686308 + 177670 + 689
    assert all(a.count <= b.count for a, b in itertools.pairwise(buckets))


def test_histogram_unsorted_bins_and_closed_top_get_inf_bucket() -> None:
    body = {"data": [{"range": [5, 10], "value": 2}, {"range": [0, 5], "value": 3}]}
    assert parse_histogram(body) == (
        HistogramBucket(5.0, 3.0),
        HistogramBucket(10.0, 5.0),
        HistogramBucket(math.inf, 5.0),
    )


@pytest.mark.parametrize(
    "body",
    [
        # Found by the fuzz test: two finite counts whose cumulative sum overflowed to inf.
        {"data": [{"range": [0, 5], "value": 1e308}, {"range": [5, 10], "value": 1e308}]},
        {"data": [{"range": [0, 5], "value": -1}]},
        {"start": 0, "sle": {"interval": 3600, "samples": {"total": [1e308], "degraded": [1]}}},
        {"gateways": [{"gateway_mac": "aa", "degraded": 1e300}]},
    ],
)
def test_counts_beyond_any_real_org_are_rejected_so_sums_stay_finite(body: Any) -> None:
    parsers = {
        "data": parse_histogram,
        "sle": parse_summary_trend,
        "gateways": parse_impacted_gateways,
    }
    (parser,) = (parsers[key] for key in body if key in parsers)
    with pytest.raises(MistPayloadError, match="expected a count"):
        parser(body)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, None),
        ({"threshold": "-66", "default": -72}, -66.0),
        ({"threshold": 0.5}, 0.5),
        ({"threshold": "", "default": -72}, -72.0),
        ({"threshold": None}, None),
        ({}, None),
    ],
)
def test_threshold(body: Any, expected: float | None) -> None:
    if body is None:
        body = named_example("SleThresholdExample")
        expected = -66.0
    assert parse_threshold(body) == expected


def test_impacted_gateways_from_spec_example() -> None:
    assert parse_impacted_gateways(named_example("SleImpactedGatewaysExample")) == (
        ImpactedGateway(gateway_mac="fc3342001122", degraded_seconds=pytest.approx(758573.1 * M)),
    )
    assert parse_impacted_gateways({"gateways": None}) == ()


def test_impacted_interfaces_spec_and_live_spellings() -> None:
    spec = parse_impacted_interfaces(named_example("SleImpactedInterfacesExample"))
    assert spec == (
        ImpactedInterface(
            gateway_mac="2c2131001122",
            interface="ge-0/0/10",
            degraded_seconds=pytest.approx(11.583333 * M),
        ),
        ImpactedInterface(
            gateway_mac="2c2131001122",
            interface="xe-0/1/0",
            degraded_seconds=pytest.approx(191.08333 * M),
        ),
    )
    live = {
        "interfaces": [
            {
                "gateway_mac": "FC:33:42:00:11:22",
                "gateway_name": "gw",
                "interface_name": "ge-0/0/1",
                "degraded": 3,
            }
        ]
    }
    assert parse_impacted_interfaces(live) == (
        ImpactedInterface("fc3342001122", "ge-0/0/1", 3 * M),
    )


@pytest.mark.parametrize(
    ("parse", "body", "message"),
    [
        (parse_sites_sle, [{"gateway-health": 1}], r"sites-sle: rows\[0\]\.site_id"),
        (
            parse_sites_sle,
            [{"site_id": "s", "gateway-health": math.nan}],
            r"gateway-health: expected a finite",
        ),
        (
            parse_sites_sle,
            [{"site_id": "s", "gateway-health": 10**400}],
            r"gateway-health: number out of range",
        ),
        (
            lambda b: parse_worst_sites(b, "gateway-health"),
            {"results": "x"},
            r"body\.results: expected an array",
        ),
        (
            parse_sle_metrics,
            {"enabled": ["a", 1]},
            r"/metrics: body\.enabled\[1\]: expected a string",
        ),
        (
            parse_summary_trend,
            {"start": 0, "sle": {"interval": 0, "samples": {}}},
            r"body\.sle\.interval: expected a positive",
        ),
        (
            parse_summary_trend,
            {"start": 0, "sle": {"interval": 60, "samples": {"total": [1, 2], "degraded": [1]}}},
            r"body\.sle\.samples\.degraded: 1 samples for 2 totals",
        ),
        (
            parse_summary_trend,
            {"start": 0, "sle": {"interval": 60, "samples": {"total": [1], "degraded": ["x"]}}},
            r"body\.sle\.samples\.degraded\[0\]: expected a number",
        ),
        (
            parse_histogram,
            {"data": [{"range": [0], "value": 1}]},
            r"body\.data\[0\]\.range: expected \[low, high\]",
        ),
        (
            parse_histogram,
            {"data": [{"range": [0, 1], "value": -1}]},
            r"body\.data\[0\]\.value: expected a count",
        ),
        (
            parse_threshold,
            {"threshold": "high"},
            r"threshold: body\.threshold: expected a numeric string",
        ),
        (parse_threshold, {"threshold": "nan"}, r"body\.threshold: expected a finite number"),
        (
            parse_impacted_gateways,
            {"gateways": [{"gateway_mac": "a"}]},
            r"body\.gateways\[0\]\.degraded",
        ),
        (
            parse_impacted_interfaces,
            {"interfaces": [{"interface_name": "x", "degraded": 1}]},
            r"body\.interfaces\[0\]\.gateway_mac: missing",
        ),
    ],
)
def test_bad_sle_payloads_name_the_field(parse: Any, body: Any, message: str) -> None:
    with pytest.raises(MistPayloadError, match=message):
        parse(body)
