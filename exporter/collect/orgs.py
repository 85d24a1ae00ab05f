"""Many orgs in one exporter: one scheduler, publisher, state store and webhook intake per org,
sharing one client (one session, one per-token budget) and one budget plan.

Each org sends only with the tokens that read it. A token used by several orgs is split among
them in proportion to what each asks for (:func:`~exporter.collect.plan.demand`), before every
replan of any of them, so the orgs' plans together stay within the tokens' hours.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from exporter.clock import Clock
from exporter.collect.jobs import Job
from exporter.collect.publisher import Publisher
from exporter.collect.scheduler import Scheduler
from exporter.collect.webhooks import WebhookIntake, WebhookRouter
from exporter.config import Config
from exporter.mist.client import MistClient
from exporter.mist.parse import Skips
from exporter.model import ExporterStatus, Org
from exporter.state.store import StateStore


@dataclass(frozen=True, slots=True)
class OrgStack:
    """The collection side of one org."""

    org_id: str
    name: str
    scheduler: Scheduler
    publisher: Publisher
    client: MistClient
    intake: WebhookIntake
    store: StateStore
    skips: Skips

    def org(self) -> Org:
        """The org as last read (its inventory's name once published)."""
        inventory = self.publisher.snapshot.inventory
        return Org(self.org_id, inventory.org.name if inventory else self.name)


def share_tokens(
    asks: Mapping[str, tuple[float, Sequence[int]]],
) -> dict[str, dict[int, float]]:
    """Each org's share of each of its tokens: (calls/hour asked, token indexes) per org; a
    token is split among the orgs using it in proportion to what they ask (evenly if none)."""
    users: dict[int, list[str]] = {}
    for org_id, (_, tokens) in asks.items():
        for token in tokens:
            users.setdefault(token, []).append(org_id)
    shares: dict[str, dict[int, float]] = {org_id: {} for org_id in asks}
    for token, orgs in users.items():
        total = sum(max(0.0, asks[o][0]) for o in orgs)
        for o in orgs:
            shares[o][token] = max(0.0, asks[o][0]) / total if total > 0 else 1 / len(orgs)
    return shares


class Orgs:
    """The orgs one exporter collects, built with :meth:`add`; ``status()`` covers them all."""

    def __init__(self, client: MistClient, config: Config, clock: Clock, *, simulated: bool):
        self.client = client
        self.config = config
        self.clock = clock
        self.simulated = simulated
        self.stacks: list[OrgStack] = []
        self.router = WebhookRouter(clock)
        self._started = clock.time()
        self._balancing = False

    def add(
        self,
        org_id: str,
        name: str,
        tokens: Sequence[int],
        store: StateStore,
        *,
        jobs: Sequence[Job] | None = None,
    ) -> OrgStack:
        """Wire one org: its client view, publisher, scheduler and webhook intake."""
        client = self.client.for_org(org_id, tokens)
        publisher = Publisher(clock=self.clock, simulated=self.simulated)
        skips = Skips()
        scheduler = Scheduler(
            client=client,
            store=store,
            clock=self.clock,
            config=self.config,
            org_id=org_id,
            publisher=publisher,
            skips=skips,
            jobs=jobs,
            balance=self.balance,
        )
        intake = WebhookIntake(
            publisher=publisher,
            store=store,
            clock=self.clock,
            collect=self.config.collect,
            skips=skips,
            on_delivery=scheduler.pushed,
        )
        stack = OrgStack(org_id, name, scheduler, publisher, client, intake, store, skips)
        publisher.set_status_source(lambda: self._org_status(stack))
        self.stacks.append(stack)
        self.router.route(org_id, intake)
        for each in self.stacks:  # every org's share changes with the newcomer
            each.scheduler.replan()
        return stack

    def balance(self) -> None:
        """Share the tokens among the orgs by what each asks for now; the other orgs whose
        share moved replan at once, so the plans together never outgrow the tokens."""
        if len(self.stacks) < 2 or self._balancing:  # one org has its tokens whole
            return
        self._balancing = True
        try:
            asks = {s.org_id: (s.scheduler.demand(), s.client.tokens) for s in self.stacks}
            shares = share_tokens(asks).values()
            moved = [s for s, w in zip(self.stacks, shares, strict=True) if s.client.share(w)]
            for stack in moved:
                stack.scheduler.replan()
        finally:
            self._balancing = False

    async def warm_start(self) -> None:
        for stack in self.stacks:
            await stack.scheduler.warm_start()

    async def run_forever(self) -> None:
        """Every org's scheduler, until cancelled."""
        await asyncio.gather(*(s.scheduler.run_forever() for s in self.stacks))

    def _org_status(self, stack: OrgStack) -> ExporterStatus:
        skips = stack.skips.counts()
        return ExporterStatus(
            jobs=stack.scheduler.statuses(),
            budgets=self.client.budgets(),
            state_store_up=stack.store.up,
            state_store_kind="redis" if self.config.state.redis_url else "memory",
            started_at=self._started,
            first_publish_at=stack.publisher.first_publish_at,
            skipped_rows=tuple((e, r, n) for (e, r), n in sorted(skips.items())),
            thresholds=self.config.thresholds,
            webhook_events=stack.intake.counts(),
            webhook_last_event=stack.intake.last_delivery(),
            orgs=(stack.org(),),
        )

    def status(self) -> ExporterStatus:
        """Every org's status in one: jobs of each, readiness once every org has published."""
        return merged_status(
            [s.publisher.status() for s in self.stacks],
            self.router.counts(),
            self.router.last_delivery(),
        )


def merged_status(
    statuses: Sequence[ExporterStatus],
    webhook_events: Iterable[tuple[str, str, int]] = (),
    webhook_last_event: Iterable[tuple[str, float]] = (),
) -> ExporterStatus:
    """One status of several orgs' (budgets, thresholds and start from the first)."""
    first = statuses[0]
    published = [s.first_publish_at for s in statuses]
    return ExporterStatus(
        jobs=tuple(j for s in statuses for j in s.jobs),
        budgets=first.budgets,
        state_store_up=all(s.state_store_up for s in statuses),
        state_store_kind=first.state_store_kind,
        started_at=first.started_at,
        first_publish_at=None if None in published else max(p or 0.0 for p in published),
        skipped_rows=_summed(s.skipped_rows for s in statuses),
        thresholds=first.thresholds,
        webhook_events=_summed([*(s.webhook_events for s in statuses), webhook_events]),
        webhook_last_event=_latest([*(s.webhook_last_event for s in statuses), webhook_last_event]),
        orgs=tuple(o for s in statuses for o in s.orgs),
    )


def _summed(
    tables: Iterable[Iterable[tuple[str, str, int]]],
) -> tuple[tuple[str, str, int], ...]:
    """Rows (a, b, count) of several tables, the counts of the same (a, b) added, sorted."""
    total: Counter[tuple[str, str]] = Counter()
    for table in tables:
        for a, b, n in table:
            total[a, b] += n
    return tuple((a, b, n) for (a, b), n in sorted(total.items()))


def _latest(tables: Iterable[Iterable[tuple[str, float]]]) -> tuple[tuple[str, float], ...]:
    """The latest time per topic of several tables, sorted by topic."""
    latest: dict[str, float] = {}
    for table in tables:
        for topic, at in table:
            latest[topic] = max(at, latest.get(topic, at))
    return tuple(sorted(latest.items()))
