"""The org, its site groups and its sites (with their region)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporter.config import RegionRule
from exporter.mist import endpoints
from exporter.mist.parse.fields import Fields, Skips, each_row, newest
from exporter.model import Org, Site

ORG = endpoints.ORG.template
SITEGROUPS = endpoints.SITEGROUPS.template
SITES = endpoints.SITES.template


def parse_org(data: Any) -> Org:
    org = Fields(ORG, data, "org")
    return Org(org_id=org.text("id"), name=org.opt_text("name"))


def parse_sitegroups(rows: Any, skips: Skips | None = None) -> dict[str, str]:
    """``sitegroup_id -> name``."""
    pairs = each_row(SITEGROUPS, rows, lambda row: (row.text("id"), row.opt_text("name")), skips)
    return dict(pairs)


def parse_sites(
    rows: Any, sitegroups: Mapping[str, str], rule: RegionRule, skips: Skips | None = None
) -> tuple[Site, ...]:
    """Sites with their region: the first of their site groups named with the rule's prefix."""

    def read(row: Fields) -> tuple[str, float, Site]:
        groups = row.strings("sitegroup_ids") if row.has("sitegroup_ids") else []
        site = Site(
            site_id=row.text("id"),
            name=row.opt_text("name"),
            region=_region(groups, sitegroups, rule),
            country_code=row.opt_text("country_code"),
        )
        return site.site_id, row.opt_number("modified_time") or 0.0, site

    return newest(SITES, each_row(SITES, rows, read, skips, walk=True), skips)


def _region(groups: list[str], names: Mapping[str, str], rule: RegionRule) -> str:
    for group_id in groups:
        name = names.get(group_id)
        if name is not None and name.startswith(rule.sitegroup_prefix):
            region = name[len(rule.sitegroup_prefix) :] if rule.strip_prefix else name
            if region:
                return region
    return rule.default
