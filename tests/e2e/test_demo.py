"""``make demo`` as a user runs it: simulator and exporter in one process, several orgs."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from tests.support.processes import start_demo, wait_http
from tests.support.wait import running, until_sync

SITES = 12


def scrape(url: str) -> str:
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
        return bytes(response.read()).decode()


def site_orgs(body: str) -> list[str]:
    return re.findall(r'^mist_site_info\{[^}]*org_id="([^"]+)"', body, re.M)


@pytest.mark.slow
def test_demo_of_two_orgs_exports_both(tmp_path: Path) -> None:
    proc = start_demo(tmp_path, "--sites", str(SITES), "--orgs", "2")
    try:
        wait_http(f"{proc.url}/readyz", timeout=120, process=proc)
        body = until_sync(
            lambda: scrape(proc.url),
            lambda text: len(site_orgs(text)) == 2 * SITES,
            within=120,
            what="both orgs' sites in /metrics",
            every=0.2,
            alive=running(proc.popen, proc.log),
        )
    finally:
        assert proc.stop() == 0
    orgs = re.findall(r'^mist_org_info\{org_id="([^"]+)"', body, re.M)
    assert len(set(orgs)) == 2, orgs
    assert sorted(set(site_orgs(body))) == sorted(orgs)
    assert re.search(r"^mist_simulated 1(\.0)?$", body, re.M)
    printed = proc.log()
    assert all(org in printed for org in orgs)
