"""Consistent anonymisation of a capture: names, MACs, IDs and IPs replaced the same way in
every file (same input, same output), shapes, numbers and enums kept.

Replacements are keyed HMAC-SHA256 digests of the original under a salt: a capture made with
the same salt is the same; without the salt the originals cannot be recovered by hashing
guesses (a MAC has few enough candidates to try them all).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Iterable
from typing import Any

# Keys whose string values (or lists of strings) are names of things or people.
NAME_KEYS = frozenset(
    {
        "hostname", "hostnames", "device_hostname", "site_name", "org_name", "gateway_name",
        "switch_name", "device_name", "router_name", "peer_router_name", "address", "notes",
        "email", "first_name", "last_name", "phone", "display_name", "serial",
    }
)  # fmt: skip
# ``name`` is a thing's name only on an object with an identity; elsewhere (classifier rows,
# impacted interfaces) it is an enum or a port id and is kept.
IDENTITY_KEYS = frozenset({"id", "mac", "org_id", "site_id"})
LOCATION_KEYS = frozenset({"lat", "lng", "latitude", "longitude"})
NULL_UUID = "00000000-0000-0000-0000-000000000000"
MIN_EMBEDDED_NAME = 4

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_MAC = r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}|[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5}"
_IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"
_TOKENS = re.compile(
    rf"(?<![0-9A-Za-z])(?:(?P<uuid>{_UUID})|(?P<mac>{_MAC}))(?![0-9A-Za-z])"
    rf"|(?<![\d.])(?P<ipv4>{_IPV4})(?![\d.])"
    r"|(?<=search_after=)(?P<cursor>[^&\s\"]+)"
)
_PLAIN_MAC = re.compile(r"[0-9a-fA-F]{12}")
_IPV6 = re.compile(r"(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])")


class Anonymizer:
    """Learn the names in a capture's bodies (:meth:`learn`), then rewrite them (:meth:`value`)."""

    def __init__(self, salt: str) -> None:
        self._key = salt.encode()
        self._names: dict[str, str] = {}
        self._embedded: re.Pattern[str] | None = None

    def _digest(self, kind: str, text: str) -> bytes:
        return hmac.new(self._key, f"{kind}\0{text}".encode(), hashlib.sha256).digest()

    def learn(self, body: Any) -> None:
        """Collect the names in ``body`` (call for every body before rewriting any)."""
        for name in _names(body):
            if name and name not in self._names:
                self._names[name] = "name-" + self._digest("name", name).hex()[:8]
        embedded = sorted((n for n in self._names if len(n) >= MIN_EMBEDDED_NAME), key=len)
        self._embedded = (
            re.compile("|".join(re.escape(n) for n in reversed(embedded))) if embedded else None
        )

    def value(self, body: Any) -> Any:
        """``body`` with every name, MAC, ID and IP replaced; numbers and enums kept."""
        if isinstance(body, dict):
            return {
                self.text(str(k)): 0.0
                if k in LOCATION_KEYS and isinstance(v, int | float) and not isinstance(v, bool)
                else self.value(v)
                for k, v in body.items()
            }
        if isinstance(body, list):
            return [self.value(v) for v in body]
        if isinstance(body, str):
            return self.text(body)
        return body

    def text(self, text: str) -> str:
        """A string with names, MACs, IDs, IPs and search cursors replaced."""
        if text in self._names:
            return self._names[text]
        if _PLAIN_MAC.fullmatch(text):
            return self._mac(text)
        if self._embedded is not None:
            text = self._embedded.sub(lambda m: self._names[m.group(0)], text)
        text = _TOKENS.sub(self._token, text)
        return _IPV6.sub(self._ipv6, text)

    def _token(self, match: re.Match[str]) -> str:
        found = match.group(0)
        if match.group("uuid"):
            if found == NULL_UUID:
                return found
            h = self._digest("uuid", found.lower()).hex()
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
        if match.group("mac"):
            plain = self._mac(re.sub(r"[:-]", "", found))
            separator = found[2]
            return separator.join(plain[i : i + 2] for i in range(0, 12, 2))
        if match.group("ipv4"):
            return self._ipv4(found)
        return "c" + self._digest("cursor", found).hex()[:24]

    def _mac(self, mac: str) -> str:
        raw = bytearray(self._digest("mac", mac.lower())[:6])
        raw[0] = (raw[0] | 0x02) & 0xFE  # locally administered, unicast
        out = raw.hex()
        return out.upper() if mac.isupper() else out

    def _ipv4(self, text: str) -> str:
        try:
            address = ipaddress.IPv4Address(text)
        except ValueError:
            return text  # a version string such as 1.2.345.6
        if address.is_unspecified or address.is_loopback or str(address) == "255.255.255.255":
            return text
        raw = self._digest("ipv4", text)
        return f"10.{raw[0]}.{raw[1]}.{max(1, raw[2])}"

    def _ipv6(self, match: re.Match[str]) -> str:
        text = match.group(0)
        try:
            address = ipaddress.IPv6Address(text)
        except ValueError:
            return text
        if address.is_unspecified or address.is_loopback:
            return text
        raw = bytearray(self._digest("ipv6", address.compressed)[:16])
        raw[0], raw[1] = 0xFD, 0x00
        return ipaddress.IPv6Address(bytes(raw)).compressed


def _names(body: Any) -> Iterable[str]:
    if isinstance(body, list):
        for item in body:
            yield from _names(item)
    elif isinstance(body, dict):
        identified = not IDENTITY_KEYS.isdisjoint(body)
        for key, value in body.items():
            if key in NAME_KEYS or (key == "name" and identified):
                if isinstance(value, str):
                    yield value
                elif isinstance(value, list):
                    yield from (v for v in value if isinstance(v, str))
            else:
                yield from _names(value)
