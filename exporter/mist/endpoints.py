"""The catalogue of Mist endpoints the exporter calls, built from mistapi's generated functions.

mistapi (the official SDK) is synchronous and cannot target a local URL, but its generated
functions know every path and query parameter name. Each is called with a recorder whose
``mist_get(uri, query)`` returns ``(uri, query)``: no request is made by mistapi.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mistapi.api.v1.const import alarm_defs, device_events
from mistapi.api.v1.orgs import alarms, insights, orgs, sitegroups, sites, stats
from mistapi.api.v1.self import self as self_api
from mistapi.api.v1.sites import sle

Query = dict[str, str]
_PROBE = "probe"


class Paging(enum.Enum):
    """How an endpoint splits its answer into pages (docs/mist-api.md: how each is fetched)."""

    NONE = "none"
    HEADERS = "headers"  # plain array; ``limit``/``page`` query, totals in X-Page-* headers
    SEARCH = "search"  # search object; follow the relative ``next`` URL verbatim
    BODY = "body"  # ``page``/``limit``/``total`` in the body next to ``results``


class _Recorder:
    """Stands in for ``mistapi.APISession``: returns what mistapi would have requested."""

    def mist_get(self, uri: str, query: Query | None = None) -> tuple[str, Query]:
        return uri, dict(query or {})


def normalise(value: Any) -> str:
    """A query value as Mist expects it: ``true``/``false``, numbers in full, lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ",".join(normalise(v) for v in value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One GET endpoint: its template (what metrics and errors show) and how to call it.

    ``path`` names the path parameters the caller gives (``org_id``, ``site_id``, ``metric``);
    ``fixed`` are path arguments this endpoint always uses; ``aliases`` fill a mistapi argument
    from another parameter (the site SLE ``scope_id`` is the ``site_id``); ``defaults`` are query
    values sent unless the caller overrides them.
    """

    name: str
    template: str
    paging: Paging
    function: Callable[..., Any] = field(repr=False, compare=False)
    path: tuple[str, ...] = ()
    fixed: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    query_keys: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def build(self, **params: Any) -> tuple[str, Query]:
        """(path, query) for a call; falsy values such as ``False`` and ``0`` are kept.

        Fixed and aliased path arguments may be given too, with the value they always have.
        """
        missing = [p for p in self.path if params.get(p) is None]
        if missing:
            raise TypeError(f"{self.name}: missing path parameter(s) {', '.join(missing)}")
        for name, value in self.fixed.items():
            if params.pop(name, value) != value:
                raise TypeError(f"{self.name}: {name} is always {value!r}")
        for name, source in self.aliases.items():
            if params.pop(name, params.get(source)) != params.get(source):
                raise TypeError(f"{self.name}: {name} is always the {source}")
        values = {**self.defaults, **params}
        unknown = sorted(set(values) - set(self.path) - set(self.query_keys))
        if unknown:
            raise TypeError(f"{self.name}: unknown parameter(s) {', '.join(unknown)}")
        args = {p: str(values[p]) for p in self.path}
        args.update(self.fixed)
        args.update({target: args[source] for target, source in self.aliases.items()})
        uri, query = self.function(_Recorder(), **args)
        for name, value in values.items():
            if name in self.query_keys and value is not None:
                query[self.query_keys[name]] = normalise(value)
        return uri, query


def _endpoint(
    name: str,
    function: Callable[..., Any],
    paging: Paging = Paging.NONE,
    *,
    fixed: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Endpoint:
    """Derive the template and the query key of every argument by calling ``function``."""
    fixed = dict(fixed or {})
    aliases = dict(aliases or {})
    signature = inspect.signature(function)
    arguments = list(signature.parameters.values())[1:]
    required = [a.name for a in arguments if a.default is inspect.Parameter.empty]
    path = tuple(n for n in required if n not in fixed and n not in aliases)
    placeholders = {n: "{" + n + "}" for n in path} | fixed
    placeholders |= {target: placeholders[source] for target, source in aliases.items()}
    template, _ = function(_Recorder(), **placeholders)
    query_keys: dict[str, str] = {}
    for argument in arguments:
        if argument.name in required:
            continue
        _, query = function(_Recorder(), **placeholders, **{argument.name: _PROBE})
        (key,) = query
        query_keys[argument.name] = key
    return Endpoint(
        name=name,
        template=template,
        paging=paging,
        function=function,
        path=path,
        fixed=fixed,
        aliases=aliases,
        defaults=dict(defaults or {}),
        query_keys=query_keys,
    )


def _site_sle(
    name: str, function: Callable[..., Any], defaults: Mapping[str, Any] | None = None
) -> Endpoint:
    return _endpoint(
        name, function, fixed={"scope": "site"}, aliases={"scope_id": "site_id"}, defaults=defaults
    )


def list_site_sle_impacted_peer_paths(
    mist_session: Any,
    site_id: str,
    scope: str,
    scope_id: str,
    metric: str,
    start: str | None = None,
    end: str | None = None,
    classifier: str | None = None,
) -> Any:
    """``impacted-peer-paths``: answered by the live WAN SLE pages, but in neither the spec nor
    mistapi; shaped like mistapi's functions so :func:`_endpoint` derives it the same way."""
    uri = f"/api/v1/sites/{site_id}/sle/{scope}/{scope_id}/metric/{metric}/impacted-peer-paths"
    given = (("start", start), ("end", end), ("classifier", classifier))
    query = {key: str(value) for key, value in given if value}
    return mist_session.mist_get(uri=uri, query=query)


SELF = _endpoint("self", self_api.getSelf)
ORG = _endpoint("org", orgs.getOrg)
SITES = _endpoint("sites", sites.listOrgSites, Paging.HEADERS)
SITEGROUPS = _endpoint("sitegroups", sitegroups.listOrgSiteGroups, Paging.HEADERS)
DEVICE_STATS = _endpoint(
    "device_stats", stats.listOrgDevicesStats, Paging.HEADERS, defaults={"type": "gateway"}
)
PORT_SEARCH = _endpoint(
    "port_search", stats.searchOrgSwOrGwPorts, Paging.SEARCH, defaults={"device_type": "gateway"}
)
PEER_SEARCH = _endpoint("peer_search", stats.searchOrgPeerPathStats, Paging.SEARCH)
SITES_SLE = _endpoint("sites_sle", insights.getOrgSitesSle, Paging.BODY, defaults={"sle": "wan"})
BGP_SEARCH = _endpoint("bgp_search", stats.searchOrgBgpStats, Paging.SEARCH)
TUNNEL_SEARCH = _endpoint(
    "tunnel_search", stats.searchOrgTunnelsStats, Paging.SEARCH, defaults={"type": "wan"}
)
ORG_INSIGHT = _endpoint("org_insight", insights.getOrgSle, fixed={"metric": "worst-sites-by-sle"})
ALARM_SEARCH = _endpoint("alarm_search", alarms.searchOrgAlarms, Paging.SEARCH)
ALARM_DEFS = _endpoint("alarm_defs", alarm_defs.listAlarmDefinitions)
DEVICE_EVENT_DEFS = _endpoint("device_event_defs", device_events.listDeviceEventsDefinitions)
SLE_METRICS = _site_sle("sle_metrics", sle.listSiteSlesMetrics)
SLE_SUMMARY_TREND = _site_sle("sle_summary_trend", sle.getSiteSleSummaryTrend)
SLE_HISTOGRAM = _site_sle("sle_histogram", sle.getSiteSleHistogram)
SLE_THRESHOLD = _site_sle("sle_threshold", sle.getSiteSleThreshold)
SLE_IMPACTED_GATEWAYS = _site_sle("sle_impacted_gateways", sle.listSiteSleImpactedGateways)
SLE_IMPACTED_INTERFACES = _site_sle("sle_impacted_interfaces", sle.listSiteSleImpactedInterfaces)
# The WAN dimensions of impact-summary (the spec's default answer holds only Wi-Fi ones).
IMPACT_FIELDS = ("gateway", "interface", "peer_path", "application", "client")
SLE_IMPACT_SUMMARY = _site_sle(
    "sle_impact_summary", sle.getSiteSleImpactSummary, defaults={"fields": IMPACT_FIELDS}
)
SLE_IMPACTED_APPLICATIONS = _site_sle(
    "sle_impacted_applications", sle.listSiteSleImpactedApplications
)
SLE_IMPACTED_CLIENTS = _site_sle("sle_impacted_clients", sle.listSiteSleImpactedWiredClients)
SLE_IMPACTED_PEER_PATHS = _site_sle("sle_impacted_peer_paths", list_site_sle_impacted_peer_paths)

ALL: tuple[Endpoint, ...] = (
    SELF,
    ORG,
    SITES,
    SITEGROUPS,
    DEVICE_STATS,
    PORT_SEARCH,
    PEER_SEARCH,
    SITES_SLE,
    ORG_INSIGHT,
    ALARM_SEARCH,
    BGP_SEARCH,
    TUNNEL_SEARCH,
    ALARM_DEFS,
    DEVICE_EVENT_DEFS,
    SLE_METRICS,
    SLE_SUMMARY_TREND,
    SLE_HISTOGRAM,
    SLE_THRESHOLD,
    SLE_IMPACTED_GATEWAYS,
    SLE_IMPACTED_INTERFACES,
    SLE_IMPACT_SUMMARY,
    SLE_IMPACTED_APPLICATIONS,
    SLE_IMPACTED_CLIENTS,
    SLE_IMPACTED_PEER_PATHS,
)
