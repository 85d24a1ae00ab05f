"""The fuzz property (tests/parse/test_fuzz.py) seeded with the live shapes: payloads the
simulator serves with every live habit on, picked so each base holds the habit's rows."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings

from exporter.mist import parse
from exporter.simulator import SimConfig, insight_api, org_api, search_api, sle_api
from exporter.simulator.api import Api
from exporter.simulator.dynamics import World
from exporter.simulator.events import Event
from exporter.simulator.fleet import build_fleet
from exporter.simulator.live import ALL
from exporter.simulator.replies import Call, Reply
from tests.parse.test_fuzz import _check, _mutated, _read_keys

NOW = 1_800_000_000.0 + 1800
Handler = Callable[[Api, Call], Reply]


@cache
def _api() -> Api:
    """A live-spelling simulator with every habit, a gateway down, large alarm volume."""
    config = SimConfig(sites=300, seed=2, spelling="live", alarms_per_site_hour=0.2)
    fleet = build_fleet(config.seed, config.sites)
    world = World(fleet, alarms_per_site_hour=config.alarms_per_site_hour, alarm_growth=True)
    api = Api.create(fleet, world, config.spelling, ALL)
    placed = world.place(Event("gateway_down", site=1), "event-1", NOW - 60)
    world.apply((placed,))
    return api


def _served(handler: Handler, path: str, params: dict[str, str], **query: Any) -> Any:
    reply = handler(_api(), Call(path, params, {k: str(v) for k, v in query.items()}, NOW))
    return reply.body


def _walk(handler: Handler, **query: Any) -> list[dict[str, Any]]:
    """Every row of an org search walk, repeats included."""
    params = {"org_id": _api().fleet.org_id}
    body = _served(handler, "/search", params, **query)
    rows = list(body["results"])
    while "next" in body:
        body = _served(handler, "/search", params, **dict(parse_qsl(urlsplit(body["next"]).query)))
        rows.extend(body["results"])
    return rows


def _pick(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any], *odd: str) -> list[Any]:
    """A few plain rows, every copy of the rows sent twice, and rows lacking one of ``odd``."""
    counts = Counter(key(row) for row in rows)
    twice = [k for k, n in counts.items() if n > 1][:3]
    picked = rows[:2] + [row for row in rows if key(row) in twice]
    for name in odd:
        picked += [row for row in rows if name not in row][:2]
    return copy.deepcopy(picked)


def _peer_key(row: dict[str, Any]) -> Any:
    return (row["mac"], row["port_id"], row["peer_mac"], row.get("peer_port_id"))


def _site_call(handler: Handler, site: int, metric: str, **query: Any) -> Any:
    site_id = _api().fleet.sites[site].site_id
    params = {"site_id": site_id, "scope": "site", "scope_id": site_id, "metric": metric}
    return _served(handler, "/sle", params, **query)


def _degraded_site(metric: str) -> int:
    api = _api()
    scores = [api.world.sle_score(s.index, metric, NOW - 86400, NOW) for s in api.fleet.sites]
    return scores.index(min(scores))


def _cases() -> list[tuple[str, Callable[[Any], Any], Any]]:
    api = _api()
    devices = _served(org_api.get_devices, "/d", {"org_id": api.fleet.org_id}, type="gateway")
    ha = [d for d in devices if "if2_stat" in d][:2]
    gateways = ha + [d for d in devices if "serial" not in d][:1] + [devices[5]]
    ports = _walk(search_api.get_ports, limit=1000)
    peers = _walk(search_api.get_peers, limit=1000)
    sle = _served(insight_api.get_sites_sle, "/s", {"org_id": api.fleet.org_id}, limit=1000)
    sle_rows = [r for r in sle["results"] if r["wan-link-health-v2"] == 0][:2] + sle["results"][:2]
    alarms = _served(insight_api.get_alarms, "/a", {"org_id": api.fleet.org_id}, limit=1000)
    grown = [a for a in alarms["results"] if a["count"] > 1][:3] + alarms["results"][:1]
    wan = _degraded_site("wan-link-health")
    trend = _site_call(sle_api.get_summary_trend, wan, "wan-link-health", duration="2h")
    gateway = _degraded_site("gateway-health")
    impacted = _site_call(sle_api.get_impacted_gateways, gateway, "gateway-health", duration="1d")
    impacted["gateways"].append({"name": "no-mac", "degraded": 1.5, "total": 10})
    interfaces = _site_call(
        sle_api.get_impacted_interfaces, wan, "wan-link-health-v2", duration="1d"
    )
    interfaces["interfaces"] = interfaces["interfaces"][:3]
    results = {
        "results": [
            {
                "interface": f"{row['interface_name']}.0",
                "device_hostname": row["gateway_name"],
                "degraded": row["degraded"],  # the quoted capture elides numbers; Mist sends them
            }
            for row in interfaces["interfaces"]
        ]
    }
    hosts = {gw.name: gw.mac for gw in api.fleet.gateways}

    def by_hostname(body: Any) -> Any:
        return parse.parse_impacted_interfaces(body, hosts)

    return [
        ("live_gateways", parse.parse_gateways, gateways),
        (
            "live_wan_ports",
            lambda rows: parse.parse_wan_ports(rows, parse.parse_gateways(gateways)),
            _pick(ports, lambda r: (r["mac"], r["port_id"]), "speed", "last_flapped")
            + [r for r in ports if "node" in r][:2],
        ),
        (
            "live_peer_paths",
            parse.parse_peer_paths,
            _pick(peers, _peer_key, "peer_port_id", "latency", "uptime")
            + [r for r in peers if r["last_seen"] < NOW - 3600][:2],
        ),
        ("live_sites_sle", parse.parse_sites_sle, sle_rows),
        ("live_alarms", parse.parse_alarms, grown),
        ("live_summary_trend", parse.parse_summary_trend, trend),
        ("live_impacted_gateways", parse.parse_impacted_gateways, impacted),
        ("live_impacted_interfaces", parse.parse_impacted_interfaces, interfaces),
        ("live_impacted_results", by_hostname, results),
    ]


CASES = _cases()


def test_the_bases_hold_the_live_shapes() -> None:
    bases = {name: base for name, _, base in CASES}
    peers = bases["live_peer_paths"]
    assert any("peer_port_id" not in r for r in peers)
    assert len({_peer_key(r) for r in peers}) < len(peers), "a path twice"
    assert any(r["last_seen"] < NOW - 3600 for r in peers), "a stale path"
    assert any("node" in r for r in bases["live_wan_ports"])
    assert any("if2_stat" in d for d in bases["live_gateways"])
    assert any(r["wan-link-health-v2"] == 0 for r in bases["live_sites_sle"])
    assert any(a["incident_count"] > 1 for a in bases["live_alarms"])
    trend = bases["live_summary_trend"]
    assert trend["start"] % 3600
    assert any("samples" not in c for c in trend["classifiers"])


@pytest.mark.parametrize(
    ("parser", "base"), [(p, b) for _, p, b in CASES], ids=[n for n, _, _ in CASES]
)
def test_unmutated_live_base_parses(parser: Callable[[Any], Any], base: Any) -> None:
    assert parser(copy.deepcopy(base)) is not None


@pytest.mark.parametrize(("name", "parser", "base"), CASES, ids=[n for n, _, _ in CASES])
def test_live_mutations_raise_only_payload_errors(
    name: str, parser: Callable[[Any], Any], base: Any
) -> None:
    def check(data: Any) -> None:
        _check(parser, data)

    test = given(data=_mutated(base, _read_keys(parser, base)))(check)
    settings(
        max_examples=100,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(test)()
