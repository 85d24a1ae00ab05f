"""The endpoint catalogue: templates from mistapi, query names and normalised values."""

from __future__ import annotations

import pytest

from exporter.mist import endpoints as ep
from exporter.mist.endpoints import Paging, normalise


def test_templates_come_from_mistapi_with_placeholders() -> None:
    assert ep.PORT_SEARCH.template == "/api/v1/orgs/{org_id}/stats/ports/search"
    assert ep.ORG_INSIGHT.template == "/api/v1/orgs/{org_id}/insights/worst-sites-by-sle"
    assert ep.SLE_SUMMARY_TREND.template == (
        "/api/v1/sites/{site_id}/sle/site/{site_id}/metric/{metric}/summary-trend"
    )
    assert len({e.template for e in ep.ALL}) == len(ep.ALL)
    assert ep.ALARM_DEFS in ep.ALL
    assert ep.DEVICE_EVENT_DEFS in ep.ALL
    assert ep.ALARM_DEFS.template == "/api/v1/const/alarm_defs"
    assert {e.name for e in ep.ALL if e.paging is Paging.SEARCH} == {
        "port_search",
        "peer_search",
        "bgp_search",
        "tunnel_search",
        "alarm_search",
    }
    assert {e.name for e in ep.ALL if e.paging is Paging.HEADERS} == {
        "sites",
        "sitegroups",
        "device_stats",
    }
    assert ep.SITES_SLE.paging is Paging.BODY


def test_false_and_zero_are_kept_and_booleans_are_lowercase() -> None:
    path, query = ep.PORT_SEARCH.build(org_id="o1", up=False, full_duplex=True, speed=0, limit=5)
    assert path == "/api/v1/orgs/o1/stats/ports/search"
    assert query == {
        "device_type": "gateway",
        "up": "false",
        "full_duplex": "true",
        "speed": "0",
        "limit": "5",
    }


def test_defaults_can_be_overridden_and_none_leaves_a_parameter_out() -> None:
    _, query = ep.DEVICE_STATS.build(org_id="o1", type="all", status=None, page=2)
    assert query == {"type": "all", "page": "2"}


def test_site_sle_paths_use_the_site_as_scope() -> None:
    path, query = ep.SLE_HISTOGRAM.build(
        site_id="s1", metric="wan-link-health", start=1_700_000_000.0, end=1_700_003_600
    )
    assert path == "/api/v1/sites/s1/sle/site/s1/metric/wan-link-health/histogram"
    assert query == {"start": "1700000000", "end": "1700003600"}


def test_fixed_path_values_may_be_repeated_but_not_changed() -> None:
    path, _ = ep.ORG_INSIGHT.build(org_id="o1", metric="worst-sites-by-sle", sle="wan")
    assert path == "/api/v1/orgs/o1/insights/worst-sites-by-sle"
    with pytest.raises(TypeError, match="metric"):
        ep.ORG_INSIGHT.build(org_id="o1", metric="other")
    path, _ = ep.SLE_METRICS.build(site_id="s1", scope="site", scope_id="s1")
    assert path == "/api/v1/sites/s1/sle/site/s1/metrics"
    with pytest.raises(TypeError, match="scope_id"):
        ep.SLE_METRICS.build(site_id="s1", scope_id="s2")


def test_missing_path_and_unknown_parameters_are_refused() -> None:
    with pytest.raises(TypeError, match="org_id"):
        ep.SITES.build(limit=10)
    with pytest.raises(TypeError, match="colour"):
        ep.SITES.build(org_id="o1", colour="red")


def test_normalise() -> None:
    assert normalise(True) == "true"
    assert normalise(0) == "0"
    assert normalise(1.5) == "1.5"
    assert normalise(["a", False, 2]) == "a,false,2"
