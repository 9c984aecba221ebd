"""Pricing a cart and placing an order: one transaction, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from storefront import events
from storefront.cart.service import empty_cart
from storefront.extensions import db
from storefront.models import Cart, Order, OrderDiscount, OrderLine, User
from storefront.orders.service import refresh_statuses
from storefront.security import RequestContext
from storefront.vouchers.service import AppliedVoucher, VoucherError, check_code, redeem
from storefront.webhooks.gifts import add_gifts_to_order, pending_gifts
from storefront.webhooks.models import Gift

PAYMENT_METHODS = {
    "card": "Pay now with a test card",
    "invoice": "Pay later by invoice",
}


class CheckoutError(ValueError):
    pass


@dataclass
class Quote:
    """What the shopper will pay, computed from the server's prices only."""

    subtotal_cents: int
    shipping_cents: int
    voucher: AppliedVoucher | None = None
    voucher_error: VoucherError | None = None
    lines: list = field(default_factory=list)
    # Free gifts from loyalty rewards that the order will carry as $0.00 lines.
    gifts: list[Gift] = field(default_factory=list)

    @property
    def discount_cents(self) -> int:
        return self.voucher.discount_for(self.subtotal_cents) if self.voucher else 0

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents - self.discount_cents + self.shipping_cents


def shipping_for(subtotal_cents: int) -> int:
    """Flat fee, free from the threshold up (judged on merchandise before discounts)."""
    if subtotal_cents == 0:
        return 0
    if subtotal_cents >= current_app.config["FREE_SHIPPING_THRESHOLD_CENTS"]:
        return 0
    return current_app.config["SHIPPING_FLAT_CENTS"]


def quote(cart: Cart | None, code: str | None = None) -> Quote:
    lines = [item for item in (cart.items if cart else []) if item.product.is_active]
    subtotal = sum(item.product.price_cents * item.quantity for item in lines)
    result = Quote(subtotal_cents=subtotal, shipping_cents=shipping_for(subtotal), lines=lines)
    if cart is not None and cart.user_id is not None:
        result.gifts = pending_gifts(cart.user_id)
    if code:
        try:
            result.voucher = check_code(code, subtotal)
        except VoucherError as error:
            result.voucher_error = error
    return result


@dataclass(frozen=True)
class ShippingDetails:
    name: str
    address: str
    city: str
    postcode: str
    country: str


def place_order(
    *,
    customer: User,
    cart: Cart,
    code: str | None,
    shipping: ShippingDetails,
    payment_method: str,
    context: RequestContext,
) -> Order:
    """Create the order and its lines, redeem the code, add any free gifts, empty the
    cart: one transaction.

    Raises CheckoutError or VoucherError (nothing written) when the order cannot be placed.
    """
    if payment_method not in PAYMENT_METHODS:
        raise CheckoutError("Choose how you would like to pay.")
    priced = quote(cart, code)
    if not priced.lines:
        raise CheckoutError("Your cart is empty.")
    if priced.voucher_error:
        raise priced.voucher_error
    try:
        order = Order(
            customer_id=customer.id,
            customer_email=customer.email,
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
            referral_id=context.referral_id,
            tracking_id=context.tracking_id,
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
        db.session.flush()  # the order id, for the voucher and the events
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
        events.order_placed.send(current_app._get_current_object(), order=order, context=context)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return order


__all__ = [
    "PAYMENT_METHODS",
    "CheckoutError",
    "Quote",
    "ShippingDetails",
    "place_order",
    "quote",
]
