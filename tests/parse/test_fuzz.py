"""Mutated spec examples: whatever the payload, a parser returns or raises MistPayloadError."""

from __future__ import annotations

import contextlib
import copy
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.config import RegionRule
from exporter.mist import parse
from exporter.mist.errors import MistPayloadError
from tests.parse.spec import named_example, response_example, response_examples, schema_example
from tests.parse.test_devices import _gateway_row

Path = tuple[str | int, ...]

JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=4)
    | st.sampled_from([10**400, math.nan, -math.inf, "", "nan", "1e999", "ge-0/0/0.0"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: Path = ()) -> list[Path]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def _mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to three of its nodes dropped or replaced by None, NaN or junk.

    A depth is drawn first, then a node at that depth, so shallow fields are hit as often as
    the deep corners of big examples.
    """
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        depth = draw(st.sampled_from(sorted({len(p) for p in paths})))
        path = draw(st.sampled_from([p for p in paths if len(p) == depth]))
        action = draw(st.sampled_from(["drop", "none", "nan", "junk"]))
        value = {"drop": None, "none": None, "nan": math.nan}.get(action) or draw(JUNK)
        if not path:
            data = value
            continue
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        if action == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    return data


def _sites(rows: Any) -> Any:
    return parse.parse_sites(rows, {"g1": "region-EU", "g2": "Stores"}, RegionRule("region-"))


def _wan_ports(rows: Any) -> Any:
    return parse.parse_wan_ports(rows, parse.parse_gateways([_gateway_row()]))


def _cases() -> list[tuple[str, Callable[[Any], Any], Any]]:
    devices = response_examples("/api/v1/orgs/{org_id}/stats/devices")
    port = named_example("SwitchPortsSearchExample")["results"][0]
    alarm = schema_example("alarm") | {"timestamp": 1711031352, "incident_count": 3}
    sites = response_example("/api/v1/orgs/{org_id}/sites")
    sites.append({"id": "s2", "name": "n", "country_code": "DE", "sitegroup_ids": ["g2", "g1"]})
    sle_rows = response_example("/api/v1/orgs/{org_id}/insights/sites-sle", "WAN SLE")["results"]
    sle_rows.append({"site_id": "s2", "application-health": 0.5, "wan-link-health-v2": 1})
    interfaces = named_example("SleImpactedInterfacesExample")
    interfaces["interfaces"].append({"gateway_mac": "AA:BB", "interface_name": "x", "degraded": 1})
    return [
        ("org", parse.parse_org, response_example("/api/v1/orgs/{org_id}")),
        (
            "sitegroups",
            parse.parse_sitegroups,
            response_example("/api/v1/orgs/{org_id}/sitegroups"),
        ),
        ("sites", _sites, sites),
        ("gateways", parse.parse_gateways, devices["Gateway Stats"] + [_gateway_row()]),
        ("wan_ports", _wan_ports, [port | {"port_usage": "wan"}, port | {"port_id": "ge-0/0/0"}]),
        (
            "peer_paths",
            parse.parse_peer_paths,
            response_example("/api/v1/orgs/{org_id}/stats/vpn_peers/search")["results"],
        ),
        ("sites_sle", parse.parse_sites_sle, sle_rows),
        (
            "worst_sites",
            lambda body: parse.parse_worst_sites(body, "throughput"),
            response_example("/api/v1/orgs/{org_id}/insights/{metric}"),
        ),
        ("alarms", parse.parse_alarms, [alarm]),
        ("sle_metrics", parse.parse_sle_metrics, named_example("SiteSleMetricsExample")),
        ("summary_trend", parse.parse_summary_trend, named_example("SleSummaryTrendExample")),
        ("histogram", parse.parse_histogram, named_example("SleHistogramExample")),
        ("threshold", parse.parse_threshold, named_example("SleThresholdExample")),
        (
            "impacted_gateways",
            parse.parse_impacted_gateways,
            named_example("SleImpactedGatewaysExample"),
        ),
        ("impacted_interfaces", parse.parse_impacted_interfaces, interfaces),
    ]


CASES = _cases()


@pytest.mark.parametrize(
    ("parser", "base"), [(p, b) for _, p, b in CASES], ids=[n for n, _, _ in CASES]
)
def test_unmutated_base_parses(parser: Callable[[Any], Any], base: Any) -> None:
    assert parser(copy.deepcopy(base)) is not None


@pytest.mark.parametrize(
    ("parser", "base"), [(p, b) for _, p, b in CASES], ids=[n for n, _, _ in CASES]
)
def test_mutations_raise_only_payload_errors(parser: Callable[[Any], Any], base: Any) -> None:
    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=_mutated(base))
    def check(data: Any) -> None:
        with contextlib.suppress(MistPayloadError):
            parser(data)

    check()
