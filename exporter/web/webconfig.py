"""The ``--web.config.file``: TLS and basic auth in the Prometheus exporter-toolkit format.

```yaml
tls_server_config:
  cert_file: /etc/mist-wan-exporter/tls.crt
  key_file: /etc/mist-wan-exporter/tls.key
  client_auth_type: NoClientCert      # or RequireAndVerifyClientCert, VerifyClientCertIfGiven
  client_ca_file: /etc/ca.crt         # needed when client certificates are checked
  min_version: TLS12                  # TLS12 or TLS13
basic_auth_users:
  prometheus: $2y$10$...              # bcrypt hash (htpasswd -nBC 10 prometheus)
```
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from exporter.config import ConfigError
from exporter.web.auth import WebAuth

CLIENT_AUTH = {
    "NoClientCert": ssl.CERT_NONE,
    "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL,
    "RequireAndVerifyClientCert": ssl.CERT_REQUIRED,
}
TLS_VERSIONS = {"TLS12": ssl.TLSVersion.TLSv1_2, "TLS13": ssl.TLSVersion.TLSv1_3}
TLS_KEYS = ("cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version")
BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")


@dataclass(frozen=True, slots=True)
class TlsServerConfig:
    cert_file: str
    key_file: str
    client_auth_type: str = "NoClientCert"
    client_ca_file: str | None = None
    min_version: str = "TLS12"


@dataclass(frozen=True, slots=True)
class WebConfigFile:
    """A parsed web config file; ``users`` maps each user to its bcrypt hash."""

    tls: TlsServerConfig | None = None
    users: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class WebSettings:
    """What the web server needs: a TLS context and basic auth, each None when not configured."""

    tls: ssl.SSLContext | None = None
    auth: WebAuth | None = None


def load_web_config(path: str | Path | None) -> WebSettings:
    """Read ``path`` (None: plain HTTP, no auth); a problem is a :class:`ConfigError`."""
    if path is None:
        return WebSettings()
    parsed = parse_web_config(path)
    auth = WebAuth(parsed.users) if parsed.users else None
    return WebSettings(ssl_context(parsed), auth)


def parse_web_config(path: str | Path) -> WebConfigFile:
    """Read and validate ``path`` without loading certificates."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("--web.config.file", f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError("--web.config.file", f"{path} is not valid YAML: {exc}") from None
    root = _mapping(data if data is not None else {}, "<root>", path)
    for key in root:
        if key not in ("tls_server_config", "basic_auth_users"):
            raise ConfigError(str(key), f"in {path}: unknown or unsupported key")
    tls = None
    if root.get("tls_server_config") is not None:
        tls = _tls(_mapping(root["tls_server_config"], "tls_server_config", path), path)
    users = _users(_mapping(root.get("basic_auth_users") or {}, "basic_auth_users", path), path)
    return WebConfigFile(tls, users)


def ssl_context(parsed: WebConfigFile) -> ssl.SSLContext | None:
    """A server TLS context for ``parsed``, or None when TLS is not configured."""
    tls = parsed.tls
    if tls is None:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = TLS_VERSIONS[tls.min_version]
    try:
        context.load_cert_chain(tls.cert_file, tls.key_file)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            "tls_server_config.cert_file", f"cannot load {tls.cert_file} / {tls.key_file}: {exc}"
        ) from None
    context.verify_mode = CLIENT_AUTH[tls.client_auth_type]
    if tls.client_ca_file is not None:
        try:
            context.load_verify_locations(cafile=tls.client_ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                "tls_server_config.client_ca_file", f"cannot load {tls.client_ca_file}: {exc}"
            ) from None
    return context


def _mapping(value: object, key: str, path: str | Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(key, f"in {path}: expected a mapping")
    return value


def _text(section: dict[str, Any], key: str, prefix: str, path: str | Path) -> str | None:
    value = section.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigError(f"{prefix}.{key}", f"in {path}: expected a non-empty string")
    return value


def _tls(section: dict[str, Any], path: str | Path) -> TlsServerConfig:
    prefix = "tls_server_config"
    for key in section:
        if key not in TLS_KEYS:
            raise ConfigError(f"{prefix}.{key}", f"in {path}: unknown or unsupported key")
    cert, key_file = (
        _text(section, "cert_file", prefix, path),
        _text(section, "key_file", prefix, path),
    )
    if cert is None or key_file is None:
        raise ConfigError(f"{prefix}.cert_file", f"in {path}: cert_file and key_file are required")
    client_auth = _text(section, "client_auth_type", prefix, path) or "NoClientCert"
    if client_auth not in CLIENT_AUTH:
        raise ConfigError(
            f"{prefix}.client_auth_type", f"in {path}: expected one of {', '.join(CLIENT_AUTH)}"
        )
    client_ca = _text(section, "client_ca_file", prefix, path)
    if client_auth != "NoClientCert" and client_ca is None:
        raise ConfigError(
            f"{prefix}.client_ca_file", f"in {path}: required when client certificates are checked"
        )
    min_version = _text(section, "min_version", prefix, path) or "TLS12"
    if min_version not in TLS_VERSIONS:
        raise ConfigError(f"{prefix}.min_version", f"in {path}: expected TLS12 or TLS13")
    return TlsServerConfig(cert, key_file, client_auth, client_ca, min_version)


def _users(section: dict[str, Any], path: str | Path) -> dict[str, str]:
    users: dict[str, str] = {}
    for user, hashed in section.items():
        key = f"basic_auth_users.{user}"
        if not isinstance(user, str) or not user or ":" in user:
            raise ConfigError(key, f"in {path}: user names must be non-empty and contain no ':'")
        if not isinstance(hashed, str) or not hashed.startswith(BCRYPT_PREFIXES):
            raise ConfigError(key, f"in {path}: expected a bcrypt hash ($2y$...), not a password")
        if len(hashed) != 60:
            raise ConfigError(key, f"in {path}: a bcrypt hash is 60 characters long")
        users[user] = hashed
    return users
