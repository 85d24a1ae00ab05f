"""The shipped Prometheus and Alertmanager files pass their own tools' checks and unit tests."""

from __future__ import annotations

import sys

import pytest

from tests.stack.run import REPO, run_ok


def test_prometheus_config_is_valid_and_its_rule_files_exist() -> None:
    out = run_ok(["promtool", "check", "config", "prometheus.yml"])
    assert "2 rule files found" in out


def test_rule_files_are_valid() -> None:
    run_ok(["promtool", "check", "rules", *sorted(REPO.glob("rules/*.yml"))])


@pytest.mark.slow
def test_promtool_unit_tests_of_the_rules_pass() -> None:
    tests = sorted(REPO.glob("rules/tests/*.yml"))
    assert tests
    run_ok(["promtool", "test", "rules", *tests])


def test_alertmanager_config_is_valid() -> None:
    run_ok(["amtool", "check-config", "alertmanager.yml"])


def test_committed_dashboards_match_their_generator() -> None:
    run_ok([sys.executable, "grafana/build_dashboards.py", "--check"])
