"""Free gifts from custom rewards: the webhook grants one, the customer's next order carries it.

A customer claims "Free tote bag on your next order" in LoyaltyLion; LoyaltyLion calls
`rewards/store_fulfilment`; we record a Gift; place_order adds it as a $0.00 line.
https://developers.loyaltylion.com/docs/features/custom-rewards
https://developers.loyaltylion.com/api-reference/v2/webhooks/events/rewards-store-fulfilment
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from storefront.extensions import db
from storefront.models import Order, OrderLine, Product, User
from storefront.models._time import utcnow
from storefront.webhooks.models import Gift, WebhookEvent
from storefront.webhooks.service import (
    Outcome,
    ProcessingError,
    handles,
    ignored,
    merchant_id_of,
    processed,
)


@dataclass(frozen=True)
class GiftReward:
    product_slug: str  # an inactive product: given away, never sold (storefront/seed.py)
    title: str  # what the customer's account calls it


# Keyed by the identifier set on each custom reward in LoyaltyLion.
GIFT_REWARDS = {
    "free-gift-next-order": GiftReward(product_slug="lion-tote-bag", title="Free tote bag"),
}


@handles("rewards/store_fulfilment")
def fulfil_store_reward(event: WebhookEvent, payload: dict[str, Any]) -> Outcome:
    if _is_test(payload):
        # Sent when the reward is saved in LoyaltyLion, to check the URL answers 2xx.
        return ignored("Test delivery (the reward was saved in LoyaltyLion): nothing to fulfil.")
    identifier = payload.get("reward_identifier")
    reward = GIFT_REWARDS.get(identifier) if isinstance(identifier, str) else None
    if reward is None:
        # Failed, not ignored: the customer paid points for it. Add the identifier to
        # GIFT_REWARDS (or fulfil it by hand), then retry from the admin.
        raise ProcessingError(f"unknown reward identifier {identifier!r}")
    customer_id = merchant_id_of(payload.get("customer_merchant_id"))
    customer = db.session.get(User, customer_id)
    if customer is None:
        raise ProcessingError(f"no shop customer with id {customer_id} (customer_merchant_id)")
    if customer.closed_at is not None:
        raise ProcessingError(f"customer {customer_id} has closed their account")
    product = db.session.execute(
        select(Product).where(Product.slug == reward.product_slug)
    ).scalar_one_or_none()
    if product is None:
        raise ProcessingError(
            f"gift product {reward.product_slug!r} is missing: run `flask --app storefront seed`"
        )
    event.customer_id = customer.id
    gift = Gift(
        customer_id=customer.id,
        product_id=product.id,
        reward_identifier=identifier,
        title=reward.title,
        webhook_event_id=event.id,
    )
    db.session.add(gift)
    return processed(f"{product.name} granted to customer {customer.id} for their next order.")


def _is_test(payload: dict[str, Any]) -> bool:
    test = payload.get("test", False)
    if test in (True, "true"):
        return True
    if test in (False, "false"):
        return False
    # Neither: fulfilling could hand out a gift for a test, so refuse and let a human look.
    raise ProcessingError(f"`test` must be true or false, not {test!r}")


def pending_gifts(customer_id: int) -> list[Gift]:
    """Gifts granted to the customer and not yet on an order, oldest first."""
    return list(
        db.session.execute(
            select(Gift)
            .options(joinedload(Gift.product))
            .where(Gift.customer_id == customer_id, Gift.order_id.is_(None))
            .order_by(Gift.id)
        ).scalars()
    )


def add_gifts_to_order(order: Order) -> list[Gift]:
    """Put the customer's pending gifts on the order as $0.00 lines, in the caller's
    transaction (place_order's). The order must be flushed: its id is needed.

    Each gift is claimed with a conditional UPDATE, as vouchers are redeemed: of two
    checkouts racing for one gift, the database lets exactly one have it.
    """
    added = []
    for gift in pending_gifts(order.customer_id):
        claimed = db.session.execute(
            update(Gift)
            .where(Gift.id == gift.id, Gift.order_id.is_(None))
            .values(order_id=order.id, fulfilled_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue  # another checkout took it a moment ago
        order.lines.append(
            OrderLine(
                product_id=gift.product_id,
                product_name=gift.product.name,
                unit_price_cents=0,
                quantity=1,
            )
        )
        added.append(gift)
    return added


def order_gifts(order: Order) -> list[Gift]:
    """The gifts that went out with this order."""
    return list(
        db.session.execute(
            select(Gift)
            .options(joinedload(Gift.product))
            .where(Gift.order_id == order.id)
            .order_by(Gift.id)
        ).scalars()
    )


def gift_line_ids(order: Order) -> set[int]:
    """Which of the order's lines are gifts (the $0.00 lines of a gift's product)."""
    products = {gift.product_id for gift in order_gifts(order)}
    return {
        line.id
        for line in order.lines
        if line.product_id in products and line.unit_price_cents == 0
    }
