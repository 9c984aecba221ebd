"""The cart page and its three actions: add, change quantity, remove."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from storefront.cart import service
from storefront.cart.forms import (
    AddToCartForm,
    RemoveItemForm,
    UpdateQuantityForm,
    parse_product_id,
)
from storefront.extensions import db
from storefront.forms import Form
from storefront.models import Product
from storefront.pricing import quote

bp = Blueprint("cart", __name__, url_prefix="/cart")


def _first_error(form: Form) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return "Please check the form and try again."


def _render_cart(status: int = 200):
    cart = service.current_cart()
    # A code in the cart (a reward just claimed, say) is shown with its saving; one
    # that no longer fits is left for checkout to explain.
    held = service.held_code()
    priced = quote(cart, held)
    return render_template("cart/cart.html", cart=cart, quote=priced, held_code=held), status


@bp.route("/")
def view():
    return _render_cart()


@bp.route("/add", methods=["POST"])
def add():
    form = AddToCartForm()
    product_id = parse_product_id(form.product_id.data)
    if not form.validate_on_submit():
        # A bad quantity for a real product: show its page again with the message.
        product = db.session.get(Product, product_id) if product_id is not None else None
        if product is None or not product.is_active:
            flash(_first_error(form), "error")
            return _render_cart(400)
        return render_template("shop/product.html", product=product, form=form), 400
    try:
        item = service.add_item(product_id, form.quantity.data)
    except service.CartError as error:
        flash(str(error), "error")
        return _render_cart(400)
    flash(f"Added {item.product.name} to your cart.", "success")
    return redirect(url_for("cart.view"))


@bp.route("/update", methods=["POST"])
def update():
    form = UpdateQuantityForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _render_cart(400)
    try:
        service.set_quantity(parse_product_id(form.product_id.data), form.quantity.data)
    except service.CartError as error:
        flash(str(error), "error")
        return _render_cart(400)
    flash("Your cart was updated.", "success")
    return redirect(url_for("cart.view"))


@bp.route("/remove", methods=["POST"])
def remove():
    form = RemoveItemForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _render_cart(400)
    try:
        service.set_quantity(parse_product_id(form.product_id.data), 0)
    except service.CartError as error:
        flash(str(error), "error")
        return _render_cart(400)
    flash("The item was removed from your cart.", "success")
    return redirect(url_for("cart.view"))
