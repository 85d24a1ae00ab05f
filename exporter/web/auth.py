"""HTTP basic auth against bcrypt hashes, with successful checks remembered by digest."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
from collections.abc import Mapping

import bcrypt

# Checked when the user is unknown so that a failure takes as long either way.
_DUMMY_HASH = b"$2b$10$8Dp1l/UaXor06MVrKl4cJeU0.gw1Pnz1tagcRAmYbTO9JrvmPdD8K"


class WebAuth:
    """Checks ``Authorization: Basic`` headers; bcrypt runs in a thread, once per credential.

    Only the SHA-256 digests of credentials that passed are kept, so a scrape with the right
    password costs a hash, not a bcrypt round, and no password is held in memory.
    """

    def __init__(self, users: Mapping[str, str]) -> None:
        self._users = {user: hashed.encode() for user, hashed in users.items()}
        self._passed: set[bytes] = set()
        self.bcrypt_checks = 0

    async def allowed(self, header: str | None) -> bool:
        credentials = _parse_basic(header)
        if credentials is None:
            return False
        user, password = credentials
        digest = hashlib.sha256(user.encode() + b"\0" + password.encode()).digest()
        if digest in self._passed:
            return True
        hashed = self._users.get(user)
        self.bcrypt_checks += 1
        ok = await asyncio.to_thread(_check, password.encode(), hashed or _DUMMY_HASH)
        if ok and hashed is not None:
            self._passed.add(digest)
            return True
        return False


def _check(password: bytes, hashed: bytes) -> bool:
    try:
        return bcrypt.checkpw(password, hashed)
    except ValueError:
        return False


def _parse_basic(header: str | None) -> tuple[str, str] | None:
    if header is None:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None
