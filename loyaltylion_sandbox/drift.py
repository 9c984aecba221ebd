"""Orders changed or lost on LoyaltyLion's side, for the store's reconcile tests.

A merchant can edit an order in LoyaltyLion's own admin, and LoyaltyLion can miss an
order the store sent; nothing tells the store. These put the sandbox in that state
(control routes `POST /_sandbox/orders/<merchant_id>/drift` and
`DELETE /_sandbox/orders/<merchant_id>`). The docs describe neither: what follows
is the sandbox's.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from loyaltylion_sandbox.constants import (
    CANCELLATION_STATUSES,
    PAYMENT_STATUSES,
    REFUND_STATUSES,
)
from loyaltylion_sandbox.db import db, utcnow
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.ledger import reconcile
from loyaltylion_sandbox.models import ClaimedReward, LedgerEntry, Order
from loyaltylion_sandbox.orders import reconcile_order
from loyaltylion_sandbox.schemas import MONEY, MONEY_PATTERN

# The values the Admin API accepts for these fields (update order, create order).
# https://developers.loyaltylion.com/api-reference/v2/resources/orders/update-order
_ENUMS = {
    "payment_status": PAYMENT_STATUSES,
    "refund_status": REFUND_STATUSES,
    "cancellation_status": CANCELLATION_STATUSES,
}
_MONEY = ("total", "total_paid", "total_refunded")
DRIFT_FIELDS = (*_ENUMS, *_MONEY)


def _problems(patch: Any) -> dict[str, list[str]]:
    if not isinstance(patch, dict) or not patch:
        return {"body": [f"must be a JSON object with any of {', '.join(DRIFT_FIELDS)}"]}
    errors: dict[str, list[str]] = {}
    for key, value in patch.items():
        if key in _ENUMS:
            if value not in _ENUMS[key]:
                errors[key] = [f"must be one of {', '.join(_ENUMS[key])} (got {value!r})"]
        elif key in _MONEY:
            if not isinstance(value, str) or not re.match(MONEY_PATTERN, value):
                errors[key] = [f"must be {MONEY['x-hint']} (got {value!r})"]
        else:
            errors[key] = [f"cannot be drifted (only {', '.join(DRIFT_FIELDS)})"]
    return errors


def drift_order(order: Order, patch: Any) -> Order:
    """Set fields as LoyaltyLion's admin would, bump `updated_at`, re-reconcile points.

    Not an Admin API update: `update_count` stays. The purchase points the order was
    worth when received stay too, so a higher `total` earns no more than that.
    """
    errors = _problems(patch)
    if errors:
        raise SandboxError(400, "Invalid drift: check " + ", ".join(sorted(errors)), errors)
    for key, value in patch.items():
        setattr(order, key, value)
    order.updated_at = utcnow()
    changes = ", ".join(f"{key}={value}" for key, value in patch.items())
    order.notes = "; ".join(part for part in (order.notes, f"drifted: {changes}") if part)
    db.session.flush()
    reconcile_order(order)
    return order


def forget_order(order: Order) -> None:
    """As if LoyaltyLion never received the order: its points come back off (new void
    rows: the ledger stays append-only), reward codes it marked used are unused again,
    and it is hidden everywhere, under a new merchant_id so the store can re-create it.
    The customer it created, and that customer's enrolment and referrer, stay.
    """
    sources = db.session.execute(
        select(LedgerEntry.customer_id, LedgerEntry.kind)
        .where(LedgerEntry.order_id == order.id)
        .distinct()
    ).all()
    for customer_id, kind in sources:
        reconcile(
            customer_id,
            kind,
            pending=0,
            approved=0,
            order_id=order.id,
            reason=f"Order {order.merchant_number or order.merchant_id}: forgotten (sandbox)",
        )
    used = db.session.execute(
        select(ClaimedReward).where(ClaimedReward.used_in_order == order.merchant_id)
    ).scalars()
    for claimed in used:
        claimed.used_at = None
        claimed.used_in_order = None
    order.forgotten_at = utcnow()
    order.notes = "; ".join(part for part in (order.notes, "forgotten (sandbox)") if part)
    order.merchant_id = f"forgotten-{order.id}:{order.merchant_id}"
    db.session.flush()
