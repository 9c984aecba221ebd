"""Every change to an order after it is placed goes through one function here.

Each function locks the order, checks what it allows (rules.py), changes it,
recomputes its statuses and announces `events.order_changed` inside the transaction
(the LoyaltyLion outbox listens), then commits. A refused change raises
OrderActionError and rolls back: nothing written, the row lock released.
"""

from __future__ import annotations

from flask import current_app

from storefront import events
from storefront.locking import lock_for_update
from storefront.models import CancellationStatus, Order, PaymentStatus, RefundStatus
from storefront.money import format_money
from storefront.orders.rules import refusal


class OrderActionError(ValueError):
    pass


def refresh_statuses(order: Order) -> None:
    """Derive payment and refund status from the money columns (the single source)."""
    paid = order.total_paid_cents or 0
    refunded = order.total_refunded_cents or 0
    if paid >= order.total_cents:  # also a $0 order: nothing is due
        order.payment_status = PaymentStatus.PAID
    elif paid <= 0:
        order.payment_status = PaymentStatus.NOT_PAID
    else:
        order.payment_status = PaymentStatus.PARTIALLY_PAID
    if refunded <= 0:
        order.refund_status = RefundStatus.NOT_REFUNDED
    elif refunded >= paid:
        order.refund_status = RefundStatus.REFUNDED
    else:
        order.refund_status = RefundStatus.PARTIALLY_REFUNDED


def _announce_change(announce: events.Announce, order: Order, change: str) -> None:
    refresh_statuses(order)
    announce(events.order_changed, order=order, change=change)


def _lock(order: Order) -> None:
    """Re-read the order under its row's write lock (locking.py), so concurrent changes
    to one order run one after the other, each validated against the other's result,
    and their outbox events are numbered in the order the changes happened."""
    lock_for_update(order)


def _require(order: Order, action: str) -> None:
    reason = refusal(order, action)
    if reason:
        raise OrderActionError(reason)


def _require_amount(what: str, amount: int, most: int, most_is: str) -> None:
    if amount <= 0:
        raise OrderActionError(f"The {what} must be more than zero.")
    if amount > most:
        raise OrderActionError(
            f"The {what} ({format_money(amount)}) is more than {most_is} ({format_money(most)})."
        )


def _held_by(order: Order) -> str | None:
    """The outside system that already holds this order's totals, if any."""
    app = current_app._get_current_object()
    held = [name for _, name in events.order_totals_held.send(app, order=order) if name]
    return held[0] if held else None


def _held_edit_problem(order: Order, holder: str, *, total: int, shipping_cents: int) -> str | None:
    """Why an edit cannot be told to `holder`, which knows the order's totals already and
    from now on learns only payments and refunds; None if it can be (a paid order whose
    items are taken off: the difference is refunded)."""
    known = f"{holder} already has order {order.number} at {format_money(order.total_cents)}"
    if shipping_cents != order.shipping_cents:
        return (
            f"{known} and cannot be told a new shipping charge. To give shipping back, refund it."
        )
    if total > order.total_cents:
        return f"{known} and cannot be told a higher total. Place a new order for the extra items."
    if order.total_paid_cents < order.total_cents:
        return (
            f"{known}, and until it is paid in full its total cannot go down ({holder} "
            "learns only payments and refunds). Take the payment first (the difference is "
            "then refunded), or cancel the order and place a new one."
        )
    return None


def edit_order(order: Order, quantities: dict[int, int], shipping_cents: int) -> int:
    """Change line quantities (0 removes a line) and the shipping charge.

    An edit that brings the total below what was paid refunds the difference; returns
    the amount refunded (usually 0). If an outside system already holds the order's
    totals (LoyaltyLion, once it has the order), only edits it can be told are allowed:
    taking items off a paid order, as a refund.
    """
    with events.commit_announcing() as announce:
        _lock(order)
        _require(order, "edit")
        refund_cents = _apply_edit(order, quantities, shipping_cents)
        _announce_change(announce, order, "edited")
    return refund_cents


def _apply_edit(order: Order, quantities: dict[int, int], shipping_cents: int) -> int:
    if shipping_cents < 0:
        raise OrderActionError("Shipping cannot be negative.")
    lines_by_id = {line.id: line for line in order.lines}
    unknown = set(quantities) - set(lines_by_id)
    if unknown:
        raise OrderActionError("The form named a line that is not on this order.")
    if any(q < 0 or q > 999 for q in quantities.values()):
        raise OrderActionError("Quantities must be between 0 and 999.")
    remaining = {lid: quantities.get(lid, line.quantity) for lid, line in lines_by_id.items()}
    if not any(remaining.values()):
        raise OrderActionError("An order needs at least one item; cancel it instead.")

    subtotal = sum(lines_by_id[lid].unit_price_cents * q for lid, q in remaining.items())
    # Codes keep their face value; what they take off never exceeds the merchandise.
    # Computed aside and applied only once every check has passed: a refused edit
    # must leave nothing changed in the session.
    budget = subtotal
    discount_amounts = []
    for entry in order.discounts:
        amount = min(entry.face_value_cents, budget)
        discount_amounts.append(amount)
        budget -= amount
    discount = sum(discount_amounts)
    total = subtotal - discount + shipping_cents
    if all(lines_by_id[lid].quantity == q for lid, q in remaining.items()) and (
        shipping_cents == order.shipping_cents
    ):
        raise OrderActionError("Nothing changed.")
    if total != order.total_cents or shipping_cents != order.shipping_cents:
        holder = _held_by(order)
        problem = holder and _held_edit_problem(
            order, holder, total=total, shipping_cents=shipping_cents
        )
        if problem:
            raise OrderActionError(problem)
    refund_cents = max(order.total_paid_cents - total, 0)
    for entry, amount in zip(order.discounts, discount_amounts, strict=True):
        entry.amount_cents = amount
    for lid, quantity in remaining.items():
        line = lines_by_id[lid]
        if quantity == 0:
            order.lines.remove(line)
        else:
            line.quantity = quantity
    order.subtotal_cents = subtotal
    order.discount_cents = discount
    order.shipping_cents = shipping_cents
    order.total_cents = total
    order.total_refunded_cents += refund_cents
    return refund_cents


def record_payment(order: Order, amount_cents: int) -> None:
    with events.commit_announcing() as announce:
        _lock(order)
        _require(order, "payment")
        _require_amount("payment", amount_cents, order.balance_due_cents, "the balance due")
        order.total_paid_cents += amount_cents
        _announce_change(announce, order, "payment")


def refund(order: Order, amount_cents: int | None = None) -> None:
    """Refund part of what was paid, or everything still refundable when amount is None."""
    with events.commit_announcing() as announce:
        _lock(order)
        _require(order, "refund")
        refundable = order.refundable_cents
        amount = refundable if amount_cents is None else amount_cents
        _require_amount("refund", amount, refundable, "what can be refunded")
        order.total_refunded_cents += amount
        _announce_change(announce, order, "refund")


def cancel(order: Order) -> None:
    """Cancel the order. Money already taken stays until an admin refunds it."""
    with events.commit_announcing() as announce:
        _lock(order)
        _require(order, "cancel")
        order.cancellation_status = CancellationStatus.CANCELLED
        _announce_change(announce, order, "cancelled")
