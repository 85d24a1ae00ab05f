"""Basic auth with real bcrypt hashes and TLS with a generated certificate, over real HTTP."""

from __future__ import annotations

import base64
import ssl
from pathlib import Path

import aiohttp
import bcrypt
import pytest

from exporter.config import ConfigError
from exporter.metrics.requests import RequestRecorder
from exporter.web.app import build_app
from exporter.web.auth import WebAuth
from exporter.web.webconfig import load_web_config, parse_web_config
from tests.support.snapshots import StaticSource, healthy_status, one_of_everything
from tests.web.certs import self_signed
from tests.web.server import running

PASSWORD = "correct horse battery staple"
# Go's htpasswd/bcrypt spelling ($2y$), as exporter-toolkit documentation shows it.
HASH = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode().replace("$2b$", "$2y$")
PATHS = ("/metrics", "/", "/healthz", "/readyz")


def source() -> StaticSource:
    return StaticSource(one_of_everything(), healthy_status())


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "web.yml"
    path.write_text(text, encoding="utf-8")
    return path


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def status_of(url: str, auth: str | None, tls: ssl.SSLContext | None = None) -> int:
    headers = {"Authorization": auth} if auth is not None else {}
    async with aiohttp.ClientSession() as s, s.get(url, headers=headers, ssl=tls or True) as r:
        if r.status == 401:
            assert r.headers["WWW-Authenticate"].startswith('Basic realm="mist-wan-exporter"')
        return r.status


async def test_basic_auth_guards_every_endpoint(tmp_path: Path) -> None:
    settings = load_web_config(write_config(tmp_path, f"basic_auth_users:\n  prom: '{HASH}'\n"))
    assert settings.auth is not None
    assert settings.tls is None
    app = build_app(source(), RequestRecorder(), auth=settings.auth)
    async with running(app) as url:
        for path in PATHS:
            assert await status_of(url + path, None) == 401
            assert await status_of(url + path, basic("prom", "wrong")) == 401
            assert await status_of(url + path, basic("nobody", PASSWORD)) == 401
            assert await status_of(url + path, basic("prom", PASSWORD)) == 200


async def test_bcrypt_runs_once_per_good_credential_and_every_bad_one() -> None:
    auth = WebAuth({"prom": HASH})
    good = basic("prom", PASSWORD)
    bad = basic("prom", "nope")
    assert [await auth.allowed(good) for _ in range(5)] == [True] * 5
    assert auth.bcrypt_checks == 1
    assert [await auth.allowed(bad) for _ in range(3)] == [False] * 3
    assert auth.bcrypt_checks == 4
    for header in (None, "", "Bearer x", "Basic !!!", "Basic " + "bm9jb2xvbg==", "Digest a"):
        assert not await auth.allowed(header)


async def test_tls_and_auth_from_one_web_config_file(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    config = write_config(
        tmp_path,
        f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n"
        f"  min_version: TLS12\nbasic_auth_users:\n  prom: '{HASH}'\n",
    )
    settings = load_web_config(config)
    assert settings.tls is not None
    app = build_app(source(), RequestRecorder(), auth=settings.auth)
    client_tls = ssl.create_default_context(cafile=str(cert))
    async with running(app, settings.tls) as url:
        assert url.startswith("https://")
        creds = basic("prom", PASSWORD)
        async with aiohttp.ClientSession() as s:
            headers = {"Authorization": creds}
            async with s.get(f"{url}/metrics", headers=headers, ssl=client_tls) as r:
                assert r.status == 200
                assert "mist_wan_port_up{" in await r.text()
            with pytest.raises(aiohttp.ClientConnectorCertificateError):
                await s.get(f"{url}/metrics", headers=headers)  # not in the default trust store
        assert await status_of(f"{url}/metrics", None, client_tls) == 401
        with pytest.raises(aiohttp.ClientError):
            await status_of(url.replace("https://", "http://") + "/healthz", None)


def test_no_web_config_means_plain_http_without_auth() -> None:
    settings = load_web_config(None)
    assert (settings.tls, settings.auth) == (None, None)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("basic_auth_users:\n  prom: plaintext\n", "basic_auth_users.prom"),
        ("basic_auth_users:\n  prom: '$2y$10$short'\n", "basic_auth_users.prom"),
        ("basic_auth_users: [a, b]\n", "basic_auth_users"),
        ("tls_server_config:\n  cert_file: /x\n", "tls_server_config.cert_file"),
        (
            "tls_server_config:\n  cert_file: /nope.crt\n  key_file: /nope.key\n",
            "tls_server_config.cert_file",
        ),
        (
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS10\n",
            "tls_server_config.min_version",
        ),
        (
            "tls_server_config:\n  cert_file: a\n  key_file: b\n"
            "  client_auth_type: RequireAndVerifyClientCert\n",
            "tls_server_config.client_ca_file",
        ),
        (
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n",
            "tls_server_config.cipher_suites",
        ),
        ("http_server_config:\n  http2: false\n", "http_server_config"),
        ("- a list\n", "<root>"),
        ("a: [unclosed\n", "--web.config.file"),
    ],
)
def test_bad_web_config_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_web_config(write_config(tmp_path, text))
    assert caught.value.key == key


def test_missing_web_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read") as caught:
        load_web_config(tmp_path / "absent.yml")
    assert caught.value.key == "--web.config.file"


def test_client_certificates_can_be_required(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    config = write_config(
        tmp_path,
        f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n"
        f"  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {cert}\n"
        "  min_version: TLS13\n",
    )
    parsed = parse_web_config(config)
    assert parsed.tls is not None
    assert parsed.tls.client_auth_type == "RequireAndVerifyClientCert"
    context = load_web_config(config).tls
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.minimum_version == ssl.TLSVersion.TLSv1_3
