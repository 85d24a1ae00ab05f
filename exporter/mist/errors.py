"""One error tree for everything that can go wrong talking to Mist.

Every error carries the endpoint template (``/api/v1/orgs/{org_id}/stats/devices``), never a
token or a full URL with ids, so it is safe to log and to show on the status page.
"""

from __future__ import annotations

from collections.abc import Sequence


class MistError(Exception):
    def __init__(self, endpoint: str, message: str) -> None:
        super().__init__(f"{endpoint}: {message}")
        self.endpoint = endpoint


class MistAuthError(MistError):
    """401 or 403: the token is wrong or lacks the privilege."""


class MistRateLimited(MistError):
    """429 and no token has budget left before ``retry_at`` (epoch seconds)."""

    def __init__(self, endpoint: str, message: str, retry_at: float) -> None:
        super().__init__(endpoint, message)
        self.retry_at = retry_at


class MistHTTPError(MistError):
    """Any other non-2xx answer (after retries for 5xx)."""

    def __init__(self, endpoint: str, message: str, status: int) -> None:
        super().__init__(endpoint, message)
        self.status = status


class MistTimeout(MistError):
    """Connect, read or total timeout, or a dropped connection, after retries."""


class MistPayloadError(MistError):
    """The answer is not the JSON shape the parser expects; ``reason`` says why in a few words
    (``missing port_id``), fit for a metric label."""

    def __init__(self, endpoint: str, message: str, *, reason: str = "invalid payload") -> None:
        super().__init__(endpoint, message)
        self.reason = reason


class OrgDiscoveryError(MistError):
    """The orgs to export cannot be settled: the tokens read no org, or not one of the
    ``missing`` orgs listed in MIST_ORG_ID, or (for a one-org tool) more than one; ``orgs``
    lists (id, name) of those they read."""

    def __init__(
        self, endpoint: str, orgs: Sequence[tuple[str, str]], missing: Sequence[str] = ()
    ) -> None:
        listing = "; ".join(f"{name} ({org_id})" for org_id, name in orgs)
        if missing:
            message = (
                f"no API token reads org {', '.join(missing)}; "
                f"the tokens read: {listing or 'no org'}"
            )
        elif orgs:
            message = f"the API tokens see {len(orgs)} orgs, set MIST_ORG_ID to one of: {listing}"
        else:
            message = "the API tokens see no org; check the tokens' privileges"
        super().__init__(endpoint, message)
        self.orgs = tuple(orgs)
        self.missing = tuple(missing)
