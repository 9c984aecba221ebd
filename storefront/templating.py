"""Template filters and the values every page needs."""

from __future__ import annotations

from flask import Flask, current_app

from storefront.money import format_money


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("money")
    def money_filter(cents: int | None) -> str:
        return format_money(cents or 0, current_app.config["CURRENCY"])

    @app.template_filter("status_label")
    def status_label(value: str) -> str:
        return value.replace("_", " ").capitalize()

    @app.context_processor
    def shop_globals() -> dict:
        from storefront.cart.service import cart_quantity

        return {
            "store_name": current_app.config["STORE_NAME"],
            "cart_quantity": cart_quantity(),
        }
