"""Sharing the tokens among orgs, and merging the orgs' statuses."""

from __future__ import annotations

import pytest

from exporter.collect.orgs import merged_status, share_tokens
from exporter.model import ExporterStatus, JobStatus, Org


def test_a_shared_token_is_split_by_what_each_org_asks() -> None:
    shares = share_tokens({"a": (100.0, (0, 1)), "b": (300.0, (1,)), "c": (0.0, (2,))})
    assert shares == {"a": {0: 1.0, 1: 0.25}, "b": {1: 0.75}, "c": {2: 1.0}}
    even = share_tokens({"a": (0.0, (0,)), "b": (0.0, (0,))})
    assert even == {"a": {0: pytest.approx(0.5)}, "b": {0: pytest.approx(0.5)}}


def test_merged_status_waits_for_every_org_and_adds_up_counts() -> None:
    def one(org_id: str, published: float | None) -> ExporterStatus:
        return ExporterStatus(
            jobs=(JobStatus("alarms", org_id=org_id),),
            first_publish_at=published,
            skipped_rows=(("/e", "duplicate row", 2),),
            webhook_events=(("alarms", "applied", 1),),
            webhook_last_event=(("alarms", published or 0.0),),
            orgs=(Org(org_id, org_id.upper()),),
        )

    waiting = merged_status([one("a", 10.0), one("b", None)])
    assert waiting.first_publish_at is None
    both = merged_status([one("a", 10.0), one("b", 20.0)], [("alarms", "unknown_org", 3)])
    assert both.first_publish_at == 20.0
    assert [(j.org_id, j.job) for j in both.jobs] == [("a", "alarms"), ("b", "alarms")]
    assert both.skipped_rows == (("/e", "duplicate row", 4),)
    assert both.webhook_events == (("alarms", "applied", 2), ("alarms", "unknown_org", 3))
    assert both.webhook_last_event == (("alarms", 20.0),)
    assert [o.name for o in both.orgs] == ["A", "B"]
