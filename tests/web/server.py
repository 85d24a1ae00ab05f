"""Serve a built app on a free loopback port for the length of a test."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from exporter.web.app import serve
from tests.support.ports import free_port


@asynccontextmanager
async def running(app: web.Application, tls: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """The app served on loopback; yields its base URL."""
    port = free_port()
    runner = await serve(app, ("127.0.0.1", port), tls)
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
