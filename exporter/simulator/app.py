"""The simulator: a fleet, its counters and faults, and the aiohttp app that serves them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import socket
import struct
from collections.abc import Callable
from typing import Any

from aiohttp import web

from exporter.clock import Clock
from exporter.simulator import (
    const_api,
    impact_api,
    insight_api,
    org_api,
    routing_api,
    search_api,
    sle_api,
)
from exporter.simulator.api import Api
from exporter.simulator.budget import HourlyBudget
from exporter.simulator.config import Fault, SimConfig
from exporter.simulator.events import Event, Placed
from exporter.simulator.faults import FaultBook, Hit, html_page, strip_fields
from exporter.simulator.orgs import Directory, EventIds, SimOrg, build_fleets
from exporter.simulator.replies import NOT_FOUND, ApiError, Call, Reply
from exporter.simulator.stats import SimStats
from exporter.simulator.truth import GroundTruth

Handler = Callable[[Api, Call], Reply]
STALL_SECONDS = 120.0
UNAUTHORIZED = "Authentication credentials were not provided."
UNKNOWN_ENDPOINT = "<unknown>"
_SLE = "/api/v1/sites/{site_id}/sle/{scope}/{scope_id}"
ROUTES: tuple[tuple[str, Handler], ...] = (
    ("/api/v1/self", org_api.get_self),
    ("/api/v1/orgs/{org_id}", org_api.get_org),
    ("/api/v1/orgs/{org_id}/sites", org_api.get_sites),
    ("/api/v1/orgs/{org_id}/sitegroups", org_api.get_sitegroups),
    ("/api/v1/orgs/{org_id}/stats/devices", org_api.get_devices),
    ("/api/v1/orgs/{org_id}/stats/ports/search", search_api.get_ports),
    ("/api/v1/orgs/{org_id}/stats/vpn_peers/search", search_api.get_peers),
    ("/api/v1/orgs/{org_id}/stats/bgp_peers/search", routing_api.get_bgp_peers),
    ("/api/v1/orgs/{org_id}/stats/tunnels/search", routing_api.get_tunnels),
    ("/api/v1/orgs/{org_id}/insights/sites-sle", insight_api.get_sites_sle),
    ("/api/v1/orgs/{org_id}/insights/worst-sites-by-sle", insight_api.get_worst_sites),
    ("/api/v1/orgs/{org_id}/alarms/search", insight_api.get_alarms),
    ("/api/v1/const/alarm_defs", const_api.get_alarm_defs),
    ("/api/v1/const/device_events", const_api.get_device_events),
    (f"{_SLE}/metrics", sle_api.get_metrics),
    (f"{_SLE}/metric/{{metric}}/summary-trend", sle_api.get_summary_trend),
    (f"{_SLE}/metric/{{metric}}/histogram", sle_api.get_histogram),
    (f"{_SLE}/metric/{{metric}}/threshold", sle_api.get_threshold),
    (f"{_SLE}/metric/{{metric}}/impact-summary", impact_api.get_wan_impact_summary),
    (f"{_SLE}/metric/{{metric}}/impacted-applications", impact_api.get_impacted_applications),
    (f"{_SLE}/metric/{{metric}}/impacted-clients", impact_api.get_impacted_clients),
    (f"{_SLE}/metric/{{metric}}/impacted-peer-paths", impact_api.get_impacted_peer_paths),
    (f"{_SLE}/metric/{{metric}}/impacted-gateways", sle_api.get_impacted_gateways),
    (f"{_SLE}/metric/{{metric}}/impacted-interfaces", sle_api.get_impacted_interfaces),
    (f"{_SLE}/metric/{{metric}}/classifiers", sle_api.get_classifiers),
)


def _not_found(api: Api, call: Call) -> Reply:
    raise ApiError(404, NOT_FOUND)


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"detail": detail}, status=status, headers=headers)


def _listed(org: SimOrg, placed: Placed) -> dict[str, Any]:
    return {**placed.to_json(), "org_id": org.org_id}


class Simulator:
    """A simulated Mist cloud of ``config.orgs`` orgs; ``app`` serves it.

    ``orgs`` holds them (``orgs.SimOrg``); ``org_id``, ``fleet``, ``world``, ``api``,
    ``truth()`` and ``add_event()`` are org 0's.
    """

    def __init__(self, config: SimConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        ids = EventIds()
        self.orgs = tuple(
            SimOrg(k, fleet, config, clock, ids)
            for k, fleet in enumerate(build_fleets(config.seed, config.sites, config.orgs))
        )
        self.directory = Directory(self.orgs, config)
        first = self.orgs[0]
        self.org_id, self.fleet = first.org_id, first.fleet
        self.world, self.api = first.world, first.api
        self.stats = SimStats()
        self.budget = HourlyBudget(config.calls_per_hour)
        self._rng = random.Random(config.seed)
        self.faults = FaultBook(config.faults, self._rng)
        for event in config.events:
            self.directory.org(None, event).add_event(event)
        self._tokens = {token: index for index, token in enumerate(config.tokens)}
        self._closing = asyncio.Event()
        self.app = self._build_app()

    def truth(self, now: float | None = None, *, alarms_since: float | None = None) -> GroundTruth:
        return self.orgs[0].truth(now, alarms_since=alarms_since)

    def add_event(self, event: Event) -> Placed:
        """Put ``event`` in force in org 0 from now (ValueError when it does not fit)."""
        return self.orgs[0].add_event(event)

    def clear_events(self) -> int:
        return sum(org.clear_events() for org in self.orgs)

    def close(self) -> None:
        """Release stalled calls (they answer 504) so a shutdown does not wait for them."""
        self._closing.set()

    def _build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/__sim/stats", self._get_stats)
        app.router.add_post("/__sim/stats/reset", self._reset_stats)
        app.router.add_get("/__sim/faults", self._list_faults)
        app.router.add_post("/__sim/faults", self._add_fault)
        app.router.add_delete("/__sim/faults", self._clear_faults)
        app.router.add_get("/__sim/events", self._list_events)
        app.router.add_post("/__sim/events", self._add_event)
        app.router.add_delete("/__sim/events", self._clear_events)
        for template, handler in ROUTES:
            app.router.add_get(template, self._endpoint(template, handler), allow_head=False)
        app.router.add_get(
            "/{tail:.*}", self._endpoint(UNKNOWN_ENDPOINT, _not_found), allow_head=False
        )

        async def on_shutdown(_: web.Application) -> None:
            self.close()

        app.on_shutdown.append(on_shutdown)
        return app

    def _endpoint(self, template: str, handler: Handler) -> Callable[[web.Request], Any]:
        async def serve(request: web.Request) -> web.StreamResponse:
            self.stats.begin()
            try:
                return await self._serve(request, template, handler)
            finally:
                self.stats.end()

        return serve

    async def _serve(
        self, request: web.Request, template: str, handler: Handler
    ) -> web.StreamResponse:
        now = self.clock.time()
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        index = self._tokens.get(token.strip()) if scheme.lower() == "token" else None
        self.stats.record(template, "invalid" if index is None else f"token-{index}")
        if index is None:
            return _error(401, UNAUTHORIZED)
        if not self.budget.spend(index, now):
            return self._too_many(now, self.config.retry_after, None)
        hit = self.faults.draw(template, request.path)
        if self.config.latency_ms > 0:
            await asyncio.sleep(self.config.latency_ms / 1000 * self._rng.uniform(0.8, 1.2))
        if hit is not None:
            early = await self._fault_reply(request, hit, now)
            if early is not None:
                return early
        call = Call(
            request.path,
            dict(request.match_info),
            dict(request.query),
            now,
            self.directory.privileges(index),
        )
        try:
            reply = handler(self.directory.api_for(call.params, index), call)
        except ApiError as error:
            return _error(error.status, error.detail)
        body = (
            strip_fields(reply.body)
            if hit is not None and hit.fault.mode == "missing_fields"
            else reply.body
        )
        data = json.dumps(body, separators=(",", ":")).encode()
        if hit is not None and hit.fault.mode == "malformed":
            data = data[:-1] + b"," + data[-1:]  # a trailing comma: invalid JSON
        elif hit is not None and hit.fault.mode == "truncated":
            data = data[: max(1, len(data) // 2)]
        return web.Response(
            body=data, status=reply.status, headers=reply.headers, content_type="application/json"
        )

    def _too_many(self, now: float, retry_after: bool, seconds: float | None) -> web.Response:
        self.stats.rate_limited += 1
        headers = {}
        if seconds is not None:
            headers["Retry-After"] = str(int(seconds))
        elif retry_after:
            headers["Retry-After"] = str(max(1, math.ceil(self.budget.seconds_to_reset(now))))
        return _error(429, self.budget.detail(), headers)

    async def _fault_reply(
        self, request: web.Request, hit: Hit, now: float
    ) -> web.StreamResponse | None:
        """The reply of a fault that replaces the endpoint's answer (None for body faults)."""
        mode = hit.fault.mode
        if mode == "429":
            return self._too_many(now, False, hit.fault.retry_after)
        if mode == "401":
            return _error(401, UNAUTHORIZED)
        if mode == "5xx":
            return _error(
                hit.status, "Internal Server Error" if hit.status == 500 else "Service Unavailable"
            )
        if mode == "html":
            return web.Response(
                text=html_page(hit.status),
                status=hit.status,
                content_type="text/html",
            )
        if mode == "stall":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), STALL_SECONDS)
            return _error(504, "Gateway Timeout")
        if mode == "reset":
            transport = request.transport
            if transport is not None:
                sock = transport.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                transport.abort()
            raise asyncio.CancelledError
        return None

    async def _get_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.to_json())

    async def _reset_stats(self, request: web.Request) -> web.Response:
        self.stats.reset()
        return web.json_response(self.stats.to_json())

    async def _list_faults(self, request: web.Request) -> web.Response:
        return web.json_response({"faults": self.faults.listing()})

    async def _add_fault(self, request: web.Request) -> web.Response:
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            fault = Fault.from_json(data)
        except ValueError as error:
            return _error(400, str(error))
        return web.json_response({"id": self.faults.add(fault), **fault.to_json()}, status=201)

    async def _clear_faults(self, request: web.Request) -> web.Response:
        return web.json_response({"cleared": self.faults.clear()})

    async def _list_events(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"events": [_listed(org, p) for org in self.orgs for p in org.world.events]}
        )

    async def _add_event(self, request: web.Request) -> web.Response:
        """An event, for ``org_id`` if given, else the org owning the site it names, else org 0."""
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            org_id = data.pop("org_id", None)
            if org_id is not None and not isinstance(org_id, str):
                raise ValueError(f"org_id must be a string, got {org_id!r}")
            event = Event.from_json(data)
            org = self.directory.org(org_id, event)
            placed = org.add_event(event)
        except ValueError as error:
            return _error(400, str(error))
        return web.json_response(_listed(org, placed), status=201)

    async def _clear_events(self, request: web.Request) -> web.Response:
        return web.json_response({"cleared": self.clear_events()})
