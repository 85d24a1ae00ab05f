from __future__ import annotations

import re

from exporter.config import DEFAULT_INTERVALS
from exporter.metrics.catalogue import BY_NAME, METRICS

LEGACY_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LEGACY_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
FORBIDDEN_LABELS = {"alarm_id", "client_mac", "message", "text", "reason", "error", "url"}


def test_names_are_unique_prefixed_and_legacy() -> None:
    assert len(BY_NAME) == len(METRICS)
    for m in METRICS:
        assert m.name.startswith("mist_"), m.name
        assert LEGACY_NAME.match(m.name), m.name
        assert all(LEGACY_LABEL.match(label) for label in m.labels), m.name
        assert len(set(m.labels)) == len(m.labels), m.name


def test_counters_end_in_total_and_only_counters_do() -> None:
    for m in METRICS:
        assert (m.type == "counter") == m.name.endswith("_total"), m.name


def test_help_of_polled_data_names_its_default_interval() -> None:
    for m in METRICS:
        if m.job is None:
            assert "Polled" not in m.help, m.name
        else:
            assert m.help.endswith(f"Polled every {DEFAULT_INTERVALS[m.job]:g} s."), m.name


def test_value_series_carry_ids_and_no_free_text() -> None:
    for m in METRICS:
        assert not FORBIDDEN_LABELS & set(m.labels), m.name
        assert "token" not in m.labels or m.name.startswith("mist_api_budget_"), m.name
        names = {label for label in m.labels if label.endswith("_name")} | {"model", "version"}
        if names & set(m.labels):
            assert m.name.endswith("_info"), m.name
