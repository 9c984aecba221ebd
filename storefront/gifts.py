"""Free gifts: granted to a customer, carried by their next order as a $0.00 line.

What grants them is outside the shop (a LoyaltyLion custom reward: storefront/loyalty.py
calls `grant`); the checkout only adds pending gifts to the order it places.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from storefront.extensions import db
from storefront.models import Gift, Order, OrderLine, Product, User
from storefront.models._time import utcnow


class GiftError(ValueError):
    """The gift cannot be granted as asked; the message says why."""


def grant(customer_id: int, product_slug: str, *, title: str, grant_key: str) -> Gift:
    """Give the customer a gift for their next order, in the caller's transaction.
    `grant_key` names what granted it; a second grant with the same key fails at
    commit (the unique constraint), so a repeated grant never gives two."""
    customer = db.session.get(User, customer_id)
    if customer is None:
        raise GiftError(f"no shop customer with id {customer_id}")
    if customer.closed_at is not None:
        raise GiftError(f"customer {customer_id} has closed their account")
    product = db.session.execute(
        select(Product).where(Product.slug == product_slug)
    ).scalar_one_or_none()
    if product is None:
        raise GiftError(
            f"gift product {product_slug!r} is missing: run `flask --app storefront seed`"
        )
    gift = Gift(customer_id=customer.id, product=product, title=title, grant_key=grant_key)
    db.session.add(gift)
    return gift


def _gifts(*conditions) -> list[Gift]:
    query = select(Gift).options(joinedload(Gift.product)).where(*conditions).order_by(Gift.id)
    return list(db.session.execute(query).scalars())


def pending_gifts(customer_id: int) -> list[Gift]:
    """Gifts granted to the customer and not yet on an order, oldest first."""
    return _gifts(Gift.customer_id == customer_id, Gift.order_id.is_(None))


def add_gifts_to_order(order: Order) -> list[Gift]:
    """Put the customer's pending gifts on the order as $0.00 lines, in the caller's
    transaction (place_order's). The order must be flushed: its id is needed.

    Each gift is claimed with a conditional UPDATE, as vouchers are redeemed: of two
    checkouts racing for one gift, the database lets exactly one have it.
    """
    added = []
    if order.customer_id is None:  # a guest: gifts are rewards for account holders
        return added
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
    return _gifts(Gift.order_id == order.id)


def gift_line_ids(order: Order) -> set[int]:
    """Which of the order's lines are gifts (the $0.00 lines of a gift's product)."""
    products = {gift.product_id for gift in order_gifts(order)}
    return {
        line.id
        for line in order.lines
        if line.product_id in products and line.unit_price_cents == 0
    }
