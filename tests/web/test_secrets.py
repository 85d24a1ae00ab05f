"""An API token held by the process never reaches /metrics, the status page or health."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import aiohttp

from exporter.config import Config, load_config, redact_token
from exporter.metrics.requests import RequestRecorder
from exporter.model import RequestEvent
from exporter.web.app import build_app
from tests.metrics.test_render import PROMETHEUS_ACCEPT
from tests.support.snapshots import StaticSource, healthy_status, one_of_everything
from tests.web.server import running

TOKENS = ("Zx9SecretTokenAAAA1111bbbb2222cccc3333", "Qw8OtherSecretBBBB4444dddd5555eeee6666")


@dataclass
class ConfiguredSource(StaticSource):
    """A source that, like the real runtime, holds the config with its tokens."""

    config: Config = field(
        default_factory=lambda: load_config(
            env={"MIST_APITOKEN": ",".join(TOKENS), "MIST_HOST": "http://127.0.0.1:9"}
        )
    )


async def test_tokens_appear_on_no_page() -> None:
    source = ConfiguredSource(one_of_everything(), healthy_status(), simulated=False)
    assert source.config.mist.tokens == TOKENS
    errors = tuple(
        dataclasses.replace(c, last_error=f"HTTP 401 for token {redact_token(TOKENS[0])}")
        for c in source.exporter_status.jobs
    )
    source.exporter_status = dataclasses.replace(source.exporter_status, jobs=errors)
    recorder = RequestRecorder()
    recorder(RequestEvent("/api/v1/self", 401, 0.1, 0, 0))
    requests = [
        ("/metrics", {}),
        ("/metrics", {"Accept": PROMETHEUS_ACCEPT}),
        ("/metrics", {"Accept-Encoding": "identity"}),
        ("/", {}),
        ("/readyz", {}),
        ("/healthz", {}),
    ]
    async with running(build_app(source, recorder)) as url, aiohttp.ClientSession() as s:
        for path, headers in requests:
            async with s.get(url + path, headers=headers) as r:
                assert r.status == 200
                body = await r.text()
            assert body
            for token in TOKENS:
                assert token not in body
                assert token[:12] not in body
