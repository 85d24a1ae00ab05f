"""Tokens never reach a log line or an exception; logs name endpoint templates, not URLs."""

from __future__ import annotations

import logging

import pytest

from exporter.clock import ManualClock
from exporter.config import MistConfig
from exporter.mist import endpoints as ep
from exporter.mist.client import MistClient
from exporter.mist.errors import MistError
from exporter.model import RequestEvent

from .harness import HOUR_START, TOKEN, TOKEN_B, add_fault, clear_faults, client_for, simulated

TWO = (TOKEN, TOKEN_B)


async def test_no_token_in_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    clock = ManualClock(HOUR_START + 600)
    errors: list[MistError] = []
    async with simulated(clock, tokens=TWO, calls_per_hour=40) as sim:
        org_id = sim.simulator.org_id
        # The client believes in more budget than the simulator grants: real 429s at the end.
        async with client_for(sim, clock, tokens=TWO, calls_per_hour=45, max_wait=5) as client:
            for mode in ("401", "5xx", "malformed", "html", "reset"):
                await add_fault(sim, mode, "*/stats/devices")
                try:
                    await client.get(ep.DEVICE_STATS, limit=3)
                except MistError as error:
                    errors.append(error)
                await clear_faults(sim)
            async for _ in client.pages(ep.PORT_SEARCH, limit=50):
                pass
            while True:
                try:
                    await client.get(ep.ORG)
                except MistError as error:
                    errors.append(error)
                    break
            budgets = repr(client.budgets())
    assert {type(e).__name__ for e in errors} >= {
        "MistAuthError",
        "MistHTTPError",
        "MistPayloadError",
        "MistTimeout",
        "MistRateLimited",
    }
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [caplog.text, budgets]
    assert not [text for text in texts if TOKEN in text or TOKEN_B in text]
    assert not [text for text in texts if TOKEN[:12] in text or TOKEN_B[:12] in text]
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("exporter.mist")]
    assert any("GET /api/v1/orgs/{org_id}/stats/devices -> 401" in line for line in ours)
    assert any("API token 1 got 429" in line for line in ours)
    assert not [line for line in ours if org_id in line]


async def test_a_failing_observer_does_not_fail_the_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(event: RequestEvent) -> None:
        raise RuntimeError("observer bug")

    seen: list[RequestEvent] = []
    clock = ManualClock(HOUR_START + 600)
    async with simulated(clock) as sim:
        config = MistConfig(base_url=sim.base_url, org_id=sim.simulator.org_id, tokens=(TOKEN,))
        async with MistClient(config, clock=clock, observers=(broken, seen.append)) as client:
            org = await client.get(ep.ORG)
    assert org["id"] == sim.simulator.org_id
    assert [e.code for e in seen] == [200]
    assert "request observer failed for /api/v1/orgs/{org_id}" in caplog.text
