"""Org, site groups and sites: the spec's examples and the region rule."""

from __future__ import annotations

import pytest

from exporter.config import RegionRule
from exporter.mist.errors import MistPayloadError
from exporter.mist.parse import parse_org, parse_sitegroups, parse_sites
from exporter.model import Org, Site
from tests.parse.spec import response_example

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


def _site(groups: list[str] | None, **extra: object) -> dict[str, object]:
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
    ("rows", "field"),
    [
        ({"id": "s1"}, "rows: expected an array"),
        ([{"name": "no id"}], "rows[0].id"),
        ([_site(["g-emea", 7])], "rows[0].sitegroup_ids[1]"),
        ([_site(None, sitegroup_ids="g-emea")], "rows[0].sitegroup_ids"),
        ([_site(None, name=3)], "rows[0].name"),
    ],
)
def test_bad_sites_name_the_field(rows: object, field: str) -> None:
    with pytest.raises(MistPayloadError, match=f"/sites: {field}".replace("[", r"\[")):
        parse_sites(rows, GROUPS, RegionRule("region-"))


def test_bad_org_and_sitegroups() -> None:
    with pytest.raises(MistPayloadError, match=r"org\.id"):
        parse_org({"name": "x"})
    with pytest.raises(MistPayloadError, match=r"rows\[0\]: expected an object, got str"):
        parse_sitegroups(["g1"])
