"""The HTML status page at ``/``: jobs, budget per token, state store, links."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape

from exporter.collect.table import BY_NAME, ESSENTIAL
from exporter.metrics.self_families import essential_up, jobs_by_org
from exporter.model import ExporterStatus, JobStatus
from exporter.web.readiness import readiness

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1.5em}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}.bad{color:#b00020}.ok{color:#1b7f3b}"
    ".note{background:#fff4ce;border:1px solid #e0c060;padding:.6em;margin-bottom:1em}"
)


def _when(timestamp: float | None, now: float) -> str:
    if timestamp is None:
        return "never"
    text = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    delta = timestamp - now
    relative = f"in {delta:.0f} s" if delta >= 0 else f"{-delta:.0f} s ago"
    return f"{text} ({relative})"


def _row(cells: list[str], header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag}>{escape(c)}</{tag}>" for c in cells) + "</tr>"


def _status(ok: bool, text: str) -> str:
    return f'<span class="{"ok" if ok else "bad"}">{escape(text)}</span>'


def render_status_page(status: ExporterStatus, *, simulated: bool, now: float, version: str) -> str:
    """The whole page; every value from the status is HTML-escaped."""
    ready = readiness(status, now)
    up = essential_up(status)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>mist-wan-exporter {escape(version)}</title><style>{STYLE}</style></head><body>",
        f"<h1>mist-wan-exporter {escape(version)}</h1>",
    ]
    if simulated:
        parts.append(
            '<p class="note">Simulated data: this exporter reads the built-in Mist simulator, '
            "not a real Mist org (<code>mist_simulated 1</code>).</p>"
        )
    store = f"{status.state_store_kind} ({'up' if status.state_store_up else 'down'})"
    parts += [
        '<p><a href="metrics">/metrics</a> · <a href="healthz">/healthz</a> · '
        '<a href="readyz">/readyz</a></p>',
        "<ul>",
        f"<li>Readiness: {_status(ready.ready, ready.reason)}</li>",
        f"<li>Essential jobs ({escape(', '.join(ESSENTIAL))}): "
        f"{_status(up, 'last runs succeeded' if up else 'a last run failed or none yet')}</li>",
        f"<li>State store: {_status(status.state_store_up, store)}</li>",
        f"<li>Started: {escape(_when(status.started_at, now))}</li>",
        f"<li>First publish: {escape(_when(status.first_publish_at, now))}</li>",
        "</ul>",
    ]
    names = {org.org_id: org.name for org in status.orgs}
    for org_id, jobs in (jobs_by_org(status) or {"": {}}).items():
        title = f"Jobs of {names.get(org_id) or 'org'} ({org_id})" if org_id else "Jobs"
        parts += [f"<h2>{escape(title)}</h2>", *_jobs_table(jobs.values(), now)]
    parts += [
        "<h2>API budget per token</h2><table>",
        _row(["token", "calls left this hour", "resets", "parked until"], header=True),
    ]
    for b in status.budgets:
        parked = "-" if b.parked_until is None else _when(b.parked_until, now)
        parts.append(_row([b.token, str(b.remaining), _when(b.reset_timestamp, now), parked]))
    parts += ["</table>", "</body></html>"]
    return "\n".join(parts) + "\n"


def _jobs_table(jobs: Iterable[JobStatus], now: float) -> list[str]:
    """One org's jobs in table order, one row each."""
    parts = [
        "<table>",
        _row(
            [
                "job",
                "collects",
                "last success",
                "duration",
                "errors",
                "last error",
                "next run",
                "interval",
                "planned calls/hour",
            ],
            header=True,
        ),
    ]
    order = {name: i for i, name in enumerate(BY_NAME)}
    for c in sorted(jobs, key=lambda c: (order.get(c.job, len(order)), c.job)):
        duration = "-" if c.duration_seconds is None else f"{c.duration_seconds:.2f} s"
        spec = BY_NAME.get(c.job)
        parts.append(
            _row(
                [
                    c.job,
                    spec.summary if spec else "-",
                    _when(c.last_success, now),
                    duration,
                    str(c.errors_total),
                    c.last_error or "-",
                    _when(c.next_run, now),
                    "-" if c.interval_seconds is None else f"{c.interval_seconds:.0f} s",
                    f"{c.planned_calls_per_hour:.0f}",
                ]
            )
        )
    return [*parts, "</table>"]
