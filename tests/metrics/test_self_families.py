"""Self-metrics from hand-built exporter statuses and a real request recorder."""

from __future__ import annotations

import dataclasses
from typing import Any

from prometheus_client.metrics_core import Metric

from exporter import __version__
from exporter.metrics.requests import RequestRecorder
from exporter.model import ExporterStatus, JobStatus, RequestEvent, Snapshot
from tests.metrics.exposition import parse, render, samples, value
from tests.support.snapshots import NOW, healthy_status


def self_metrics(
    status: ExporterStatus,
    *,
    simulated: bool = False,
    requests: dict[tuple[str, int], int] | None = None,
    auth_failures: dict[int, int] | None = None,
) -> dict[str, Metric]:
    return parse(
        render(
            Snapshot(),
            status,
            simulated=simulated,
            requests=requests,
            auth_failures=auth_failures,
        )
    )


def with_collector(status: ExporterStatus, name: str, **changes: Any) -> ExporterStatus:
    collectors = tuple(
        dataclasses.replace(c, **changes) if c.job == name else c for c in status.jobs
    )
    return dataclasses.replace(status, jobs=collectors)


def test_up_when_every_essential_job_last_succeeded() -> None:
    assert value(self_metrics(healthy_status()), "mist_up") == 1


def test_down_when_an_essential_job_failed_after_its_last_success() -> None:
    status = with_collector(healthy_status(), "alarms", last_attempt=NOW - 1, last_error="HTTP 503")
    assert value(self_metrics(status), "mist_up") == 0


def test_down_when_an_essential_job_never_succeeded_or_is_missing() -> None:
    never = with_collector(healthy_status(), "gateways", last_success=None)
    assert value(self_metrics(never), "mist_up") == 0
    missing = dataclasses.replace(
        healthy_status(),
        jobs=tuple(c for c in healthy_status().jobs if c.job != "wan_ports"),
    )
    assert value(self_metrics(missing), "mist_up") == 0


def test_a_failing_non_essential_job_keeps_up() -> None:
    status = with_collector(healthy_status(), "peer_paths", last_attempt=NOW, errors_total=9)
    f = self_metrics(status)
    assert value(f, "mist_up") == 1
    assert value(f, "mist_job_errors_total", mist_job="peer_paths") == 9


def test_collector_metrics() -> None:
    status = dataclasses.replace(
        healthy_status(),
        jobs=(
            JobStatus("gateways", NOW - 5, NOW - 5, 1.5, 2, None, NOW + 55, 60.0, 120.0),
            JobStatus("deep_dive", planned_calls_per_hour=900.0),
        ),
    )
    f = self_metrics(status)
    assert value(f, "mist_job_last_success_timestamp_seconds", mist_job="gateways") == (NOW - 5)
    assert value(f, "mist_job_duration_seconds", mist_job="gateways") == 1.5
    assert value(f, "mist_job_interval_seconds", mist_job="gateways") == 60
    assert value(f, "mist_job_errors_total", mist_job="gateways") == 2
    assert value(f, "mist_api_planned_calls_per_hour", mist_job="gateways") == 120
    assert value(f, "mist_api_planned_calls_per_hour", mist_job="deep_dive") == 900
    assert value(f, "mist_job_errors_total", mist_job="deep_dive") == 0
    never_ran = samples(f, "mist_job_last_success_timestamp_seconds")
    assert {dict(k)["mist_job"] for k in never_ran} == {"gateways"}


def test_budget_per_token_label() -> None:
    f = self_metrics(healthy_status())
    assert value(f, "mist_api_budget_remaining", token="0") == 4200
    assert value(f, "mist_api_budget_remaining", token="1") == 4990
    assert value(f, "mist_api_budget_reset_timestamp_seconds", token="0") == NOW + 1800


def test_request_recorder_counts_by_endpoint_template_and_code() -> None:
    recorder = RequestRecorder()
    ports = "/api/v1/orgs/{org_id}/stats/ports/search"
    for code in (200, 200, 429, 0):
        recorder(RequestEvent(ports, code, 0.1, 0, 0))
    recorder(RequestEvent("/api/v1/self", 200, 0.05, 1, 0))
    f = self_metrics(healthy_status(), requests=dict(recorder.counts()))
    assert value(f, "mist_api_requests_total", endpoint=ports, code="200") == 2
    assert value(f, "mist_api_requests_total", endpoint=ports, code="429") == 1
    assert value(f, "mist_api_requests_total", endpoint=ports, code="0") == 1
    assert value(f, "mist_api_requests_total", endpoint="/api/v1/self", code="200") == 1
    assert f["mist_api_requests"].type == "counter"


def test_refused_answers_are_counted_per_token_index_never_per_secret() -> None:
    recorder = RequestRecorder()
    for code, token in ((401, 1), (403, 1), (200, 0), (429, 0), (401, 2)):
        recorder(RequestEvent("/api/v1/orgs/{org_id}", code, 0.1, token, 0))
    f = self_metrics(healthy_status(), auth_failures=dict(recorder.auth_failures()))
    # healthy_status() has tokens 0 and 1: every token starts at 0, so a first 401 is an increase.
    assert samples(f, "mist_api_auth_failures_total") == {
        (("token", "0"),): 0,
        (("token", "1"),): 2,
        (("token", "2"),): 1,
    }


def test_state_store_simulated_build_and_render_time() -> None:
    down = dataclasses.replace(healthy_status(), state_store_up=False)
    f = self_metrics(down, simulated=True)
    assert value(f, "mist_state_store_up") == 0
    assert value(f, "mist_simulated") == 1
    assert value(f, "mist_exporter_build_info", version=__version__) == 1
    assert value(f, "mist_scrape_render_seconds") == 0.25
    live = self_metrics(healthy_status())
    assert value(live, "mist_state_store_up") == 1
    assert value(live, "mist_simulated") == 0
