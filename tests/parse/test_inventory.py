"""Org, site groups and sites: the spec's examples and the region rule."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import pytest

from exporter.config import RegionRule
from exporter.mist.errors import MistPayloadError
from exporter.mist.parse import parse_org, parse_sitegroups, parse_sites
from exporter.model import Org, Site
from tests.parse.spec import response_example
from tests.parse.support import deduplicated, logged, with_skips

ORG_PATH = "/api/v1/orgs/{org_id}"
SITES_PATH = "/api/v1/orgs/{org_id}/sites"
SITEGROUPS_PATH = "/api/v1/orgs/{org_id}/sitegroups"

GROUPS = {"g-store": "Stores", "g-emea": "region-EMEA", "g-amer": "region-AMER"}


def test_org_from_spec_example() -> None:
    assert parse_org(response_example(ORG_PATH)) == Org(
        org_id="b069b358-4c97-5319-1f8c-7c5ca64d6ab1", name="string"
    )


def test_sitegroups_from_spec_example() -> None:
    assert parse_sitegroups(response_example(SITEGROUPS_PATH)) == {
        "b069b358-4c97-5319-1f8c-7c5ca64d6ab1": "string"
    }


def test_sites_from_spec_example_default_rule_takes_first_group() -> None:
    rows = response_example(SITES_PATH)
    groups = parse_sitegroups([{"id": "497f6eca-6276-5008-bfeb-53cbbbba6f1a", "name": "West"}])
    assert parse_sites(rows, groups, RegionRule()) == (
        Site(
            site_id="497f6eca-6276-5007-bfeb-53cbbbba6f19",
            name="Mist Office",
            region="West",
            country_code="US",
        ),
    )


def _site(groups: Sequence[object] | None, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {"id": "s1", "name": "Store 1", **extra}
    if groups is not None:
        row["sitegroup_ids"] = groups
    return row


@pytest.mark.parametrize(
    ("groups", "rule", "region"),
    [
        (["g-store", "g-emea", "g-amer"], RegionRule("region-"), "EMEA"),
        (["g-amer", "g-emea"], RegionRule("region-"), "AMER"),
        (["g-store", "g-emea"], RegionRule("region-", strip_prefix=False), "region-EMEA"),
        (["g-store"], RegionRule("region-"), "unassigned"),
        (["g-store"], RegionRule("region-", default="none"), "none"),
        (["unknown-group", "g-emea"], RegionRule("region-"), "EMEA"),
        ([], RegionRule(), "unassigned"),
        (None, RegionRule(), "unassigned"),
        (["g-store", "g-emea"], RegionRule(), "Stores"),
    ],
)
def test_region_is_first_matching_sitegroup(
    groups: list[str] | None, rule: RegionRule, region: str
) -> None:
    (site,) = parse_sites([_site(groups)], GROUPS, rule)
    assert site.region == region


def test_missing_optional_site_fields() -> None:
    (site,) = parse_sites([{"id": "s1", "country_code": None}], {}, RegionRule())
    assert site == Site(site_id="s1", name="", region="unassigned", country_code="")


@pytest.mark.parametrize(
    ("row", "reason", "message"),
    [
        ({"name": "no id"}, "missing id", r"rows\[0\]\.id: expected a string, got null"),
        (
            _site(["g-emea", 7]),
            "invalid sitegroup_ids",
            r"rows\[0\]\.sitegroup_ids\[1\]: expected a string, got int",
        ),
        (
            _site(None, sitegroup_ids="g-emea"),
            "invalid sitegroup_ids",
            r"rows\[0\]\.sitegroup_ids: expected an array, got str",
        ),
        (_site(None, name=3), "invalid name", r"rows\[0\]\.name: expected a string, got int"),
        ("s1", "invalid rows", r"rows\[0\]: expected an object, got str"),
    ],
)
def test_a_bad_site_row_is_left_out_counted_and_logged(
    row: object, reason: str, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    good = _site(["g-emea"], id="s2")
    kept, skipped = with_skips(
        caplog, lambda skips: parse_sites([row, good], GROUPS, RegionRule("region-"), skips)
    )
    assert kept == (Site(site_id="s2", name="Store 1", region="EMEA", country_code=""),)
    assert skipped == {(SITES_PATH, reason): 1}
    assert logged(caplog, r"/sites: " + message)


def test_sites_repeated_keep_the_newest_and_count_the_repeat(
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = _site(None, name="Old", modified_time=100)
    new = _site(None, name="New", modified_time=200)
    for rows in ([old, new], [new, old]):
        kept = deduplicated(caplog, partial(parse_sites, rows, {}, RegionRule()), SITES_PATH)
        assert [s.name for s in kept] == ["New"]


def test_a_sites_envelope_of_the_wrong_shape_fails_the_payload() -> None:
    with pytest.raises(MistPayloadError, match=r"/sites: rows: expected an array, got dict"):
        parse_sites({"id": "s1"}, GROUPS, RegionRule("region-"))


def test_bad_org_fails_and_a_bad_sitegroup_row_is_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(MistPayloadError, match=r"\{org_id\}: org\.id: expected a string, got null"):
        parse_org({"name": "x"})
    with pytest.raises(MistPayloadError, match=r"org: expected an object, got list"):
        parse_org([])
    kept, skipped = with_skips(
        caplog, lambda skips: parse_sitegroups(["g1", {"id": "g2", "name": "B"}], skips)
    )
    assert kept == {"g2": "B"}
    assert skipped == {(SITEGROUPS_PATH, "invalid rows"): 1}
    assert logged(caplog, r"/sitegroups: rows\[0\]: expected an object, got str")
    with pytest.raises(MistPayloadError, match=r"/sitegroups: rows: expected an array"):
        parse_sitegroups(None)
