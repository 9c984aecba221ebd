"""Placing an order: one transaction, all or nothing (the price comes from pricing.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storefront import events
from storefront.cart.service import empty_cart
from storefront.extensions import db
from storefront.gifts import add_gifts_to_order
from storefront.models import Cart, Order, OrderDiscount, OrderLine, User
from storefront.orders.service import refresh_statuses
from storefront.pricing import Quote, quote
from storefront.shopper import RequestContext
from storefront.vouchers.service import redeem

PAYMENT_METHODS = {
    "card": "Pay now with a test card",
    "invoice": "Pay later by invoice",
}


class CheckoutError(ValueError):
    pass


class AlreadyPlaced(Exception):
    """This checkout attempt placed an order already (a double click, a second tab)."""

    def __init__(self, order: Order) -> None:
        super().__init__(f"order {order.id} was placed by this checkout attempt")
        self.order = order


def order_for_attempt(customer: User | None, attempt: str) -> Order | None:
    """The order this checkout attempt placed: the customer's, or (customer None) a
    guest's. The attempt token is a secret of the shopper's session."""
    owner = (
        Order.customer_id == customer.id
        if customer is not None
        else (Order.customer_id.is_(None) & Order.guest.is_(True))
    )
    return db.session.execute(
        select(Order).where(Order.checkout_token == attempt, owner)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class ShippingDetails:
    name: str
    address: str
    city: str
    postcode: str
    country: str


def place_order(
    *,
    customer: User | None,
    cart: Cart,
    code: str | None,
    shipping: ShippingDetails,
    payment_method: str,
    context: RequestContext,
    attempt: str,
    guest_email: str | None = None,
) -> Order:
    """Create the order and its lines, redeem the code, add any free gifts, empty the
    cart: one transaction. `customer` None is a guest's checkout, with `guest_email`.

    `attempt` is the checkout form's token. If an order was placed with it already, or
    one is being placed with it at this moment, this raises AlreadyPlaced with that
    order: the order row goes in first, and the unique token lets only one in.
    Raises CheckoutError or VoucherError (nothing written) when the order cannot be placed.
    """
    placed = order_for_attempt(customer, attempt)
    if placed is not None:
        raise AlreadyPlaced(placed)
    if customer is None and not guest_email:
        raise CheckoutError("Enter your email address: we send the order confirmation there.")
    if payment_method not in PAYMENT_METHODS:
        raise CheckoutError("Choose how you would like to pay.")
    priced = quote(cart, code)
    if not priced.lines:
        placed = order_for_attempt(customer, attempt)  # emptied by a twin of this submit?
        if placed is not None:
            raise AlreadyPlaced(placed)
        raise CheckoutError("Your cart is empty.")
    if priced.voucher_error:
        raise priced.voucher_error
    try:
        email = customer.email if customer is not None else User.normalize_email(guest_email)
        return _place(customer, email, cart, priced, shipping, payment_method, context, attempt)
    except IntegrityError:
        placed = order_for_attempt(customer, attempt)
        if placed is None:
            raise
        raise AlreadyPlaced(placed) from None


def _place(
    customer: User | None,
    email: str,
    cart: Cart,
    priced: Quote,
    shipping: ShippingDetails,
    payment_method: str,
    context: RequestContext,
    attempt: str,
) -> Order:
    with events.commit_announcing() as announce:
        order = Order(
            customer_id=customer.id if customer is not None else None,
            customer_email=email,
            guest=customer is None,
            ship_name=shipping.name,
            ship_address=shipping.address,
            ship_city=shipping.city,
            ship_postcode=shipping.postcode,
            ship_country=shipping.country,
            subtotal_cents=priced.subtotal_cents,
            discount_cents=priced.discount_cents,
            shipping_cents=priced.shipping_cents,
            total_cents=priced.total_cents,
            payment_method=payment_method,
            ip_address=context.ip_address,
            user_agent=context.user_agent,
            checkout_token=attempt,
        )
        order.lines = [
            OrderLine(
                product_id=item.product.id,
                product_name=item.product.name,
                unit_price_cents=item.product.price_cents,
                quantity=item.quantity,
            )
            for item in priced.lines
        ]
        if payment_method == "card":
            # The simulated card is always approved for the full amount.
            order.total_paid_cents = priced.total_cents
        refresh_statuses(order)
        db.session.add(order)
        # The order id, for the voucher and the events. A concurrent submit of the same
        # attempt fails here, on the token, before it redeems or empties anything.
        db.session.flush()
        if priced.voucher:
            redeem(priced.voucher, order.id)
            order.discounts.append(
                OrderDiscount(
                    code=priced.voucher.code,
                    face_value_cents=priced.voucher.face_value_cents,
                    amount_cents=priced.discount_cents,
                )
            )
        # Gifts from loyalty rewards ride along at $0.00, claimed in this transaction:
        # if the order fails, they stay for the next one.
        add_gifts_to_order(order)
        empty_cart(cart)
        announce(events.order_placed, order=order, context=context)
    return order


__all__ = [
    "PAYMENT_METHODS",
    "AlreadyPlaced",
    "CheckoutError",
    "ShippingDetails",
    "place_order",
]
