"""The capture directory's ``manifest.json``: one entry per call, in the order they were made."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = 1
PAGE_HEADERS = ("X-Page-Total", "X-Page-Limit", "X-Page-Page")


@dataclass(frozen=True, slots=True)
class Entry:
    """One call: the endpoint's template and name, the path and query asked, and the answer.

    ``file`` holds the raw JSON body (None when Mist refused the call with ``status``);
    ``headers`` keeps the X-Page-* headers of plain-array pages.
    """

    endpoint: str
    name: str
    path: str
    query: Mapping[str, str]
    status: int
    file: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Entry:
        return cls(
            endpoint=str(data["endpoint"]),
            name=str(data["name"]),
            path=str(data["path"]),
            query={str(k): str(v) for k, v in dict(data.get("query") or {}).items()},
            status=int(data["status"]),
            file=None if data.get("file") is None else str(data["file"]),
            headers={str(k): str(v) for k, v in dict(data.get("headers") or {}).items()},
        )


@dataclass(frozen=True, slots=True)
class Manifest:
    org_id: str
    captured_at: float
    anonymized: bool
    entries: tuple[Entry, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "org_id": self.org_id,
            "captured_at": self.captured_at,
            "anonymized": self.anonymized,
            "calls": len(self.entries),
            "entries": [
                asdict(e) | {"query": dict(e.query), "headers": dict(e.headers)}
                for e in self.entries
            ],
        }

    def write(self, directory: Path) -> None:
        text = json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n"
        (directory / MANIFEST).write_text(text, encoding="utf-8")


def read_manifest(directory: Path) -> Manifest:
    """The manifest of a capture directory; ValueError when it is missing or not one."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{directory}: no readable {MANIFEST} ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{directory / MANIFEST}: not JSON ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{directory / MANIFEST}: not a format {FORMAT} capture manifest")
    try:
        return Manifest(
            org_id=str(data["org_id"]),
            captured_at=float(data["captured_at"]),
            anonymized=bool(data.get("anonymized")),
            entries=tuple(Entry.from_json(e) for e in data["entries"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{directory / MANIFEST}: bad entry ({exc})") from None
