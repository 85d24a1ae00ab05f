"""The async Mist client: one aiohttp session, token budgets, retries, paging, org discovery.

Only this package talks HTTP to Mist. Every error it raises is a :class:`MistError` carrying the
endpoint template; tokens appear only in the ``Authorization`` header, never in a log line or an
exception.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import math
import random
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from exporter.clock import Clock
from exporter.config import MistConfig
from exporter.mist.budget import Budget
from exporter.mist.endpoints import SELF, Endpoint, Paging, Query
from exporter.mist.errors import (
    MistAuthError,
    MistError,
    MistHTTPError,
    MistPayloadError,
    MistRateLimited,
    MistTimeout,
    OrgDiscoveryError,
)
from exporter.model import RequestEvent, TokenBudget
from exporter.state.store import StateStore

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 1000
USER_AGENT = "mist-wan-exporter"
# Retry delays (seconds, on the injected clock): base * 2**n, capped, half of it jittered.
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paged endpoint.

    ``cursor`` resumes a walk after this page (pass it as ``resume=``): the ``next`` URL for
    search endpoints, the first page number not yet delivered in order for numbered pages;
    None when nothing is left.
    """

    records: list[dict[str, Any]]
    cursor: str | None
    total: int | None


@dataclass(frozen=True, slots=True)
class ReadableOrg:
    """An org some tokens read: its name and the indexes of those tokens."""

    name: str
    tokens: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Answer:
    code: int
    body: Any
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class _Failure:
    """One failed attempt; ``transient`` failures are worth retrying."""

    code: int
    error: MistError
    transient: bool = False


class _Tally:
    """What a request did so far, for its :class:`RequestEvent`."""

    __slots__ = ("code", "retries", "token")

    def __init__(self) -> None:
        self.code = 0
        self.token = -1
        self.retries = 0


class MistClient:
    """Async client for the Mist API endpoints in :mod:`exporter.mist.endpoints`.

    Use as ``async with MistClient(config, clock=clock) as client``. ``store`` keeps the hourly
    call counts across restarts; ``session`` injects an aiohttp session (the caller closes it);
    every finished request (after retries) is reported to each of ``observers``. ``max_wait``
    is how long a request may wait for a token's budget before it fails with
    :class:`MistRateLimited`. Every wait (budget, retry backoff) is on ``clock``.
    """

    def __init__(
        self,
        config: MistConfig,
        *,
        clock: Clock,
        store: StateStore | None = None,
        session: aiohttp.ClientSession | None = None,
        observers: Sequence[Callable[[RequestEvent], None]] = (),
        max_wait: float = 60.0,
    ) -> None:
        if not config.tokens:
            raise ValueError("MistClient needs at least one API token")
        self._config = config
        self._clock = clock
        self._base = config.base_url.rstrip("/")
        self._tokens = config.tokens
        self._budget = Budget(
            len(config.tokens), config.calls_per_hour, clock=clock, store=store, max_wait=max_wait
        )
        self._session = session
        self._owns_session = session is None
        self._observers = tuple(observers)
        self._semaphore = asyncio.Semaphore(config.max_concurrency)
        self._timeout = aiohttp.ClientTimeout(
            total=config.timeouts.total,
            connect=config.timeouts.connect,
            sock_read=config.timeouts.read,
        )
        self._random = random.Random()
        self._started = False
        self._start_lock = asyncio.Lock()
        self.org_id = config.org_ids[0] if len(config.org_ids) == 1 else None
        # The tokens this client sends with (an org's view: those that read the org), and the
        # share of each token's hour the view may plan with (:meth:`share`).
        self._among: tuple[int, ...] = tuple(range(len(config.tokens)))
        self._weights: dict[int, float] = dict.fromkeys(self._among, 1.0)

    async def __aenter__(self) -> MistClient:
        await self._start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _start(self) -> None:
        async with self._start_lock:
            if self._started:
                return
            if self._session is None:
                self._session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=self._config.max_concurrency),
                    timeout=self._timeout,
                    headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                )
            await self._budget.load()
            self._started = True

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None
            # asyncio closes a transport one loop iteration after close() (aiohttp's graceful
            # shutdown): let it, so no socket is left to the garbage collector.
            await asyncio.sleep(0)
        self._started = False

    def for_org(self, org_id: str, tokens: Sequence[int]) -> MistClient:
        """A view for one org: the same session, budget and concurrency, sending only with
        ``tokens`` (indexes; those that read the org). Start this client first; closing the
        view leaves the session open."""
        if not self._started or not tokens:
            raise ValueError("an org view needs a started client and at least one token")
        view = copy.copy(self)
        view.org_id = org_id
        view._owns_session = False
        view._among = tuple(tokens)
        view._weights = dict.fromkeys(view._among, 1.0)
        return view

    @property
    def tokens(self) -> tuple[int, ...]:
        """The indexes of the tokens this client sends with."""
        return self._among

    def share(self, weights: Mapping[int, float]) -> bool:
        """Plan with ``weights[i]`` of token ``i``'s hour (the orgs sharing it split it);
        True when that moved this client's capacity."""
        before = sum(self._weights.values())
        self._weights = {i: weights.get(i, 0.0) for i in self._among}
        return not math.isclose(before, sum(self._weights.values()), rel_tol=1e-3)

    @property
    def calls_per_hour_capacity(self) -> float:
        """Calls per hour this client may plan with: its share of its tokens' budgets."""
        return self._budget.per_token * sum(self._weights.values())

    def budgets(self) -> tuple[TokenBudget, ...]:
        """Budget left per token this clock hour (labels ``"0"``, ``"1"``, ...), every token."""
        return self._budget.budgets()

    def calls_left(self) -> int:
        """Calls left this clock hour: this client's share of what its tokens have left."""
        left = self._budget.budgets()
        return int(sum(left[i].remaining * w for i, w in self._weights.items()))

    async def get(self, endpoint: Endpoint, **params: Any) -> Any:
        """One call to ``endpoint``; returns the JSON body. ``org_id`` defaults to the client's."""
        path, query = endpoint.build(**self._with_org(endpoint, params))
        return (await self._send(endpoint, self._url(path), query)).body

    def pages(
        self, endpoint: Endpoint, *, resume: str | None = None, **params: Any
    ) -> AsyncIterator[Page]:
        """Every page of a paged endpoint, each yielded as soon as it arrives.

        Search endpoints follow ``next`` one page after the other. Numbered endpoints (headers
        or body paging) fetch the first page, then all the others concurrently (bounded by
        ``max_concurrency``) and yield them in the order they complete, which may differ from
        page order. ``limit`` defaults to 1000. ``resume`` takes a :attr:`Page.cursor`; for
        numbered pages a resumed walk may repeat pages that completed out of order.
        """
        params = self._with_org(endpoint, params)
        params.setdefault("limit", DEFAULT_LIMIT)
        if endpoint.paging is Paging.SEARCH:
            return self._search_pages(endpoint, resume, params)
        if endpoint.paging in (Paging.HEADERS, Paging.BODY):
            return self._numbered_pages(endpoint, int(resume) if resume else 1, params)
        raise ValueError(f"{endpoint.name} is not paged")

    async def answer(
        self, endpoint: Endpoint, *, follow: str | None = None, **params: Any
    ) -> tuple[Any, Mapping[str, str]]:
        """One call's JSON body and response headers, unpaged (for ``capture``).

        ``follow`` takes a search ``next`` URL verbatim instead of building one from ``params``.
        """
        if follow is not None:
            answer = await self._send(endpoint, self._url(follow), None)
        else:
            path, query = endpoint.build(**self._with_org(endpoint, params))
            answer = await self._send(endpoint, self._url(path), query)
        return answer.body, answer.headers

    async def discover_orgs(self) -> dict[str, ReadableOrg]:
        """Every org some token reads, through ``GET /api/v1/self`` once per token."""
        orgs: dict[str, ReadableOrg] = {}
        for index in range(len(self._tokens)):
            path, query = SELF.build()
            body = (await self._send(SELF, self._url(path), query, only=(index,))).body
            privileges = body.get("privileges") if isinstance(body, dict) else None
            if not isinstance(privileges, list):
                raise MistPayloadError(SELF.template, "no privileges list in the answer")
            for privilege in privileges:
                if isinstance(privilege, dict) and isinstance(privilege.get("org_id"), str):
                    name = str(privilege.get("org_name") or privilege.get("name") or "")
                    found = orgs.setdefault(privilege["org_id"], ReadableOrg(name, ()))
                    if index not in found.tokens:
                        orgs[privilege["org_id"]] = ReadableOrg(found.name, (*found.tokens, index))
        return orgs

    async def discover_org(self) -> str:
        """The one org the tokens see; raise :class:`OrgDiscoveryError` if not exactly one."""
        orgs = await self.discover_orgs()
        if len(orgs) != 1:
            listing = ((org_id, org.name) for org_id, org in orgs.items())
            raise OrgDiscoveryError(SELF.template, sorted(listing, key=lambda o: (o[1], o[0])))
        (self.org_id,) = orgs
        return self.org_id

    def _with_org(self, endpoint: Endpoint, params: dict[str, Any]) -> dict[str, Any]:
        if "org_id" in endpoint.path and params.get("org_id") is None and self.org_id:
            params["org_id"] = self.org_id
        return params

    def _url(self, path_and_query: str) -> URL:
        """An absolute URL on the configured base for a path (or a ``next`` URL) from Mist."""
        parts = urlsplit(path_and_query)
        relative = parts.path + (f"?{parts.query}" if parts.query else "")
        return URL(self._base + relative, encoded=True)

    async def _search_pages(
        self, endpoint: Endpoint, resume: str | None, params: dict[str, Any]
    ) -> AsyncIterator[Page]:
        query: Query | None
        if resume:
            url, query = self._url(resume), None
        else:
            path, query = endpoint.build(**params)
            url = self._url(path)
        while True:
            body = (await self._send(endpoint, url, query)).body
            records = _records(endpoint, body)
            following = body.get("next")
            cursor = following if isinstance(following, str) and following and records else None
            yield Page(records, cursor, _integer(body.get("total")))
            if cursor is None:
                return
            next_url = self._url(cursor)
            if next_url == url:
                raise MistPayloadError(endpoint.template, "`next` points at the same page")
            url, query = next_url, None

    async def _numbered_pages(
        self, endpoint: Endpoint, first: int, params: dict[str, Any]
    ) -> AsyncIterator[Page]:
        records, total, limit = await self._numbered_page(endpoint, params, first)
        if total is None:
            number = first
            while True:
                full = len(records) >= limit > 0
                yield Page(records, str(number + 1) if full else None, None)
                if not full:
                    return
                number += 1
                records, _, limit = await self._numbered_page(endpoint, params, number)
        last = max(first, math.ceil(total / limit) if limit > 0 else first)
        delivered: set[int] = set()
        in_order = first - 1

        def cursor_after(number: int) -> str | None:
            nonlocal in_order
            delivered.add(number)
            while in_order + 1 in delivered:
                in_order += 1
            return None if in_order >= last else str(in_order + 1)

        yield Page(records, cursor_after(first), total)
        tasks = {
            asyncio.create_task(self._numbered_page(endpoint, params, n)): n
            for n in range(first + 1, last + 1)
        }
        try:
            pending = set(tasks)
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in sorted(done, key=tasks.__getitem__):
                    page_records, _, _ = task.result()
                    yield Page(page_records, cursor_after(tasks[task]), total)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _numbered_page(
        self, endpoint: Endpoint, params: dict[str, Any], number: int
    ) -> tuple[list[dict[str, Any]], int | None, int]:
        """Records, total and page size of page ``number`` (from headers or from the body)."""
        path, query = endpoint.build(**params, page=number)
        answer = await self._send(endpoint, self._url(path), query)
        limit = int(params["limit"])
        if endpoint.paging is Paging.HEADERS:
            if not isinstance(answer.body, list):
                raise MistPayloadError(endpoint.template, "expected a JSON array")
            headers = answer.headers
            total = _integer(headers.get("X-Page-Total"))
            limit = _integer(headers.get("X-Page-Limit")) or limit
            return _rows(endpoint, answer.body), total, limit
        records = _records(endpoint, answer.body)
        return (
            records,
            _integer(answer.body.get("total")),
            _integer(answer.body.get("limit")) or limit,
        )

    async def _send(
        self,
        endpoint: Endpoint,
        url: URL,
        query: Query | None,
        only: tuple[int, ...] | None = None,
    ) -> _Answer:
        """One request with budget, retries and reporting; raises a :class:`MistError`."""
        await self._start()
        tally = _Tally()
        started = self._clock.monotonic()
        try:
            among = self._among if only is None else only
            answer = await self._with_retries(endpoint.template, url, query, among, tally)
        except MistError:
            self._report(endpoint.template, tally, started)
            raise
        self._report(endpoint.template, tally, started)
        return answer

    async def _with_retries(
        self,
        template: str,
        url: URL,
        query: Query | None,
        among: tuple[int, ...],
        tally: _Tally,
    ) -> _Answer:
        failures = 0
        rate_limited = 0
        while True:
            async with self._semaphore:
                index = await self._budget.acquire(template, among)
                if tally.token >= 0:
                    tally.retries += 1
                tally.token = index
                outcome = await self._attempt(template, url, query, index)
            tally.code = outcome.code
            if isinstance(outcome, _Answer):
                return outcome
            if outcome.code == 429:
                rate_limited += 1
                if rate_limited > len(among) + self._config.max_retries:
                    raise MistRateLimited(template, "429 on every attempt", self._budget.earliest())
                continue
            if not outcome.transient or failures >= self._config.max_retries:
                raise outcome.error
            failures += 1
            delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1))
            await self._clock.sleep(delay / 2 + self._random.uniform(0, delay / 2))

    async def _attempt(
        self, template: str, url: URL, query: Query | None, index: int
    ) -> _Answer | _Failure:
        if self._session is None:
            raise RuntimeError("MistClient is closed")
        headers = {"Authorization": f"Token {self._tokens[index]}"}
        try:
            async with self._session.get(
                url, params=query, headers=headers, timeout=self._timeout, allow_redirects=False
            ) as response:
                raw = await response.read()
                status, response_headers = response.status, response.headers
                content_type = response.content_type
        except TimeoutError:
            return _Failure(0, MistTimeout(template, "no answer in time"), transient=True)
        except aiohttp.ClientError as exc:
            lost = MistTimeout(template, f"connection failed ({type(exc).__name__})")
            return _Failure(0, lost, transient=True)
        if 200 <= status < 300:
            return self._parse(template, status, raw, content_type, response_headers)
        detail = self._detail(raw)
        if status in (401, 403):
            return _Failure(status, MistAuthError(template, f"HTTP {status}{detail}"))
        if status == 429:
            retry_after = retry_after_seconds(
                response_headers.get("Retry-After"), self._clock.time()
            )
            until = self._budget.park(index, retry_after)
            return _Failure(status, MistRateLimited(template, f"HTTP 429{detail}", until))
        failed = MistHTTPError(template, f"HTTP {status}{detail}", status)
        return _Failure(status, failed, transient=status >= 500)

    def _parse(
        self,
        template: str,
        status: int,
        raw: bytes,
        content_type: str,
        headers: Mapping[str, str],
    ) -> _Answer | _Failure:
        if "html" in content_type or raw.lstrip()[:1] == b"<":
            error = MistPayloadError(template, f"HTTP {status} with an HTML page instead of JSON")
            return _Failure(status, error)
        try:
            body = json.loads(raw)
        except ValueError:
            error = MistPayloadError(template, f"malformed JSON ({len(raw)} bytes)")
            return _Failure(status, error)
        return _Answer(status, body, headers)

    def _detail(self, raw: bytes) -> str:
        """``": <detail>"`` from a JSON error body (Mist's 429 explains itself), tokens hidden."""
        try:
            body = json.loads(raw)
        except ValueError:
            return ""
        detail = body.get("detail") if isinstance(body, dict) else None
        if not isinstance(detail, str):
            return ""
        for token in self._tokens:
            detail = detail.replace(token, "***")
        return f": {detail[:200]}"

    def _report(self, template: str, tally: _Tally, started: float) -> None:
        if tally.token < 0:
            return
        event = RequestEvent(
            endpoint=template,
            code=tally.code,
            duration_seconds=max(0.0, self._clock.monotonic() - started),
            token_index=tally.token,
            retries=tally.retries,
        )
        log.debug(
            "GET %s -> %s in %.3f s (token %d, %d retries)",
            template,
            tally.code or "no answer",
            event.duration_seconds,
            tally.token,
            tally.retries,
        )
        for observer in self._observers:
            try:
                observer(event)
            except Exception:
                log.exception("request observer failed for %s", template)


def _rows(endpoint: Endpoint, rows: list[Any]) -> list[dict[str, Any]]:
    if not all(isinstance(row, dict) for row in rows):
        raise MistPayloadError(endpoint.template, "expected an array of objects")
    return rows


def _records(endpoint: Endpoint, body: Any) -> list[dict[str, Any]]:
    """The ``results`` of a search or body-paged answer."""
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list):
        raise MistPayloadError(endpoint.template, "expected an object with a `results` array")
    return _rows(endpoint, results)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), None when absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None
