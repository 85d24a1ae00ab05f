"""The aiohttp application: ``/metrics``, ``/`` (status page), ``/healthz`` and ``/readyz``;
``POST /webhooks/mist`` when a webhook secret is configured (signed, so not behind basic auth)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from exporter import __version__
from exporter.clock import Clock, SystemClock
from exporter.metrics.render import MetricsRenderer, accepted, negotiate
from exporter.metrics.requests import RequestRecorder
from exporter.metrics.source import Source
from exporter.web.auth import WebAuth
from exporter.web.readiness import readiness
from exporter.web.status_page import render_status_page
from exporter.web.webhooks import PATH as WEBHOOK_PATH
from exporter.web.webhooks import Intake, add_route

RENDERER = web.AppKey("renderer", MetricsRenderer)
SOURCE = web.AppKey("source", Source)
CLOCK = web.AppKey("clock", Clock)
REALM = 'Basic realm="mist-wan-exporter", charset="UTF-8"'


def accepts_gzip(accept_encoding: str | None) -> bool:
    return not {"gzip", "x-gzip", "*"}.isdisjoint(accepted(accept_encoding))


async def metrics(request: web.Request) -> web.StreamResponse:
    fmt = negotiate(request.headers.get("Accept"))
    gzip = accepts_gzip(request.headers.get("Accept-Encoding"))
    chunks = await request.app[RENDERER].body(fmt, gzip=gzip)
    response = web.StreamResponse(headers={"Content-Type": fmt.content_type})
    response.headers["Vary"] = "Accept, Accept-Encoding"
    if gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.content_length = sum(len(c) for c in chunks)
    await response.prepare(request)
    if request.method != "HEAD":
        for chunk in chunks:
            await response.write(chunk)
    await response.write_eof()
    return response


async def status_page(request: web.Request) -> web.Response:
    source = request.app[SOURCE]
    page = render_status_page(
        source.status(),
        simulated=source.simulated,
        now=request.app[CLOCK].time(),
        version=__version__,
    )
    return web.Response(text=page, content_type="text/html")


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


async def readyz(request: web.Request) -> web.Response:
    result = readiness(request.app[SOURCE].status(), request.app[CLOCK].time())
    return web.Response(text=result.reason + "\n", status=200 if result.ready else 503)


def _auth_middleware(auth: WebAuth) -> Middleware:
    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == WEBHOOK_PATH:  # Mist signs its deliveries; it cannot send a password
            return await handler(request)
        if not await auth.allowed(request.headers.get("Authorization")):
            return web.Response(
                status=401, text="401 Unauthorized\n", headers={"WWW-Authenticate": REALM}
            )
        return await handler(request)

    return check


async def _keep_warm(app: web.Application) -> AsyncIterator[None]:
    renderer = app[RENDERER]
    task = asyncio.create_task(renderer.keep_warm(), name="metrics-keep-warm")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await renderer.close()


def build_app(
    source: Source,
    recorder: RequestRecorder,
    *,
    auth: WebAuth | None = None,
    clock: Clock | None = None,
    webhooks: tuple[str, Intake] | None = None,
) -> web.Application:
    """The exporter's web app over ``source``; ``auth`` guards every endpoint but the webhook
    receiver when given; ``webhooks`` (secret, intake) enables the receiver."""
    app = web.Application(middlewares=[_auth_middleware(auth)] if auth is not None else [])
    app[SOURCE] = source
    app[CLOCK] = clock if clock is not None else SystemClock()
    app[RENDERER] = MetricsRenderer(source, recorder)
    app.cleanup_ctx.append(_keep_warm)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/", status_page)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if webhooks is not None:
        add_route(app, *webhooks)
    return app


async def serve(
    app: web.Application, listen: tuple[str, int], tls: ssl.SSLContext | None = None
) -> web.AppRunner:
    """Start serving ``app`` on ``listen`` (host, port); ``await runner.cleanup()`` to stop."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, listen[0], listen[1], ssl_context=tls)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    return runner
