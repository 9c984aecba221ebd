"""Backfill: bring LoyaltyLion up to date with orders placed before the integration was
switched on, through the outbox.

Each such order gets two events: its create (as it was placed), then its whole current
state (payments, refunds, cancellation), exactly what a live order would have sent by
now. They are queued at PRIORITY_BACKFILL, so a worker takes the live shop's events
first and both share one rate budget (ratelimit.SharedRatePacer): the backfill runs in
the time live traffic leaves over.

What makes it safe to run again, or to restart after an interruption:
* an order whose stream holds any event is skipped: the outbox already owes it or sent
  it (its create, or a live update whose 404 sends the create first). Prune keeps each
  order's newest create, so this stays true after pruning;
* each batch commits on its own: an interrupted run keeps the batches it finished;
* a create LoyaltyLion already has (the store fed it before, say) is answered 4xx,
  looked up and counted as delivered (outbox.Deliverer._create_order), never a second
  order.

Docs: https://developers.loyaltylion.com/api-reference/v2/resources/orders/create-order
(`date`: "An ISO 8601 timestamp representing the date of the order"). Whether
LoyaltyLion awards points for an old order is the program's setting, not the API's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import outbox, payloads
from .models import KIND_ORDER_CREATE, KIND_ORDER_UPDATE, PRIORITY_BACKFILL, OutboxEvent
from .payloads import OrderSnapshot


class OrderSource(Protocol):
    """What the host store tells the package about its orders (backfill, reconcile).

    `placed_since(since)`: every order placed at or after `since`, oldest first, as
    snapshots; give it a len() (the count) and the backfill shows its progress.
    `changed_since(since)`: every order placed *or changed* at or after `since`.
    `get(merchant_id)`: one order, or None when the store has no such order.
    """

    def placed_since(self, since: datetime) -> Iterable[OrderSnapshot]: ...

    def changed_since(self, since: datetime) -> Iterable[OrderSnapshot]: ...

    def get(self, merchant_id: str) -> OrderSnapshot | None: ...


@dataclass
class BackfillResult:
    considered: int = 0
    queued: int = 0  # orders given a create and an update
    known: int = 0  # orders the outbox already owes or sent: skipped
    queued_ids: list[str] = field(default_factory=list)  # the first few, for the summary

    SAMPLE = 5


def _batches(items: Iterable[OrderSnapshot], size: int) -> Iterator[list[OrderSnapshot]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def orders_with_events(
    session: Session, merchant_ids: list[str], statuses: tuple[str, ...] | None = None
) -> set[str]:
    """Which of these orders the outbox has events for (of these `statuses`, or any),
    one query per 500 orders."""
    streams = {outbox.order_stream(mid): mid for mid in merchant_ids}
    keys = list(streams)
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # bounded IN lists
        query = select(OutboxEvent.stream).where(OutboxEvent.stream.in_(keys[start : start + 500]))
        if statuses is not None:
            query = query.where(OutboxEvent.status.in_(statuses))
        found |= {streams[stream] for stream in session.execute(query.distinct()).scalars()}
    return found


def _order_event(order: OrderSnapshot, priority: int) -> dict:
    return {
        "stream": outbox.order_stream(order.merchant_id),
        "target": order.merchant_id,
        "customer_id": order.customer.id,
        "priority": priority,
    }


def queue_update(session: Session, order: OrderSnapshot, *, priority: int) -> None:
    """The whole current state of one order (caller commits)."""
    outbox.enqueue(
        session,
        kind=KIND_ORDER_UPDATE,
        payload=payloads.order_update(order),
        **_order_event(order, priority),
    )


def queue_order(session: Session, order: OrderSnapshot, *, priority: int) -> None:
    """The create and then the whole current state of one order (caller commits)."""
    outbox.enqueue(
        session,
        kind=KIND_ORDER_CREATE,
        payload=payloads.order_create(order),
        **_order_event(order, priority),
    )
    queue_update(session, order, priority=priority)


def backfill(
    session: Session,
    orders: Iterable[OrderSnapshot],
    *,
    dry_run: bool = False,
    batch_size: int = 200,
    progress: Callable[[int], None] | None = None,
) -> BackfillResult:
    """Queue every order of `orders` (oldest first) that the outbox knows nothing of.
    Commits after each batch; `dry_run` counts and writes nothing."""
    result = BackfillResult()
    for batch in _batches(orders, batch_size):
        known = orders_with_events(session, [order.merchant_id for order in batch])
        for order in batch:
            result.considered += 1
            if order.merchant_id in known:
                result.known += 1
                continue
            result.queued += 1
            if len(result.queued_ids) < BackfillResult.SAMPLE:
                result.queued_ids.append(order.merchant_id)
            if not dry_run:
                queue_order(session, order, priority=PRIORITY_BACKFILL)
        if dry_run:
            session.rollback()
        else:
            session.commit()
        if progress is not None:
            progress(len(batch))
    return result
