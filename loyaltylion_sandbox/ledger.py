"""The append-only points ledger, and the manual points endpoints.

How balances follow state: every source of points (an order's purchase points, a
referral, an activity) has a *target* -- how many points it should be worth right
now, pending or approved -- derived from its current state. `reconcile` compares
the target with what the ledger already holds for that source and appends only
the difference. Replaying the same order update therefore appends nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select

from loyaltylion_sandbox.customers import balances
from loyaltylion_sandbox.db import db
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.models import Customer, LedgerEntry, Order


def current(customer_id: int, kind: str, order_id: int | None, activity_id: int | None):
    stmt = select(LedgerEntry.state, func.sum(LedgerEntry.points)).where(
        LedgerEntry.customer_id == customer_id, LedgerEntry.kind == kind
    )
    stmt = stmt.where(
        LedgerEntry.order_id.is_(None) if order_id is None else LedgerEntry.order_id == order_id
    )
    stmt = stmt.where(
        LedgerEntry.activity_id.is_(None)
        if activity_id is None
        else LedgerEntry.activity_id == activity_id
    )
    sums = dict(db.session.execute(stmt.group_by(LedgerEntry.state)).all())
    return int(sums.get("pending", 0)), int(sums.get("approved", 0)), int(sums.get("void", 0))


def reconcile(
    customer_id: int,
    kind: str,
    *,
    pending: int,
    approved: int,
    reason: str,
    order_id: int | None = None,
    activity_id: int | None = None,
) -> list[LedgerEntry]:
    """Append the ledger rows that bring one source of points to its target.

    The `void` bucket records points that were granted and later taken away
    (refund, cancellation, declined review); it only grows and counts in no balance.
    """
    cur_pending, cur_approved, cur_void = current(customer_id, kind, order_id, activity_id)
    removed = max(0, (cur_pending + cur_approved) - (pending + approved))
    targets = (
        ("pending", pending, cur_pending),
        ("approved", approved, cur_approved),
        ("void", cur_void + removed, cur_void),
    )
    rows = [
        LedgerEntry(
            customer_id=customer_id,
            kind=kind,
            points=new - old,
            state=state,
            order_id=order_id,
            activity_id=activity_id,
            reason=reason,
        )
        for state, new, old in targets
        if new != old
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def order_points(order: Order) -> dict[str, int]:
    """What the order's purchase points stand at now (the ledger for this order)."""
    pending, approved, void = current(order.customer_id, "purchase", order.id, None)
    return {"pending": pending, "approved": approved, "void": void}


def add_points(customer: Customer, points: int, reason: str | None) -> LedgerEntry:
    entry = LedgerEntry(
        customer_id=customer.id,
        kind="points_added",
        points=points,
        state="approved",
        reason=reason or "Points added through the Admin API",
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def remove_points(customer: Customer, points: int, reason: str | None) -> LedgerEntry:
    have = balances(customer).approved
    if points > have:
        raise SandboxError(
            422,
            f"Customer {customer.merchant_id} has only {have} approved points",
            {"points": [f"cannot remove {points}: only {have} approved points"]},
        )
    entry = LedgerEntry(
        customer_id=customer.id,
        kind="points_removed",
        points=-points,
        state="approved",
        reason=reason or "Points removed through the Admin API",
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def ledger(customer: Customer, limit: int | None = None) -> list[LedgerEntry]:
    stmt = (
        select(LedgerEntry)
        .where(LedgerEntry.customer_id == customer.id)
        .order_by(LedgerEntry.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.execute(stmt).scalars())
