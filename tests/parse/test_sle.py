"""Org SLE scores, worst sites and the site SLE deep-dive endpoints."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from exporter.mist.errors import MistPayloadError
from exporter.mist.parse import (
    Skips,
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
from tests.parse.support import approx, deduplicated, logged, with_skips

M = 60.0  # Mist sends user-minutes; the model holds user-seconds

SITES_SLE_PATH = "/api/v1/orgs/{org_id}/insights/sites-sle"
INSIGHT_PATH = "/api/v1/orgs/{org_id}/insights/{metric}"
SLE_PATH = "/api/v1/sites/{site_id}/sle/site/{site_id}/metric/{metric}"
HISTOGRAM_PATH = f"{SLE_PATH}/histogram"
IMPACTED_GATEWAYS_PATH = f"{SLE_PATH}/impacted-gateways"
IMPACTED_INTERFACES_PATH = f"{SLE_PATH}/impacted-interfaces"
SUMMARY_TREND_PATH = f"{SLE_PATH}/summary-trend"


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
        total=approx(1396.3167 * M),
        degraded=approx(210.03334 * M),
    )
    assert sum(b.degraded for b in trend.buckets) == pytest.approx(M * sum(samples["degraded"]))
    names = [name for name, _ in trend.classifiers]
    assert names == ["client-count", "wifi-interference", "client-usage", "non-wifi-interference"]
    wifi = dict(trend.classifiers)["wifi-interference"]
    assert wifi[21] == TrendBucket(
        timestamp=1627226206.0 + 21 * 3600,
        total=approx(1485.3667 * M),
        degraded=approx(566.48334 * M),
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
    ("parse", "body", "endpoint", "reason"),
    [
        # Found by the fuzz test: two finite counts whose cumulative sum overflowed to inf.
        (
            parse_histogram,
            {"data": [{"range": [0, 5], "value": 1e308}, {"range": [5, 10], "value": 1e308}]},
            HISTOGRAM_PATH,
            "invalid value",
        ),
        (
            parse_histogram,
            {"data": [{"range": [0, 5], "value": -1}]},
            HISTOGRAM_PATH,
            "invalid value",
        ),
        (
            parse_impacted_gateways,
            {"gateways": [{"gateway_mac": "aa", "degraded": 1e300}]},
            IMPACTED_GATEWAYS_PATH,
            "invalid degraded",
        ),
    ],
)
def test_row_counts_beyond_any_real_org_are_left_out_so_sums_stay_finite(
    parse: Any, body: Any, endpoint: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    rows = next(iter(body.values()))
    kept, skipped = with_skips(caplog, lambda skips: parse(body, skips))
    assert all(math.isfinite(getattr(item, "count", 0.0)) for item in kept)
    assert kept in ((), (HistogramBucket(math.inf, 0.0),))
    assert skipped == {(endpoint, reason): len(rows)}
    assert logged(caplog, r"\[0\]\.(value|degraded): expected a count in 0\.\.1e\+15")


def test_trend_counts_beyond_any_real_org_fail_the_payload() -> None:
    body: dict[str, Any] = {
        "start": 0,
        "sle": {"interval": 3600, "samples": {"total": [1e308], "degraded": [1]}},
    }
    with pytest.raises(MistPayloadError, match=r"body\.sle\.samples\.total\[0\]: expected a count"):
        parse_summary_trend(body)
    body["sle"]["samples"]["total"] = [1e15 + 1]
    with pytest.raises(MistPayloadError, match="expected a count"):
        parse_summary_trend(body)
    body["sle"]["samples"]["total"] = [1e15]  # the bound itself is a count
    (bucket,) = parse_summary_trend(body).buckets
    assert bucket.total == 1e15 * M


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
        ImpactedGateway(gateway_mac="fc3342001122", degraded_seconds=approx(758573.1 * M)),
    )
    assert parse_impacted_gateways({"gateways": None}) == ()


def test_impacted_interfaces_spec_and_live_spellings() -> None:
    spec = parse_impacted_interfaces(named_example("SleImpactedInterfacesExample"))
    assert spec == (
        ImpactedInterface(
            gateway_mac="2c2131001122",
            interface="ge-0/0/10",
            degraded_seconds=approx(11.583333 * M),
        ),
        ImpactedInterface(
            gateway_mac="2c2131001122",
            interface="xe-0/1/0",
            degraded_seconds=approx(191.08333 * M),
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
        (parse_sites_sle, {"results": []}, r"sites-sle: rows: expected an array, got dict"),
        (
            lambda b: parse_worst_sites(b, "gateway-health"),
            {"results": "x"},
            r"body\.results: expected an array",
        ),
        (
            lambda b: parse_worst_sites(b, "gateway-health"),
            [],
            r"body: expected an object, got list",
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
            parse_summary_trend,
            {"start": 0, "sle": {"interval": 60}},
            r"body\.sle\.samples: expected an object, got null",
        ),
        (parse_histogram, {"data": {}}, r"histogram: rows: expected an array, got dict"),
        (
            parse_threshold,
            {"threshold": "high"},
            r"threshold: body\.threshold: expected a number or a numeric string",
        ),
        (parse_threshold, {"threshold": "nan"}, r"body\.threshold: expected a finite number"),
        (parse_threshold, {"threshold": [1]}, r"body\.threshold: expected a number, got list"),
        (parse_impacted_gateways, {"gateways": {}}, r"body\.gateways: expected an array"),
        (
            parse_impacted_interfaces,
            {"results": "x"},
            r"impacted-interfaces: body\.results: expected an array, got str",
        ),
        (parse_impacted_interfaces, None, r"body: expected an object, got null"),
    ],
)
def test_an_sle_envelope_of_the_wrong_shape_fails_the_payload(
    parse: Any, body: Any, message: str
) -> None:
    with pytest.raises(MistPayloadError, match=message):
        parse(body)


def _interfaces(body: Any, skips: Skips) -> Any:
    return parse_impacted_interfaces(body, {"gw-1": "aa:bb:cc:dd:ee:ff"}, skips)


@pytest.mark.parametrize(
    ("parse", "bad", "good", "reason", "message"),
    [
        (
            lambda rows, skips: parse_sites_sle(rows, skips),
            {"gateway-health": 1},
            {"site_id": "s2", "gateway-health": 0.5},
            "missing site_id",
            r"sites-sle: rows\[0\]\.site_id: expected a string, got null",
        ),
        (
            lambda rows, skips: parse_sites_sle(rows, skips),
            {"site_id": "s", "gateway-health": math.nan},
            {"site_id": "s2", "gateway-health": 0.5},
            "invalid gateway-health",
            r"sites-sle: rows\[0\]\.gateway-health: expected a finite number, got nan",
        ),
        (
            lambda rows, skips: parse_sites_sle(rows, skips),
            {"site_id": "s", "gateway-health": 10**400},
            {"site_id": "s2", "gateway-health": 0.5},
            "invalid gateway-health",
            r"sites-sle: rows\[0\]\.gateway-health: number out of range",
        ),
        (
            lambda rows, skips: parse_worst_sites({"results": rows}, "gateway-health", skips),
            {"site_id": 7, "gateway-health": 0.1},
            {"site_id": "s2", "gateway-health": 0.5},
            "invalid site_id",
            r"worst-sites-by-sle: body\.results\[0\]\.site_id: expected a string, got int",
        ),
        (
            lambda rows, skips: parse_histogram({"data": rows}, skips),
            {"range": [0], "value": 1},
            {"range": [0, 5], "value": 2},
            "invalid range",
            r"histogram: rows\[0\]\.range: expected \[low, high\], got 1 items",
        ),
        (
            lambda rows, skips: parse_histogram({"data": rows}, skips),
            {"range": [0, 1], "value": -1},
            {"range": [0, 5], "value": 2},
            "invalid value",
            r"histogram: rows\[0\]\.value: expected a count",
        ),
        (
            lambda rows, skips: parse_impacted_gateways({"gateways": rows}, skips),
            {"gateway_mac": "aa"},
            {"gateway_mac": "bb", "degraded": 2},
            "missing degraded",
            r"impacted-gateways: body\.gateways\[0\]\.degraded: expected a number, got null",
        ),
        (
            lambda rows, skips: parse_impacted_gateways({"gateways": rows}, skips),
            {"gateway_name": "gw-1", "degraded": 1},
            {"gateway_mac": "bb", "degraded": 2},
            "missing gateway_mac",
            r"body\.gateways\[0\]\.gateway_mac: expected a string, got null",
        ),
        (
            lambda rows, skips: _interfaces({"interfaces": rows}, skips),
            {"interface_name": "x", "degraded": 1},
            {"gateway_mac": "bb", "interface_name": "ge-0/0/1", "degraded": 2},
            "missing gateway_mac",
            r"body\.interfaces\[0\]\.gateway_mac: no gateway_mac, switch_mac or known hostname",
        ),
        (
            lambda rows, skips: _interfaces({"results": rows}, skips),
            {"interface": "ge-0/0/0.0", "device_hostname": "gw-9", "degraded": 1},
            {"interface": "ge-0/0/0.0", "device_hostname": "gw-1", "degraded": 2},
            "missing gateway_mac",
            r"body\.results\[0\]\.gateway_mac: no gateway_mac, switch_mac or known hostname",
        ),
        (
            lambda rows, skips: _interfaces({"results": rows}, skips),
            {"switch_mac": "cc", "degraded": 1},
            {"interface": "ge-0/0/0.0", "device_hostname": "gw-1", "degraded": 2},
            "missing interface_name",
            r"body\.results\[0\]\.interface_name: missing",
        ),
    ],
)
def test_a_bad_sle_row_is_left_out_counted_and_logged(
    parse: Any,
    bad: Any,
    good: Any,
    reason: str,
    message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    kept, skipped = with_skips(caplog, lambda skips: parse([bad, good], skips))
    assert kept == parse([good], Skips())
    assert kept != parse([], Skips())
    ((endpoint, counted),) = skipped
    assert (counted, skipped[(endpoint, counted)]) == (reason, 1)
    assert logged(caplog, message)


def test_sites_sle_wan_link_health_v2_zero_is_no_data_and_gateway_bandwidth_is_a_score(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = [
        {"site_id": "s1", "wan-link-health-v2": 0, "gateway-bandwidth": 0.75, "num_gateways": 1},
        {"site_id": "s2", "wan_link_health_v2": 0.0, "gateway-health": 0},
        {"site_id": "s3", "wan-link-health-v2": 0.4},
    ]
    kept, skipped = with_skips(caplog, lambda skips: parse_sites_sle(rows, skips))
    assert kept == (
        SleScore(site_id="s1", sle="gateway-bandwidth", ratio=0.75),
        SleScore(site_id="s2", sle="gateway-health", ratio=0.0),  # 0 elsewhere is an outage
        SleScore(site_id="s3", sle="wan-link-health-v2", ratio=0.4),
    )
    assert skipped == {(SITES_SLE_PATH, "no data wan-link-health-v2"): 2}


def test_a_sites_sle_row_left_out_leaves_none_of_its_scores_behind(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = [
        {"site_id": "s1", "gateway-health": 0.9, "wan-link-health-v2": 0, "app": math.inf},
        {"site_id": "s2", "gateway-health": 0.8},
    ]
    kept, skipped = with_skips(caplog, lambda skips: parse_sites_sle(rows, skips))
    assert kept == (SleScore(site_id="s2", sle="gateway-health", ratio=0.8),)
    assert skipped == {(SITES_SLE_PATH, "invalid app"): 1}


def test_a_classifier_without_samples_is_left_out_and_the_trend_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = {
        "start": 1_700_000_600,
        "end": 1_700_004_800,
        "sle": {"interval": 3600, "samples": {"total": [10, 4], "degraded": [1, 0]}},
        "classifiers": [
            {"name": "network-latency", "interval": 3600},
            {"name": "network_jitter", "interval": 3600, "samples": {"degraded": [2, 1]}},
        ],
    }
    trend, skipped = with_skips(caplog, lambda skips: parse_summary_trend(body, skips))
    # Mist's own start, off the hour; the last bucket is whatever Mist sent (partial or not).
    assert trend.buckets == (
        TrendBucket(1_700_000_600.0, 10 * M, 1 * M),
        TrendBucket(1_700_004_200.0, 4 * M, 0.0),
    )
    assert trend.classifiers == (
        (
            "network-jitter",
            (TrendBucket(1_700_000_600.0, 10 * M, 2 * M), TrendBucket(1_700_004_200.0, 4 * M, M)),
        ),
    )
    assert skipped == {(SUMMARY_TREND_PATH, "missing samples"): 1}
    assert logged(
        caplog, r"summary-trend: body\.classifiers\[0\]\.samples: expected an object, got null"
    )


def test_impacted_gateway_rows_without_gateway_mac_are_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = named_example("SleImpactedGatewaysExample")
    (row,) = body["gateways"]
    body["gateways"].append({k: v for k, v in row.items() if k != "gateway_mac"})
    kept, skipped = with_skips(caplog, lambda skips: parse_impacted_gateways(body, skips))
    assert kept == parse_impacted_gateways(named_example("SleImpactedGatewaysExample"))
    assert len(kept) == 1
    assert skipped == {(IMPACTED_GATEWAYS_PATH, "missing gateway_mac"): 1}


def test_impacted_gateways_repeated_are_one_series(caplog: pytest.LogCaptureFixture) -> None:
    rows = [{"gateway_mac": "AA:BB", "degraded": 1}, {"gateway_mac": "aabb", "degraded": 2}]
    kept = deduplicated(
        caplog,
        lambda skips: parse_impacted_gateways({"gateways": rows}, skips),
        IMPACTED_GATEWAYS_PATH,
    )
    assert kept == (ImpactedGateway("aabb", 2 * M),)


def test_live_impacted_interfaces_results_by_hostname_with_unit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = {"results": [{"interface": "ge-0/0/0.0", "device_hostname": "gw-1", "degraded": 2}]}
    kept, skipped = with_skips(
        caplog,
        lambda skips: parse_impacted_interfaces(body, {"gw-1": "aa:bb:cc:dd:ee:ff"}, skips),
    )
    assert kept == (ImpactedInterface("aabbccddeeff", "ge-0/0/0", 120.0),)
    assert skipped == {}
    # Without the hostname mapping the row cannot name its gateway: left out, counted.
    kept, skipped = with_skips(caplog, lambda skips: parse_impacted_interfaces(body, None, skips))
    assert kept == ()
    assert skipped == {(IMPACTED_INTERFACES_PATH, "missing gateway_mac"): 1}


@pytest.mark.parametrize(
    "row",
    [
        {"switch_mac": "AA-BB-CC-DD-EE-FF", "interface_name": "ge-0/0/0", "degraded": 2},
        {"gateway_mac": "aabbccddeeff", "interface": "ge-0/0/0.0", "degraded": 2},
        {"gateway_name": "gw-1", "interface_name": "ge-0/0/0.0", "degraded": 2},
        {"hostname": "gw-1", "interface": "ge-0/0/0", "degraded": 2.0},
    ],
)
def test_impacted_interfaces_every_device_and_interface_spelling(row: dict[str, Any]) -> None:
    for key in ("interfaces", "results"):
        assert parse_impacted_interfaces({key: [row]}, {"gw-1": "AA:BB:CC:DD:EE:FF"}) == (
            ImpactedInterface("aabbccddeeff", "ge-0/0/0", 120.0),
        )


def test_impacted_interface_units_of_one_port_are_one_series(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = [
        {"gateway_mac": "aabbccddeeff", "interface": "ge-0/0/0.0", "degraded": 1},
        {"gateway_mac": "aabbccddeeff", "interface": "ge-0/0/1.0", "degraded": 3},
        {"gateway_mac": "aabbccddeeff", "interface": "ge-0/0/0.100", "degraded": 2},
    ]
    kept = deduplicated(
        caplog,
        lambda skips: parse_impacted_interfaces({"results": rows}, None, skips),
        IMPACTED_INTERFACES_PATH,
    )
    assert sorted((i.interface, i.degraded_seconds) for i in kept) == [
        ("ge-0/0/0", 2 * M),
        ("ge-0/0/1", 3 * M),
    ]


@pytest.mark.parametrize(
    ("body", "counted"),
    [
        ({"devices": [{"interface": "ge-0/0/0.0", "degraded": 2}]}, 1),
        ({"start": 0, "end": 1, "rows": [{}], "interfaces": None}, 1),
        ({"start": 0, "end": 1}, 0),  # nothing to read: an empty answer, not an unknown one
        ({"devices": []}, 0),
    ],
)
def test_an_unknown_impacted_interfaces_shape_is_counted_not_dropped_silently(
    body: dict[str, Any], counted: int, caplog: pytest.LogCaptureFixture
) -> None:
    kept, skipped = with_skips(caplog, lambda skips: parse_impacted_interfaces(body, None, skips))
    assert kept == ()
    expected = {(IMPACTED_INTERFACES_PATH, "unknown shape"): counted} if counted else {}
    assert skipped == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"threshold": "150"}, 150.0),
        ({"threshold": 150}, 150.0),
        ({"threshold": " 2.5 "}, 2.5),
        ({"threshold": -66.5, "default": "-72"}, -66.5),
        ({"default": "-72"}, -72.0),
        ({"threshold": None, "default": 3}, 3.0),
    ],
)
def test_thresholds_as_string_or_number(body: dict[str, Any], expected: float) -> None:
    assert parse_threshold(body) == expected
