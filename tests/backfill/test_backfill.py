"""Backfill against the in-process simulator: values, resumption, the budget, the command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from exporter.backfill.command import KIND, Refused
from exporter.cli import main
from exporter.simulator.insight_api import site_scores
from exporter.state import MemoryStore
from tests.backfill.support import T0, simulated

LINE = re.compile(r'^mist_site_sle_ratio\{site_id="([^"]+)",sle="([^"]+)"\} (\S+) (\d+)$')


def samples(path: Path) -> list[tuple[str, str, float, int]]:
    rows = []
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            continue
        match = LINE.match(line)
        assert match, line
        rows.append((match[1], match[2], float(match[3]), int(match[4])))
    return rows


async def test_one_sample_per_site_and_sle_per_step_equal_to_the_simulated_scores(
    tmp_path: Path,
) -> None:
    out = tmp_path / "history.om"
    async with simulated(sites=12) as setup:
        result = await setup.backfill(out, days=1)
        api = setup.running.simulator.api
        text = out.read_text()
        assert text.startswith("# HELP mist_site_sle_ratio ")
        assert text.endswith("\n# EOF\n")
        assert not (tmp_path / "history.om.partial").exists()
        rows = samples(out)
        end = int(T0 // 3600 * 3600)
        assert {r[3] for r in rows} == {end - 3600 * k for k in range(24)}
        assert result.windows == 24
        assert result.samples == len(rows) == 24 * 12 * 3
        assert result.calls == 24  # one page per window, the probe included
        site = api.fleet.sites[5]
        for site_id, sle, value, ts in rows:
            if site_id == site.site_id:
                truth = site_scores(api, site, ts - 3600, ts)
                assert value == pytest.approx(
                    {k.replace("_", "-"): v for k, v in truth.items()}[sle]
                )
        # Samples of one series come in time order (promtool needs it).
        last: dict[tuple[str, str], int] = {}
        for site_id, sle, _, ts in rows:
            assert last.get((site_id, sle), 0) < ts
            last[(site_id, sle)] = ts
    assert any("= 24 calls" in line for line in setup.lines)


class Crash(Exception):
    pass


class CrashingStore(MemoryStore):
    """Fails the backfill's ``after``-th progress save, as a killed process would stop."""

    def __init__(self, clock: Any, after: int) -> None:
        super().__init__(clock)
        self.after = after

    async def put(self, kind: str, key: str, value: Any, ttl: float | None = None) -> None:
        await super().put(kind, key, value, ttl)
        if kind == KIND and value["done"] == self.after:
            raise Crash


async def test_an_interrupted_run_continues_and_writes_the_same_file(tmp_path: Path) -> None:
    async with simulated(sites=12) as setup:
        whole = tmp_path / "whole.om"
        await setup.backfill(whole, days=1)
        out = tmp_path / "resumed.om"
        store = CrashingStore(setup.clock, after=10)
        with pytest.raises(Crash):
            await setup.backfill(out, days=1, store=store)
        partial = tmp_path / "resumed.om.partial"
        assert not out.exists()
        assert partial.exists()
        with partial.open("a") as file:  # a window half written when the process died
            file.write('mist_site_sle_ratio{site_id="x",sle="gat')
        store.after = -1
        setup.clock.advance(1800)  # time passes: the plan stays the one begun
        result = await setup.backfill(out, days=1, store=store)
        assert result.resumed == 10
        assert result.calls == 14
        assert out.read_bytes() == whole.read_bytes()
        assert await store.get(KIND, str(out.resolve())) is None
    assert any("resuming at window 11 of 24" in line for line in setup.lines)


async def test_over_the_budget_share_it_refuses_or_paces_with_spread(tmp_path: Path) -> None:
    # 20 calls/h at 70 % = 14 calls an hour; one day at 1h is 24 calls.
    async with simulated(sites=12, calls_per_hour=20) as setup:
        with pytest.raises(Refused, match=r"24 calls exceed .* \(14 calls\).*--spread.*2 clock"):
            await setup.backfill(tmp_path / "refused.om", days=1)
        assert not (tmp_path / "refused.om").exists()
        before = setup.clock.time()
        result = await setup.backfill(tmp_path / "spread.om", days=1, spread=True)
        assert result.samples == 24 * 12 * 3
        assert setup.clock.time() >= (before // 3600 + 1) * 3600  # waited for the next hour


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--resolution", "7m"], "--resolution"),
        (["--days", "0"], "--days"),
        (["--days", "40"], "--days"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["backfill", "--out", str(tmp_path / "x.om"), *args])
    assert code == 2
    assert message in capsys.readouterr().err


def test_without_a_token_it_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MIST_APITOKEN", raising=False)
    monkeypatch.delenv("MIST_APITOKEN_FILE", raising=False)
    assert main(["backfill", "--out", str(tmp_path / "x.om")]) == 2
    assert "MIST_APITOKEN" in capsys.readouterr().err
