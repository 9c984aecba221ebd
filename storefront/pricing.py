"""What a cart costs: the server's prices, shipping, a voucher, and any free gifts.

The cart page shows a quote and the checkout places an order from one; both reach it
here, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from storefront.gifts import pending_gifts
from storefront.models import Cart, Gift
from storefront.vouchers.service import AppliedVoucher, VoucherError, check_code


@dataclass
class Quote:
    """What the shopper will pay, computed from the server's prices only."""

    subtotal_cents: int
    shipping_cents: int
    voucher: AppliedVoucher | None = None
    voucher_error: VoucherError | None = None
    lines: list = field(default_factory=list)
    # Free gifts the order will carry as $0.00 lines.
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
