"""Template filters and the values every page needs."""

from __future__ import annotations

from flask import Flask, current_app

from storefront import gifts
from storefront.extensions import db
from storefront.models import LoyaltySnapshot
from storefront.money import format_money
from storefront.vouchers.service import unused_claimed_codes


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("money")
    def money_filter(cents: int | None) -> str:
        return format_money(cents or 0, current_app.config["CURRENCY"])

    @app.template_filter("status_label")
    def status_label(value: str) -> str:
        return value.replace("_", " ").capitalize()

    app.add_template_global(gifts.order_gifts, "order_gifts")
    app.add_template_global(gifts.gift_line_ids, "gift_line_ids")
    # Codes LoyaltyLion gave the customer and they have not used (Rewards, account).
    app.add_template_global(unused_claimed_codes, "reward_codes")

    @app.template_global()
    def loyalty_extras(customer_id: int) -> dict:
        """The account page's loyalty panel: the status last reported, gifts waiting."""
        return {
            "snapshot": db.session.get(LoyaltySnapshot, customer_id),
            "gifts": gifts.pending_gifts(customer_id),
        }

    @app.context_processor
    def shop_globals() -> dict:
        from storefront.cart.service import cart_quantity

        return {
            "store_name": current_app.config["STORE_NAME"],
            "cart_quantity": cart_quantity(),
        }
