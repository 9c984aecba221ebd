"""Orders: what each earns, and how refunds, cancellations and referrals move it.

https://developers.loyaltylion.com/api-reference/v2/resources/orders/create-order
https://developers.loyaltylion.com/api-reference/v2/resources/orders/update-order
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import select

from loyaltylion_sandbox import program_settings
from loyaltylion_sandbox.customers import apply_referral, enroll, ensure_customer
from loyaltylion_sandbox.db import db, utcnow
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.ledger import reconcile
from loyaltylion_sandbox.models import Customer, Order
from loyaltylion_sandbox.rewards import mark_codes_used


def _has_orders(customer: Customer) -> bool:
    stmt = (
        select(Order.id)
        .where(Order.customer_id == customer.id, Order.forgotten_at.is_(None))
        .limit(1)
    )
    return db.session.execute(stmt).first() is not None


def _money(value: str | None) -> Decimal:
    return Decimal(value) if value is not None else Decimal("0")


def paid_amount(order: Order) -> Decimal:
    if order.total_paid is not None:
        return _money(order.total_paid)
    # Not sent on create: a paid order is taken as paid in full.
    return _money(order.total) if order.payment_status == "paid" else Decimal("0")


def purchase_points_for(total: str, total_shipping: str) -> int:
    """Points for (total - total_shipping), per whole currency unit."""
    return _points_for_spend(_money(total) - _money(total_shipping))


def _points_for_spend(spend: Decimal) -> int:
    rate = program_settings.current()["purchase_points_per_unit"]
    units = int(spend.to_integral_value(rounding=ROUND_FLOOR)) if spend > 0 else 0
    return units * rate


def _purchase_target(order: Order) -> tuple[int, int]:
    """What the order's purchase points are worth now, (pending, approved).

    Refunds take off the points for the amount refunded, not a share of them: "Customer
    A refunds one of the two items. LoyaltyLion deducts ($10 * 1 point/dollar)"; a full
    refund removes them all.
    https://help.loyaltylion.com/en/articles/1965601-refunds-and-returns-on-purchased-products
    The sandbox counts the refund against the spend the points were earned on (total
    minus shipping), whole units, so what is left earns what the same spend would earn
    in a new order.
    """
    base = order.purchase_points
    if base <= 0 or order.cancellation_status == "cancelled":
        return 0, 0
    if order.refund_status == "refunded":
        kept = 0
    else:
        spend = _money(order.total) - _money(order.total_shipping)
        kept = min(base, _points_for_spend(spend - _money(order.total_refunded)))
    return (0, kept) if order.payment_status == "paid" else (kept, 0)


def _referral_target(order: Order) -> tuple[int, int]:
    # The referrer earns once the referred customer's first order is paid, and
    # loses it again if that order is cancelled or fully refunded.
    if order.referral_points <= 0:
        return 0, 0
    if (
        order.payment_status != "paid"
        or order.cancellation_status == "cancelled"
        or order.refund_status == "refunded"
    ):
        return 0, 0
    return 0, order.referral_points


def _order_reason(order: Order) -> str:
    parts = [order.payment_status.replace("_", " ")]
    if order.refund_status != "not_refunded":
        parts.append(f"{order.refund_status.replace('_', ' ')} {order.total_refunded}")
    if order.cancellation_status == "cancelled":
        parts.append("cancelled")
    return f"Order {order.merchant_number or order.merchant_id}: " + ", ".join(parts)


def reconcile_order(order: Order) -> None:
    """Bring the order's purchase and referral points to what its state says now."""
    reason = _order_reason(order)
    pending, approved = _purchase_target(order)
    reconcile(
        order.customer_id,
        "purchase",
        pending=pending,
        approved=approved,
        order_id=order.id,
        reason=reason,
    )
    if order.referral_points > 0 and order.referrer_id is not None:
        referred = order.placed_by or order.customer.merchant_id
        pending, approved = _referral_target(order)
        reconcile(
            order.referrer_id,
            "referral",
            pending=pending,
            approved=approved,
            order_id=order.id,
            reason=f"Referred {referred}: first order ({reason})",
        )


def get_order(merchant_id: str) -> Order | None:
    return db.session.execute(
        select(Order).where(Order.merchant_id == merchant_id, Order.forgotten_at.is_(None))
    ).scalar_one_or_none()


def require_order(merchant_id: str) -> Order:
    """The order, or the 404 the API and the control routes answer alike."""
    order = get_order(merchant_id)
    if order is None:
        raise SandboxError(404, f"Order {merchant_id} not found", {"merchant_id": ["not found"]})
    return order


def create_order(body: dict[str, Any], site_id: str | None) -> tuple[Order, list[str]]:
    """POST /v2/orders. A second create for the same merchant_id changes nothing."""
    merchant_id = body["merchant_id"]
    if get_order(merchant_id) is not None:
        raise SandboxError(
            400,
            f"An order with merchant_id {merchant_id} already exists",
            {"merchant_id": ["already exists"]},
        )
    warnings: list[str] = []
    customer = ensure_customer(body["customer_id"], body["customer_email"], source="order")
    # No documented default for `guest` on orders: left out = an account holder.
    guest = body.get("guest")
    if guest is not True:
        enroll(customer)
    elif customer.enrolled:
        # Sandbox choice (docs silent): the customer_id names an enrolled account, so
        # the order is that account's and earns as usual; the flag is only noted.
        warnings.append(
            f"guest is true but customer {customer.merchant_id} is an enrolled account: "
            "the order earns points as theirs"
        )
    first_order = not _has_orders(customer)
    notes = []
    if first_order:
        note = apply_referral(customer, body.get("referral_id"))
        if note:
            notes.append(note)
    elif body.get("referral_id"):
        notes.append("referral_id ignored: not the customer's first order")

    order = Order(
        merchant_id=merchant_id,
        customer_id=customer.id,
        customer_email=body["customer_email"],
        merchant_number=body.get("merchant_number") or body.get("number"),
        total=body["total"],
        total_shipping=body["total_shipping"],
        total_paid=body.get("total_paid"),
        payment_status=body["payment_status"],
        discount_codes=body.get("discount_codes", []),
        claimed_reward_ids=body.get("claimed_reward_ids", []),
        date=body.get("date"),
        ip_address=body.get("ip_address"),
        user_agent=body.get("user_agent"),
        referral_id=body.get("referral_id"),
        tracking_id=body.get("tracking_id"),
        guest=guest,
        site_id=site_id,
    )
    order.purchase_points = (
        purchase_points_for(order.total, order.total_shipping) if customer.enrolled else 0
    )
    if not customer.enrolled:
        order.guest_order = True
        notes.append("guest order: no points (a $signup with the same email may link it)")
    referred = first_order and customer.referred_by_id is not None
    order.referral_points = program_settings.current()["referral_points"] if referred else 0
    order.referrer_id = customer.referred_by_id if referred else None
    order.notes = "; ".join(notes)
    db.session.add(order)
    db.session.flush()

    warnings += _order_warnings(order)
    warnings += mark_codes_used(order)
    reconcile_order(order)
    return order, warnings


def update_order(merchant_id: str, body: dict[str, Any]) -> tuple[Order, list[str]]:
    """PUT /v2/orders/{merchant_id}: the order's whole current state, idempotent."""
    order = get_order(merchant_id)
    if order is None:
        raise SandboxError(
            404,
            f"Order {merchant_id} not found: create it with POST /v2/orders first",
            {"merchant_id": ["not found"]},
        )
    fields = (
        "payment_status",
        "refund_status",
        "cancellation_status",
        "total_paid",
        "total_refunded",
    )
    changed = any(getattr(order, name) != body[name] for name in fields)
    for name in fields:
        setattr(order, name, body[name])
    order.update_count += 1
    if changed:
        order.updated_at = utcnow()
    db.session.flush()
    reconcile_order(order)
    return order, _order_warnings(order)


def _order_warnings(order: Order) -> list[str]:
    """Contract-valid but suspicious states, shown in the request log."""
    warnings = []
    paid, refunded = paid_amount(order), _money(order.total_refunded)
    if _money(order.total_shipping) > _money(order.total):
        warnings.append("total_shipping is larger than total (total includes shipping)")
    if refunded > paid:
        warnings.append(f"total_refunded {order.total_refunded} exceeds total paid {paid}")
    if order.refund_status == "refunded" and refunded == 0:
        warnings.append("refund_status is 'refunded' but total_refunded is 0")
    if order.refund_status == "not_refunded" and refunded > 0:
        warnings.append("total_refunded is set but refund_status is 'not_refunded'")
    if (
        order.payment_status == "paid"
        and order.total_paid is not None
        and paid < _money(order.total)
    ):
        warnings.append(f"payment_status is 'paid' but total_paid {paid} < total {order.total}")
    return warnings
