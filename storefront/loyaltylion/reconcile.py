"""Reconcile: the store's orders against LoyaltyLion's, and what would bring them in line.

LoyaltyLion's side comes from List Orders, filtered by `updated_at_min` and paged with
its cursors (newest first; with a cursor "any other filtering params will be ignored",
client.list_orders), the store's from its OrderSource (backfill.py). Each order is:

* MISSING: the store has it, LoyaltyLion does not (List Orders lacks it and Get Order
  answers 404: an order LoyaltyLion has but has not changed since `since` is not in the
  list, so absence from the list alone proves nothing);
* UNKNOWN: LoyaltyLion has it, the store does not (a test order, another store on the
  same program). Nothing the store can send fixes it: a person decides;
* DIFFERS: payment, refund or cancellation status, or total, paid or refunded amounts.

A difference on an order whose events are still queued (pending or being delivered) is
"in flight": the queue settles it, so it is reported but not counted as drift.

`fix` queues, at live priority, what would cure each drift: the missing order's create
and state (LoyaltyLion lacks it, so that is not a second create; and the deliverer
checks any 4xx on a create with Get Order, outbox.Deliverer._create_order), or the
order's whole current state for a difference. Update Order carries no total, so a
differing total is reported as needing a person, not "fixed".

Every call goes through the shared rate budget, like the workers' deliveries.
Docs: https://developers.loyaltylion.com/api-reference/v2/resources/orders/list-orders
      https://developers.loyaltylion.com/api-reference/v2/resources/orders/get-order
      https://developers.loyaltylion.com/api-reference/pagination
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import payloads
from .backfill import OrderSource, orders_with_events, queue_order, queue_update
from .client import LoyaltyLionClient
from .models import (
    DELIVERING,
    PENDING,
    PRIORITY_LIVE,
    ReconcileRun,
    utcnow,
)
from .payloads import OrderSnapshot
from .ratelimit import RatePacer

MISSING = "missing at LoyaltyLion"
UNKNOWN = "unknown to the shop"
DIFFERS = "differs"

# What is compared, as Update Order and Create Order name them.
STATUS_FIELDS = ("payment_status", "refund_status", "cancellation_status")
MONEY_FIELDS = ("total", "total_paid", "total_refunded")
FIELDS = STATUS_FIELDS + MONEY_FIELDS
# How many differences a run keeps for the admin's page (the CLI prints them all).
REPORT_MAX = 500


@dataclass(frozen=True)
class Drift:
    merchant_id: str
    problem: str  # MISSING | UNKNOWN | DIFFERS
    # field -> [the store's value, LoyaltyLion's]
    details: dict[str, list[str]] = field(default_factory=dict)
    in_flight: bool = False  # events for it are still queued: the queue settles it
    fixable: bool = True
    fix_queued: bool = False

    def describe(self) -> str:
        if self.problem != DIFFERS:
            return self.problem
        return ", ".join(
            f"{name}: shop {ours}, LoyaltyLion {theirs}"
            for name, (ours, theirs) in self.details.items()
        )


@dataclass
class ReconcileResult:
    since: datetime
    checked: int = 0
    drifts: list[Drift] = field(default_factory=list)
    fixes_queued: int = 0

    @property
    def drifted(self) -> list[Drift]:
        """The differences the queue will not settle by itself."""
        return [d for d in self.drifts if not d.in_flight]

    @property
    def in_flight(self) -> list[Drift]:
        return [d for d in self.drifts if d.in_flight]


def expected_state(order: OrderSnapshot) -> dict[str, str]:
    """The order as LoyaltyLion should hold it: what its create and update carry."""
    create, update = payloads.order_create(order), payloads.order_update(order)
    return {name: (update.get(name) or create.get(name)) for name in FIELDS}


def _normal(name: str, value: Any) -> str:
    """Their value, comparable with ours: money as a 2-place decimal string."""
    if value is None:
        return "-"
    if name in MONEY_FIELDS:
        try:
            return f"{Decimal(str(value)):.2f}"
        except InvalidOperation:
            return str(value)
    return str(value)


def _from_get_order(order: dict[str, Any]) -> dict[str, Any]:
    """Get Order lists refunds rather than a `total_refunded`: their sum is that."""
    order = dict(order)
    if "total_refunded" not in order and isinstance(order.get("refunds"), list):
        with contextlib.suppress(InvalidOperation, AttributeError):
            order["total_refunded"] = str(
                sum((Decimal(str(r.get("amount", 0))) for r in order["refunds"]), Decimal(0))
            )
    return order


def differences(order: OrderSnapshot, theirs: dict[str, Any]) -> dict[str, list[str]]:
    ours = expected_state(order)
    found = {}
    for name in FIELDS:
        if name not in theirs:  # not reported by this API version: nothing to compare
            continue
        mine, their = _normal(name, ours[name]), _normal(name, theirs[name])
        if mine != their:
            found[name] = [mine, their]
    return found


def _their_orders(
    client: LoyaltyLionClient, pacer: RatePacer, since: datetime, page_size: int
) -> dict[str, dict[str, Any]]:
    theirs: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        pacer.acquire()
        items, cursor = client.list_orders(updated_at_min=since, cursor=cursor, limit=page_size)
        for item in items:
            merchant_id = item.get("merchant_id")
            if merchant_id not in (None, ""):
                theirs[str(merchant_id)] = item
        if not cursor:
            return theirs


def reconcile(
    session: Session,
    client: LoyaltyLionClient,
    pacer: RatePacer,
    orders: OrderSource,
    since: datetime,
    *,
    fix: bool = False,
    progress: Callable[[int], None] | None = None,
    page_size: int = 500,
) -> ReconcileResult:
    """Compare every order either side changed since `since`; with `fix`, queue the
    cures. Records the run (ReconcileRun) and commits."""
    result = ReconcileResult(since=since)
    started = utcnow()
    theirs = _their_orders(client, pacer, since, page_size)
    ours = {order.merchant_id: order for order in orders.changed_since(since)}
    for merchant_id in theirs.keys() - ours.keys():
        order = orders.get(merchant_id)
        if order is not None:
            ours[merchant_id] = order
    # Ours but not in their list: unchanged there since before `since`, or missing.
    for merchant_id in sorted(ours.keys() - theirs.keys(), key=_id_order):
        pacer.acquire()
        found = client.get_order(merchant_id)
        if found is not None:
            theirs[merchant_id] = _from_get_order(found)

    found_drifts: list[Drift] = []
    for merchant_id in sorted(ours.keys() | theirs.keys(), key=_id_order):
        result.checked += 1
        order = ours.get(merchant_id)
        if order is None:
            found_drifts.append(Drift(merchant_id, UNKNOWN, fixable=False))
        elif merchant_id not in theirs:
            found_drifts.append(Drift(merchant_id, MISSING))
        else:
            details = differences(order, theirs[merchant_id])
            if details:
                # Update Order takes every compared field but the total.
                fixable = "total" not in details
                found_drifts.append(Drift(merchant_id, DIFFERS, details, fixable=fixable))
        if progress is not None:
            progress(1)

    queued = orders_with_events(
        session, [d.merchant_id for d in found_drifts], statuses=(PENDING, DELIVERING)
    )
    for drift in found_drifts:
        in_flight = drift.merchant_id in queued
        fix_queued = False
        if fix and drift.fixable and not in_flight:
            _queue_fix(session, drift, ours[drift.merchant_id])
            fix_queued = True
            result.fixes_queued += 2 if drift.problem == MISSING else 1
        result.drifts.append(replace(drift, in_flight=in_flight, fix_queued=fix_queued))
    _record(session, result, fix, started)
    return result


def _queue_fix(session: Session, drift: Drift, order: OrderSnapshot) -> None:
    if drift.problem == MISSING:
        queue_order(session, order, priority=PRIORITY_LIVE)
    else:
        queue_update(session, order, priority=PRIORITY_LIVE)


def _id_order(merchant_id: str) -> tuple[int, int | str]:
    # Numeric ids in number order, others after them.
    return (0, int(merchant_id)) if merchant_id.isdigit() else (1, merchant_id)


def _record(session: Session, result: ReconcileResult, fixed: bool, started: datetime) -> None:
    session.add(
        ReconcileRun(
            since=result.since,
            started_at=started,
            finished_at=utcnow(),
            checked=result.checked,
            drifted=len(result.drifted),
            in_flight=len(result.in_flight),
            fixes_queued=result.fixes_queued,
            fixed=fixed,
            report=json.dumps([asdict(d) for d in result.drifts[:REPORT_MAX]]),
        )
    )
    session.commit()


def last_run(session: Session) -> tuple[ReconcileRun | None, list[dict[str, Any]]]:
    """The newest run and its differences, for the admin's page."""
    run = session.execute(
        select(ReconcileRun).order_by(ReconcileRun.id.desc()).limit(1)
    ).scalar_one_or_none()
    if run is None:
        return None, []
    try:
        rows = json.loads(run.report)
    except ValueError:
        rows = []
    return run, rows if isinstance(rows, list) else []
