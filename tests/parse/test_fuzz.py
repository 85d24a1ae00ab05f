"""Mutated spec examples: whatever the payload, a parser returns or raises MistPayloadError."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exporter.config import RegionRule
from exporter.mist import parse
from exporter.mist.errors import MistPayloadError
from exporter.model import HistogramBucket
from tests.parse.spec import named_example, response_example, response_examples, schema_example
from tests.parse.test_devices import _gateway_row
from tests.parse.test_webhooks import ALARM_DEFS, ALARM_EVENT, DEFS, DEVICE_EVENT, DEVICE_EVENT_DEFS

Path = tuple[str | int, ...]
# impacted-peer-paths is in neither the spec nor mistapi: the shape the simulator serves.
PEER_PATHS = {
    "peer_paths": [
        {
            "gateway_mac": "0200019363f3",
            "port_id": "ge-0/0/0",
            "peer_mac": "4c96fffa9f8d",
            "peer_port_id": "ge-0/0/1",
            "name": "ge-0/0/0 hub-dc1 ge-0/0/1",
            "degraded": 12.5,
        }
    ]
}

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


class _Recording(dict[str, Any]):
    """A JSON object that notes which keys a parser reads."""

    def __init__(self, data: dict[str, Any], read: set[str]) -> None:
        super().__init__(data)
        self.read = read

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def _recording(node: Any, read: set[str]) -> Any:
    if isinstance(node, dict):
        return _Recording({k: _recording(v, read) for k, v in node.items()}, read)
    if isinstance(node, list):
        return [_recording(item, read) for item in node]
    return node


def _read_keys(parser: Callable[[Any], Any], base: Any) -> frozenset[str]:
    """The object keys ``parser`` looks at when it parses ``base``."""
    read: set[str] = set()
    parser(_recording(base, read))
    return frozenset(read)


@st.composite
def _mutated(draw: st.DrawFn, base: Any, read: frozenset[str]) -> Any:
    """``base`` with one to three nodes dropped or replaced by None, NaN, 1e308 or junk.

    Most mutations hit a field the parser reads (or an array item on the way to one); the
    rest hit any node of the example, as deep corners of big examples do.
    """
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        read_paths = [p for p in paths if not p or isinstance(p[-1], int) or p[-1] in read]
        path = draw(st.sampled_from(read_paths if draw(st.integers(0, 3)) else paths))
        action = draw(st.sampled_from(["drop", "none", "nan", "huge", "junk"]))
        value: object = {"drop": None, "none": None, "nan": math.nan, "huge": 1e308}.get(action)
        if action == "junk":
            value = draw(JUNK)
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


def _assert_finite(result: Any) -> None:
    """Every float a parser returns is finite, but a histogram's last ``le`` (+Inf)."""
    if isinstance(result, float):
        assert math.isfinite(result)
    elif isinstance(result, HistogramBucket):
        assert result.le == math.inf or math.isfinite(result.le)
        _assert_finite(result.count)
    elif dataclasses.is_dataclass(result):
        for field in dataclasses.fields(result):
            _assert_finite(getattr(result, field.name))
    elif isinstance(result, tuple | list):
        for item in result:
            _assert_finite(item)
    elif isinstance(result, dict):
        for item in result.values():
            _assert_finite(item)


def _sites(rows: Any) -> Any:
    return parse.parse_sites(rows, {"g1": "region-EU", "g2": "Stores"}, RegionRule("region-"))


def _wan_ports(rows: Any) -> Any:
    return parse.parse_wan_ports(rows, parse.parse_gateways([_gateway_row()]))


def _webhook_alarms(body: Any) -> Any:
    _, events = parse.parse_delivery(body)
    return parse.parse_alarm_events(events, DEFS)


def _webhook_device_events(body: Any) -> Any:
    _, events = parse.parse_delivery(body)
    return parse.parse_device_events(events)


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
        ("impact_summary", parse.parse_impact_summary, named_example("SleImpactSummaryExample")),
        (
            "impacted_applications",
            parse.parse_impacted_applications,
            named_example("SleImpactedApplicationsExample"),
        ),
        (
            "impacted_clients",
            parse.parse_impacted_clients,
            named_example("SleImpactedClientsExample"),
        ),
        ("impacted_peer_paths", parse.parse_impacted_peer_paths, PEER_PATHS),
        ("webhook_alarms", _webhook_alarms, {"topic": "alarms", "events": [ALARM_EVENT] * 2}),
        (
            "webhook_device_events",
            _webhook_device_events,
            {"topic": "device-events", "events": [DEVICE_EVENT, DEVICE_EVENT | {"type": "X"}]},
        ),
        ("alarm_defs", parse.parse_alarm_defs, ALARM_DEFS),
        ("device_event_defs", parse.parse_device_event_defs, DEVICE_EVENT_DEFS),
    ]


CASES = _cases()


def _histogram_overflow() -> Any:
    """Two finite bins of 1e308 whose cumulative count overflows to inf."""
    body = named_example("SleHistogramExample")
    body["data"][0]["value"] = 1e308
    body["data"][1]["value"] = 1e308
    return body


# Payloads Hypothesis once found (a run of the ``dev`` profile), replayed on every run.
FOUND: dict[str, tuple[Any, ...]] = {"histogram": (_histogram_overflow(),)}


@pytest.mark.parametrize(
    ("parser", "base"), [(p, b) for _, p, b in CASES], ids=[n for n, _, _ in CASES]
)
def test_unmutated_base_parses(parser: Callable[[Any], Any], base: Any) -> None:
    assert parser(copy.deepcopy(base)) is not None


def _check(parser: Callable[[Any], Any], data: Any) -> None:
    """The fuzz property: a parser returns finite values or raises MistPayloadError."""
    with contextlib.suppress(MistPayloadError):
        _assert_finite(parser(data))


@pytest.mark.parametrize(("name", "parser", "base"), CASES, ids=[n for n, _, _ in CASES])
def test_mutations_raise_only_payload_errors(
    name: str, parser: Callable[[Any], Any], base: Any
) -> None:
    def check(data: Any) -> None:
        _check(parser, data)

    test = given(data=_mutated(base, _read_keys(parser, base)))(check)
    for found in FOUND.get(name, ()):
        test = example(data=copy.deepcopy(found))(test)
    settings(
        max_examples=200,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(test)()


def test_found_examples_belong_to_a_case_and_break_the_property_unfixed() -> None:
    """Each kept example names a fuzz case and is caught by ``_assert_finite``: summed
    without the overflow check, the histogram payload gives an infinite count."""
    assert FOUND.keys() <= {name for name, _, _ in CASES}
    running = sum(row["value"] for row in _histogram_overflow()["data"][:2])
    assert running == math.inf
    with pytest.raises(AssertionError):
        _assert_finite(HistogramBucket(le=10.0, count=running))
