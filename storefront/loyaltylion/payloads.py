"""Pure functions from plain data to the bodies LoyaltyLion documents.

Nothing here knows the store: the adapter turns its rows into the small dataclasses
below. Money enters as integer cents and leaves as a plain decimal string ("1234.50"),
never a number, never with a thousands separator (a real bug in one official module).

Docs: https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
      https://developers.loyaltylion.com/api-reference/v2/resources/orders/create-order
      https://developers.loyaltylion.com/api-reference/v2/resources/orders/update-order
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

SIGNUP = "$signup"

PAYMENT_STATUSES = ("not_paid", "partially_paid", "paid")
REFUND_STATUSES = ("not_refunded", "partially_refunded", "refunded")
CANCELLATION_STATUSES = ("not_cancelled", "cancelled")
ACTIVITY_STATES = ("approved", "declined", "void")


def money(cents: int) -> str:
    """1234_50 -> "1234.50". Integer arithmetic only."""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def iso8601(moment: datetime) -> str:
    """UTC, second precision, with a Z: 2026-11-25T18:30:00Z. Naive datetimes are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Customer:
    """The store's customer identity: the same id everywhere, forever."""

    id: int | str
    email: str


@dataclass(frozen=True)
class Shopper:
    """What we knew of the shopper's browser; LoyaltyLion uses it for referrals and fraud."""

    ip_address: str | None = None
    user_agent: str | None = None
    referral_id: str | None = None  # ?ll_ref_id= from a referral link
    tracking_id: str | None = None  # ?ll_eid= from a LoyaltyLion email


@dataclass(frozen=True)
class DiscountCode:
    code: str
    amount_cents: int


@dataclass(frozen=True)
class OrderSnapshot:
    merchant_id: str
    number: str
    customer: Customer
    date: datetime
    total_cents: int  # after shipping, tax and discounts
    shipping_cents: int
    paid_cents: int
    refunded_cents: int
    payment_status: str
    refund_status: str
    cancellation_status: str
    discount_codes: tuple[DiscountCode, ...] = field(default_factory=tuple)
    shopper: Shopper = field(default_factory=Shopper)
    guest: bool = False


def _shopper_fields(shopper: Shopper | None) -> dict[str, Any]:
    if shopper is None:
        return {}
    fields = {
        "ip_address": shopper.ip_address,
        "user_agent": shopper.user_agent,
        "referral_id": shopper.referral_id,
        "tracking_id": shopper.tracking_id,
    }
    return {key: value for key, value in fields.items() if value}


def activity(
    name: str,
    customer: Customer,
    *,
    date: datetime,
    merchant_id: str | None = None,
    shopper: Shopper | None = None,
    properties: dict[str, Any] | None = None,
    guest: bool = False,
) -> dict[str, Any]:
    """POST /v2/activities body. `guest` defaults to true at LoyaltyLion, so it is always
    sent: false for account holders."""
    body: dict[str, Any] = {
        "name": name,
        "customer_id": str(customer.id),
        "customer_email": customer.email,
        "date": iso8601(date),
        "guest": guest,
    }
    if merchant_id:
        body["merchant_id"] = merchant_id
    if properties:
        body["properties"] = properties
    body.update(_shopper_fields(shopper))
    return body


def signup_activity(customer: Customer, *, date: datetime, shopper: Shopper | None = None) -> dict:
    """The `$signup` activity. Its merchant_id makes a repeated delivery recognisable."""
    return activity(
        SIGNUP, customer, date=date, merchant_id=f"signup-{customer.id}", shopper=shopper
    )


def customer_update(*, birthday: date) -> dict[str, Any]:
    """PATCH /v2/customers/{merchant_id} body: the birthday as "YYYY-MM-DD".

    The docs type `birthday` as a string (no null): a birthday can be set or changed,
    never cleared through the API.
    https://developers.loyaltylion.com/api-reference/v2/resources/customers/update-customer
    """
    if not isinstance(birthday, date):
        raise TypeError("birthday must be a date: LoyaltyLion cannot be told to clear one")
    return {"customer": {"birthday": birthday.isoformat()}}


def activity_state(state: str) -> dict[str, str]:
    """PUT /v2/activities/{name}/{merchant_id} body."""
    if state not in ACTIVITY_STATES:
        raise ValueError(f"activity state must be one of {ACTIVITY_STATES}")
    return {"state": state}


def _check_statuses(order: OrderSnapshot) -> None:
    if order.payment_status not in PAYMENT_STATUSES:
        raise ValueError(f"payment_status {order.payment_status!r}")
    if order.refund_status not in REFUND_STATUSES:
        raise ValueError(f"refund_status {order.refund_status!r}")
    if order.cancellation_status not in CANCELLATION_STATUSES:
        raise ValueError(f"cancellation_status {order.cancellation_status!r}")


def order_create(order: OrderSnapshot) -> dict[str, Any]:
    """POST /v2/orders body: every documented field the store knows."""
    _check_statuses(order)
    body: dict[str, Any] = {
        "merchant_id": order.merchant_id,
        "merchant_number": order.number,
        "customer_id": str(order.customer.id),
        "customer_email": order.customer.email,
        "date": iso8601(order.date),
        "total": money(order.total_cents),
        "total_shipping": money(order.shipping_cents),
        "total_paid": money(order.paid_cents),
        "payment_status": order.payment_status,
        # Always an array, one entry per code (Magento 2's module sends a bare object).
        "discount_codes": [
            {"code": dc.code, "amount": money(dc.amount_cents)} for dc in order.discount_codes
        ],
        "guest": order.guest,
    }
    body.update(_shopper_fields(order.shopper))
    return body


def order_update(order: OrderSnapshot) -> dict[str, str]:
    """PUT /v2/orders/{merchant_id} body: the whole current state, so replays are harmless."""
    _check_statuses(order)
    return {
        "payment_status": order.payment_status,
        "refund_status": order.refund_status,
        "cancellation_status": order.cancellation_status,
        "total_paid": money(order.paid_cents),
        "total_refunded": money(order.refunded_cents),
    }
