from __future__ import annotations

import re

from exporter.collect.table import NAMES
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


def test_help_of_polled_data_names_its_job_and_claims_no_interval() -> None:
    for m in METRICS:
        assert not re.search(r"every \d", m.help), m.name  # the planner may stretch intervals
        if m.job is None:
            assert "Refreshed by" not in m.help, m.name
        else:
            assert m.job in NAMES, m.name
            assert m.help.endswith(
                f"Refreshed by the {m.job} job (see mist_job_interval_seconds)."
            ), m.name


def test_every_job_of_the_table_feeds_some_family() -> None:
    # The alarm and device event definitions feed the webhook intake, no family of their own.
    assert {m.job for m in METRICS if m.job} == set(NAMES) - {"alarm_defs"}


def test_value_series_carry_ids_and_no_free_text() -> None:
    for m in METRICS:
        # The parser's skip reasons are the one bounded, code-made exception to "no free text".
        allowed = {"reason"} if m.name == "mist_parse_skipped_rows_total" else set()
        assert not (FORBIDDEN_LABELS - allowed) & set(m.labels), m.name
        per_token = (
            m.name.startswith("mist_api_budget_") or m.name == "mist_api_auth_failures_total"
        )
        assert "token" not in m.labels or per_token, m.name
        # A secure-edge tunnel has no id: Mist names it by its configured ``tunnel_name``.
        names = {label for label in m.labels if label.endswith("_name")} - {"tunnel_name"}
        names |= {"model", "version"}
        if names & set(m.labels):
            assert m.name.endswith("_info"), m.name
