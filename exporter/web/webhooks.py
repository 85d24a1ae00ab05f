"""``POST /webhooks/mist``: Mist's signed webhook deliveries, verified before they are read.

A delivery is accepted only when ``X-Mist-Signature-v2`` is the hex HMAC-SHA256 of the raw body
under the configured secret (compared in constant time). Refused: a body over
:data:`MAX_BODY` bytes (413), a bad or missing signature (401), a body that is not JSON or not
``{topic, events[]}`` (400); a refused delivery changes nothing. The secret is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any, Protocol

from aiohttp import web

from exporter.mist.errors import MistPayloadError
from exporter.mist.parse import parse_delivery

PATH = "/webhooks/mist"
SIGNATURE_HEADER = "X-Mist-Signature-v2"
MAX_BODY = 1 << 20
log = logging.getLogger(__name__)


class Intake(Protocol):
    """Where verified deliveries go (:class:`exporter.collect.webhooks.WebhookIntake`)."""

    def rejected(self) -> None: ...

    async def deliver(self, topic: str, events: list[Any]) -> None: ...


def signature(secret: bytes, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``body`` under ``secret``, as Mist sends it."""
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def verified(secret: bytes, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    return hmac.compare_digest(signature(secret, body), header.strip().lower())


async def _read(request: web.Request) -> bytes | None:
    """The raw body, or None when it is longer than :data:`MAX_BODY`."""
    if (request.content_length or 0) > MAX_BODY:
        return None
    body = bytearray()
    async for chunk in request.content.iter_chunked(1 << 16):
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


def handler(secret: str, intake: Intake) -> Any:
    key = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        body = await _read(request)
        if body is None:
            intake.rejected()
            return web.Response(status=413, text="413 body too large\n")
        if not verified(key, body, request.headers.get(SIGNATURE_HEADER)):
            intake.rejected()
            log.debug("webhook refused: bad or missing signature")
            return web.Response(status=401, text="401 bad or missing signature\n")
        try:
            topic, events = parse_delivery(json.loads(body))
        except (ValueError, RecursionError, MistPayloadError):  # JSON errors are ValueErrors
            intake.rejected()
            return web.Response(status=400, text="400 expected {topic, events[]}\n")
        await intake.deliver(topic, events)
        return web.Response(text="ok\n")

    return receive


def add_route(app: web.Application, secret: str, intake: Intake) -> None:
    app.router.add_post(PATH, handler(secret, intake))
