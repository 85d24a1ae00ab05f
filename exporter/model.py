"""The normalised, immutable model of a Mist org that everything after the parse step sees.

Values are in base units (seconds, bytes, ratios 0..1); ``None`` means Mist did not report it.
A :class:`Snapshot` is swapped whole after each job; nothing in it is ever mutated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exporter.thresholds import Thresholds


@dataclass(frozen=True, slots=True)
class Org:
    org_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Site:
    site_id: str
    name: str
    region: str
    country_code: str


@dataclass(frozen=True, slots=True)
class Inventory:
    org: Org
    sites: tuple[Site, ...]


@dataclass(frozen=True, slots=True)
class WanInterface:
    """A WAN port as the gateway's ``if_stat`` reports it: names, and (None when left out)
    status and byte counters, summed over the port's WAN units, as of ``as_of`` (the fetch)."""

    port_id: str
    wan_name: str
    wan_type: str
    up: bool | None = None
    receive_bytes: float | None = None
    transmit_bytes: float | None = None
    as_of: float = 0.0


@dataclass(frozen=True, slots=True)
class GatewayNode:
    """One node of a gateway: ``node`` is "" for a single gateway, node0/node1 for an HA pair."""

    node: str
    cpu_ratio: float | None
    memory_ratio: float | None
    wan_interfaces: tuple[WanInterface, ...] = ()


@dataclass(frozen=True, slots=True)
class Gateway:
    site_id: str
    mac: str
    name: str
    model: str
    version: str
    up: bool
    uptime_seconds: float | None
    nodes: tuple[GatewayNode, ...] = ()


@dataclass(frozen=True, slots=True)
class WanPort:
    site_id: str
    gateway_mac: str
    port_id: str
    wan_name: str
    wan_type: str
    up: bool
    speed_bytes_per_second: float | None
    receive_bytes: float | None
    transmit_bytes: float | None
    receive_rate_bytes_per_second: float | None
    transmit_rate_bytes_per_second: float | None
    latency_seconds: float | None
    jitter_seconds: float | None
    loss_ratio: float | None
    last_flap_timestamp: float | None
    node: str = ""
    # When the port search that reported it was fetched (0: not known).
    as_of: float = 0.0


@dataclass(frozen=True, slots=True)
class PeerPath:
    site_id: str
    gateway_mac: str
    port_id: str
    peer_mac: str
    peer_port_id: str
    up: bool
    active: bool
    latency_seconds: float | None
    jitter_seconds: float | None
    loss_ratio: float | None
    mos: float | None
    last_seen: float | None = None


@dataclass(frozen=True, slots=True)
class BgpPeer:
    """One BGP session of a gateway (``stats/bgp_peers/search``), named by neighbor and VRF.

    ``state`` is Mist's session state (``established``, ``active``, ``idle``...); ``flaps``
    Mist's cumulative ``flap_count``; ``timestamp`` when Mist sampled the row.
    """

    site_id: str
    gateway_mac: str
    neighbor: str
    vrf: str
    up: bool
    state: str
    uptime_seconds: float | None
    received_routes: float | None
    advertised_routes: float | None
    flaps: float | None
    neighbor_as: str = ""
    node: str = ""
    timestamp: float | None = None


@dataclass(frozen=True, slots=True)
class WanTunnel:
    """One secure-edge tunnel of a gateway (``stats/tunnels/search?type=wan``).

    Counters are Mist's totals; ``last_flap_timestamp`` is when the tunnel last came up
    (fetch time minus uptime) or was first seen down (kept from the run before).
    """

    site_id: str
    gateway_mac: str
    tunnel_name: str
    peer_host: str
    node: str
    up: bool
    peer_ip: str
    protocol: str
    priority: str
    wan_name: str
    uptime_seconds: float | None
    receive_bytes: float | None
    transmit_bytes: float | None
    receive_packets: float | None
    transmit_packets: float | None
    last_flap_timestamp: float | None = None


@dataclass(frozen=True, slots=True)
class SleScore:
    """Org-level SLE score of one site for one metric (``sle`` uses hyphens)."""

    site_id: str
    sle: str
    ratio: float


@dataclass(frozen=True, slots=True)
class WorstSite:
    """One row of ``worst-sites-by-sle``: lower ``ratio`` is worse."""

    sle: str
    site_id: str
    ratio: float


@dataclass(frozen=True, slots=True)
class Alarm:
    alarm_id: str
    site_id: str
    group: str
    severity: str
    alarm_type: str
    timestamp: float
    incident_count: int = 1
    last_seen: float = 0.0


@dataclass(frozen=True, slots=True)
class AlarmDefinition:
    """Mist's definition of an alarm type (``/const/alarm_defs``): its group and severity."""

    alarm_type: str
    group: str
    severity: str


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """A gateway event pushed by a ``device-events`` webhook.

    ``change`` is what it means for the metrics: ``gateway_up``, ``gateway_down``, ``port_up``,
    ``port_down``, or "" for a type that changes none of them.
    """

    mac: str
    site_id: str
    device_type: str
    event_type: str
    timestamp: float
    port_id: str = ""
    change: str = ""


@dataclass(frozen=True, slots=True)
class AlarmCount:
    """Alarms seen in the window for one (site, group, severity, type)."""

    site_id: str
    group: str
    severity: str
    alarm_type: str
    count: int


@dataclass(frozen=True, slots=True)
class AlarmIncidents:
    """Cumulative incidents since the ledger began for one (group, severity, type) of an org
    (``org_id`` is stamped when the orgs' snapshots are merged for /metrics)."""

    group: str
    severity: str
    alarm_type: str
    total: int
    org_id: str = ""


@dataclass(frozen=True, slots=True)
class TrendBucket:
    """One ``summary-trend`` bucket: user-seconds in total and degraded."""

    timestamp: float
    total: float
    degraded: float


@dataclass(frozen=True, slots=True)
class SummaryTrend:
    """A parsed ``summary-trend``: the metric's buckets and each classifier's degraded buckets."""

    buckets: tuple[TrendBucket, ...]
    classifiers: tuple[tuple[str, tuple[TrendBucket, ...]], ...]


@dataclass(frozen=True, slots=True)
class HistogramBucket:
    """Cumulative count of samples with value <= ``le``."""

    le: float
    count: float


@dataclass(frozen=True, slots=True)
class ClassifierDegraded:
    classifier: str
    degraded_seconds: float


@dataclass(frozen=True, slots=True)
class ImpactedGateway:
    gateway_mac: str
    degraded_seconds: float


@dataclass(frozen=True, slots=True)
class ImpactedInterface:
    gateway_mac: str
    interface: str
    degraded_seconds: float


@dataclass(frozen=True, slots=True)
class ImpactEntity:
    """One row of ``impact-summary``: an entity of a ``field`` (gateway, interface, client...)."""

    field: str
    entity: str
    degraded_seconds: float


@dataclass(frozen=True, slots=True)
class ImpactedApplication:
    application: str
    degraded_seconds: float


@dataclass(frozen=True, slots=True)
class ImpactedPeerPath:
    gateway_mac: str
    port_id: str
    peer_mac: str
    peer_port_id: str
    degraded_seconds: float


@dataclass(frozen=True, slots=True)
class SleDeepDive:
    """Site-level detail of one SLE metric over ``window_start``..``window_end``."""

    site_id: str
    sle: str
    window_start: float
    window_end: float
    fetched_at: float
    trend: tuple[TrendBucket, ...]
    classifiers: tuple[ClassifierDegraded, ...]
    histogram: tuple[HistogramBucket, ...]
    threshold: float | None
    impacted_gateways: tuple[ImpactedGateway, ...]
    impacted_interfaces: tuple[ImpactedInterface, ...]
    # Who suffered (``impact-summary`` and ``impacted-*``, fetched at ``impact_fetched_at``),
    # top N per field; clients: a count.
    impact_fetched_at: float = 0.0
    impact: tuple[ImpactEntity, ...] = ()
    impacted_applications: tuple[ImpactedApplication, ...] = ()
    impacted_clients: float | None = None
    impacted_peer_paths: tuple[ImpactedPeerPath, ...] = ()

    @property
    def total_seconds(self) -> float:
        return sum(b.total for b in self.trend)

    @property
    def degraded_seconds(self) -> float:
        return sum(b.degraded for b in self.trend)


@dataclass(frozen=True, slots=True)
class JobStatus:
    """What the scheduler knows about one job."""

    job: str
    last_success: float | None = None
    last_attempt: float | None = None
    duration_seconds: float | None = None
    errors_total: int = 0
    last_error: str | None = None
    next_run: float | None = None
    interval_seconds: float | None = None
    planned_calls_per_hour: float = 0.0
    org_id: str = ""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the exporter publishes about the org, as of the last completed jobs."""

    inventory: Inventory | None = None
    gateways: tuple[Gateway, ...] = ()
    wan_ports: tuple[WanPort, ...] = ()
    peer_paths: tuple[PeerPath, ...] = ()
    bgp_peers: tuple[BgpPeer, ...] = ()
    wan_tunnels: tuple[WanTunnel, ...] = ()
    sle_scores: tuple[SleScore, ...] = ()
    worst_sites: tuple[WorstSite, ...] = ()
    alarm_counts: tuple[AlarmCount, ...] = ()
    alarm_incidents: tuple[AlarmIncidents, ...] = ()
    deep_dives: tuple[SleDeepDive, ...] = ()
    alarm_defs: tuple[AlarmDefinition, ...] = ()
    device_event_types: tuple[str, ...] = ()
    published: frozenset[str] = field(default_factory=frozenset)
    # Every org's inventory when the orgs' snapshots are merged for /metrics (else empty).
    inventories: tuple[Inventory, ...] = ()


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One finished Mist API request, as the client reports it to its observers."""

    endpoint: str
    code: int
    duration_seconds: float
    token_index: int
    retries: int


@dataclass(frozen=True, slots=True)
class TokenBudget:
    """Budget left for a token this clock hour (``token`` is a label, never the secret)."""

    token: str
    remaining: int
    reset_timestamp: float
    parked_until: float | None = None


@dataclass(frozen=True, slots=True)
class ExporterStatus:
    """The exporter's view of its own work, rendered as self-metrics and on the status page."""

    jobs: tuple[JobStatus, ...] = ()
    budgets: tuple[TokenBudget, ...] = ()
    state_store_up: bool = True
    state_store_kind: str = "memory"
    started_at: float = 0.0
    first_publish_at: float | None = None
    # (endpoint template, reason, rows) the parsers left out since the exporter started
    skipped_rows: tuple[tuple[str, str, int], ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    # (topic, outcome, events) and (topic, unix time of the last verified delivery)
    webhook_events: tuple[tuple[str, str, int], ...] = ()
    webhook_last_event: tuple[tuple[str, float], ...] = ()
    # The orgs exported (id, name as last read): one status page section each.
    orgs: tuple[Org, ...] = ()
