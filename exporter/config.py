"""Configuration: YAML file overridden by environment variables, validated into dataclasses.

Secrets (API tokens, Redis passwords inside ``REDIS_URL``) come only from the environment or
``*_FILE`` variables, never from the YAML file, and are redacted whenever the config is shown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from exporter.collect.table import DEFAULT_INTERVALS, NAMES
from exporter.thresholds import Levels, Thresholds

DEFAULT_LISTEN = ":9842"
DEMO_TOKEN = "sim-demo-token-0000000000000000"
CLOUD_HOSTS = (
    "api.mist.com",
    "api.eu.mist.com",
    "api.gc1.mist.com",
    "api.gc2.mist.com",
    "api.gc3.mist.com",
    "api.gc4.mist.com",
    "api.gc5.mist.com",
    "api.gc6.mist.com",
    "api.gc7.mist.com",
    "api.ac2.mist.com",
    "api.ac5.mist.com",
    "api.ac6.mist.com",
)
LOG_LEVELS = ("debug", "info", "warning", "error")
ALARM_GROUPS = ("infrastructure", "marvis", "security", "certificate_expiry")


class ConfigError(ValueError):
    """A configuration value is wrong; ``key`` names it as the user wrote it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"config: {key}: {message}")
        self.key = key


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0
    total: float = 90.0


@dataclass(frozen=True, slots=True)
class MistConfig:
    """``org_id``: one org id, several comma-separated, or None for every org the tokens read."""

    base_url: str
    org_id: str | None
    tokens: tuple[str, ...] = field(repr=False)
    timeouts: Timeouts = Timeouts()
    max_concurrency: int = 8
    max_retries: int = 4
    calls_per_hour: int = 5000

    @property
    def org_ids(self) -> tuple[str, ...]:
        """The orgs listed in ``org_id``, in order, each once; () for every org."""
        listed = (o.strip() for o in (self.org_id or "").split(","))
        return tuple(dict.fromkeys(o for o in listed if o))

    def one_org(self, command: str) -> str | None:
        """The one org ``command`` works on (None: discover it); several listed is an error."""
        orgs = self.org_ids
        if len(orgs) > 1:
            raise ConfigError("MIST_ORG_ID", f"{command} works on one org; {len(orgs)} are listed")
        return orgs[0] if orgs else None


@dataclass(frozen=True, slots=True)
class RegionRule:
    """Region = first site group named ``sitegroup_prefix``... (prefix removed)."""

    sitegroup_prefix: str = ""
    strip_prefix: bool = True
    default: str = "unassigned"


@dataclass(frozen=True, slots=True)
class CollectConfig:
    intervals: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_INTERVALS))
    budget_share: float = 0.7
    alarm_window_seconds: float = 86400.0
    alarm_rescan_seconds: float = 900.0
    alarm_groups: tuple[str, ...] = ()
    alarm_types: tuple[str, ...] = ()
    deep_dive_days: float = 7.0
    impact_top_n: int = 10
    region: RegionRule = RegionRule()


@dataclass(frozen=True, slots=True)
class StateConfig:
    redis_url: str | None = field(default=None, repr=False)
    prefix: str = "mistwan"


@dataclass(frozen=True, slots=True)
class WebConfig:
    listen_address: str = DEFAULT_LISTEN
    config_file: str | None = None
    # MIST_WEBHOOK_SECRET(_FILE): enables POST /webhooks/mist
    webhook_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Config:
    mist: MistConfig
    collect: CollectConfig = CollectConfig()
    thresholds: Thresholds = field(default_factory=Thresholds)
    state: StateConfig = StateConfig()
    web: WebConfig = WebConfig()
    log_level: str = "info"


def parse_listen_address(value: str, key: str = "web.listen_address") -> tuple[str, int]:
    """``HOST:PORT`` or ``:PORT`` (all interfaces) -> (host, port)."""
    host, sep, port_text = value.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ConfigError(key, f"expected HOST:PORT or :PORT, got {value!r}")
    return (host.strip("[]") or "0.0.0.0", int(port_text))


def base_url_for(host: str, key: str = "mist.host") -> str:
    """A Mist cloud host (``api.eu.mist.com``) or a full base URL -> base URL without slash."""
    host = host.strip()
    if "://" in host:
        parts = urlsplit(host)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(key, f"not an http(s) URL: {host!r}")
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    if host not in CLOUD_HOSTS:
        raise ConfigError(
            key, f"unknown Mist cloud {host!r}; use one of {', '.join(CLOUD_HOSTS)} or a full URL"
        )
    return f"https://{host}"


def redact_url(url: str | None) -> str | None:
    """Hide the password of a URL such as ``redis://:secret@host:6379/0``."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit((parts.scheme, f"{user}:***@{netloc}", parts.path, parts.query, ""))


def redact_token(token: str) -> str:
    return f"{token[:4]}...({len(token)} chars)" if len(token) > 8 else "***"


def _secret_from_env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    file_name = env.get(f"{name}_FILE")
    if value is not None and file_name is not None:
        raise ConfigError(name, f"set either {name} or {name}_FILE, not both")
    if file_name is not None:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE", f"cannot read {file_name}: {exc.strerror}") from None
    return value


class _Section:
    """A YAML mapping being read; every access records the key path for error messages."""

    def __init__(self, data: object, path: str) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(path or "<root>", "expected a mapping")
        self.data: dict[str, Any] = data
        self.path = path
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def section(self, name: str) -> _Section:
        self.seen.add(name)
        return _Section(self.data.get(name), self.key(name))

    def raw(self, name: str) -> Any:
        self.seen.add(name)
        return self.data.get(name)

    def number(self, name: str, default: float, *, low: float, high: float) -> float:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(self.key(name), f"expected a number, got {value!r}")
        if not low <= value <= high:
            raise ConfigError(self.key(name), f"must be between {low:g} and {high:g}, got {value}")
        return float(value)

    def integer(self, name: str, default: int, *, low: int, high: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(self.key(name), f"expected an integer, got {value!r}")
        if not low <= value <= high:
            raise ConfigError(self.key(name), f"must be between {low} and {high}, got {value}")
        return value

    def text(self, name: str, default: str | None) -> str | None:
        value = self.raw(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise ConfigError(self.key(name), f"expected a string, got {value!r}")
        return value

    def names(self, name: str, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
        """A list of distinct names (each one of ``allowed`` when given); absent: ()."""
        value = self.raw(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(self.key(name), f"expected a list of names, got {value!r}")
        unknown = [v for v in value if allowed is not None and v not in allowed]
        if unknown:
            raise ConfigError(
                self.key(name), f"unknown {unknown[0]!r}; use some of {', '.join(allowed or ())}"
            )
        return tuple(dict.fromkeys(value))

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ConfigError(self.key(name), f"expected true or false, got {value!r}")
        return value

    def reject_unknown(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            raise ConfigError(self.key(str(unknown[0])), "unknown key")


def load_config(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    require_tokens: bool = True,
) -> Config:
    """Read ``path`` (optional) and ``env`` (default ``os.environ``) into a :class:`Config`."""
    env = os.environ if env is None else env
    data: object = {}
    if path is not None:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError("--config", f"cannot read {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise ConfigError("--config", f"{path} is not valid YAML: {exc}") from None
    root = _Section(data, "")
    collect = root.section("collect")
    config = Config(
        mist=_mist(root.section("mist"), env, require_tokens),
        collect=_collect(collect),
        thresholds=_thresholds(root.section("thresholds"), collect),
        state=_state(root.section("state"), env),
        web=_web(root.section("web"), env),
        log_level=_log_level(root),
    )
    collect.reject_unknown()
    root.reject_unknown()
    return config


def _mist(sec: _Section, env: Mapping[str, str], require_tokens: bool) -> MistConfig:
    if "tokens" in sec.data or "apitoken" in sec.data:
        raise ConfigError(sec.key("tokens"), "tokens are secrets: set MIST_APITOKEN instead")
    yaml_host = sec.text("host", "api.mist.com") or "api.mist.com"
    host = env.get("MIST_HOST") or yaml_host
    base_url = base_url_for(host, "MIST_HOST" if env.get("MIST_HOST") else sec.key("host"))
    yaml_org = sec.raw("org_id")
    if isinstance(yaml_org, list):
        yaml_org = ",".join(sec.names("org_id", None))
    else:
        yaml_org = sec.text("org_id", None)
    org_id = env.get("MIST_ORG_ID") or yaml_org or None
    raw_tokens = _secret_from_env(env, "MIST_APITOKEN") or ""
    tokens = tuple(t.strip() for t in raw_tokens.split(",") if t.strip())
    if require_tokens and not tokens:
        raise ConfigError("MIST_APITOKEN", "no API token: set MIST_APITOKEN (comma-separated)")
    if len(set(tokens)) != len(tokens):
        raise ConfigError("MIST_APITOKEN", "the same token is listed twice")
    host_of_url = urlsplit(base_url).hostname or ""
    if DEMO_TOKEN in tokens and host_of_url in CLOUD_HOSTS:
        raise ConfigError(
            "MIST_APITOKEN",
            f"empty or the simulator's demo token, which is never sent to {host_of_url}: set "
            "MIST_APITOKEN to your org's API token (or run the demo: docker compose --profile "
            "demo up)",
        )
    t = sec.section("timeouts")
    d = Timeouts()
    timeouts = Timeouts(
        connect=t.number("connect", d.connect, low=0.1, high=300),
        read=t.number("read", d.read, low=0.1, high=600),
        total=t.number("total", d.total, low=0.1, high=3600),
    )
    t.reject_unknown()
    config = MistConfig(
        base_url=base_url,
        org_id=org_id,
        tokens=tokens,
        timeouts=timeouts,
        max_concurrency=sec.integer("max_concurrency", 8, low=1, high=64),
        max_retries=sec.integer("max_retries", 4, low=0, high=10),
        calls_per_hour=sec.integer("calls_per_hour", 5000, low=1, high=1_000_000),
    )
    sec.reject_unknown()
    return config


def _collect(sec: _Section) -> CollectConfig:
    iv = sec.section("intervals")
    intervals = {job: iv.number(job, DEFAULT_INTERVALS[job], low=5, high=86400) for job in NAMES}
    iv.reject_unknown()
    r = sec.section("region")
    region = RegionRule(
        sitegroup_prefix=r.text("sitegroup_prefix", "") or "",
        strip_prefix=r.flag("strip_prefix", True),
        default=r.text("default", "unassigned") or "unassigned",
    )
    r.reject_unknown()
    return CollectConfig(
        intervals=intervals,
        budget_share=sec.number("budget_share", 0.7, low=0.05, high=1.0),
        alarm_window_seconds=sec.number("alarm_window_seconds", 86400, low=300, high=30 * 86400),
        alarm_rescan_seconds=sec.number("alarm_rescan_seconds", 900, low=60, high=86400),
        alarm_groups=sec.names("alarm_groups", ALARM_GROUPS),
        alarm_types=sec.names("alarm_types", None),
        deep_dive_days=sec.number("deep_dive_days", 7, low=1, high=7),
        impact_top_n=sec.integer("impact_top_n", 10, low=1, high=100),
        region=region,
    )


def _thresholds(sec: _Section, collect: _Section) -> Thresholds:
    """``collect.degraded_threshold`` and the ``thresholds`` section: three ascending levels
    (notice, warning, critical) per KPI, in base units."""
    d = Thresholds()
    config = Thresholds(
        sle_degraded=collect.number("degraded_threshold", d.sle_degraded, low=0.0, high=1.0),
        utilisation=_levels(sec, "utilisation", d.utilisation, 1.0),
        loss=_levels(sec, "loss", d.loss, 1.0),
        latency_seconds=_levels(sec, "latency_seconds", d.latency_seconds, 60.0),
        jitter_seconds=_levels(sec, "jitter_seconds", d.jitter_seconds, 60.0),
    )
    sec.reject_unknown()
    return config


def _levels(sec: _Section, name: str, default: Levels, high: float) -> Levels:
    value = sec.raw(name)
    if value is None:
        return default
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise ConfigError(
            sec.key(name), f"expected three numbers [notice, warning, critical], got {value!r}"
        )
    low, mid, top = (float(v) for v in value)
    if not 0.0 < low <= mid <= top <= high:
        raise ConfigError(
            sec.key(name), f"expected 0 < notice <= warning <= critical <= {high:g}, got {value}"
        )
    return (low, mid, top)


def _state(sec: _Section, env: Mapping[str, str]) -> StateConfig:
    if "redis_url" in sec.data:
        raise ConfigError(sec.key("redis_url"), "may hold a password: set REDIS_URL instead")
    url = _secret_from_env(env, "REDIS_URL") or None
    if url is not None and urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError("REDIS_URL", "expected redis://, rediss:// or unix:// URL")
    prefix = sec.text("prefix", "mistwan") or ""
    if not prefix or ":" in prefix:
        raise ConfigError(sec.key("prefix"), "must be non-empty and contain no ':'")
    sec.reject_unknown()
    return StateConfig(redis_url=url, prefix=prefix)


def _web(sec: _Section, env: Mapping[str, str]) -> WebConfig:
    if "webhook_secret" in sec.data:
        raise ConfigError(sec.key("webhook_secret"), "a secret: set MIST_WEBHOOK_SECRET instead")
    secret = _secret_from_env(env, "MIST_WEBHOOK_SECRET") or None
    listen = sec.text("listen_address", DEFAULT_LISTEN) or DEFAULT_LISTEN
    parse_listen_address(listen, sec.key("listen_address"))
    config_file = sec.text("config_file", None)
    sec.reject_unknown()
    return WebConfig(listen_address=listen, config_file=config_file, webhook_secret=secret)


def _log_level(root: _Section) -> str:
    level = (root.text("log_level", "info") or "info").lower()
    if level not in LOG_LEVELS:
        raise ConfigError("log_level", f"expected one of {', '.join(LOG_LEVELS)}, got {level!r}")
    return level


def redacted(config: Config) -> dict[str, Any]:
    """The effective config as plain data with every secret hidden, for ``check-config``."""

    def plain(obj: Any) -> Any:
        if is_dataclass(obj) and not isinstance(obj, type):
            return {f.name: plain(getattr(obj, f.name)) for f in fields(obj)}
        if isinstance(obj, Mapping):
            return {k: plain(v) for k, v in obj.items()}
        if isinstance(obj, tuple):
            return [plain(v) for v in obj]
        return obj

    data: dict[str, Any] = plain(config)
    data["mist"]["tokens"] = [redact_token(t) for t in config.mist.tokens]
    data["state"]["redis_url"] = redact_url(config.state.redis_url)
    data["web"]["webhook_secret"] = "***" if config.web.webhook_secret else None
    return data
