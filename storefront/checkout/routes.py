"""Checkout: review the cart, apply or remove a discount code, place the order."""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from storefront.cart.service import current_cart
from storefront.checkout import service
from storefront.checkout.forms import DiscountCodeForm, PlaceOrderForm, RemoveCodeForm
from storefront.extensions import db
from storefront.models import Order
from storefront.pricing import quote
from storefront.ratelimits import limit_discount_codes
from storefront.shopper import RequestContext
from storefront.vouchers.service import VoucherError, normalize_code

bp = Blueprint("checkout", __name__, url_prefix="/checkout")
log = logging.getLogger(__name__)

_CODE_KEY = "discount_code"
_ATTEMPT_KEY = "checkout_attempt"


def _attempt() -> str:
    """This checkout's token: the same in every tab of the session until an order is
    placed with it, so a second tab or a double click cannot place a second order."""
    if not isinstance(session.get(_ATTEMPT_KEY), str):
        session[_ATTEMPT_KEY] = secrets.token_urlsafe(24)
    return session[_ATTEMPT_KEY]


def _confirmation(order: Order):
    return redirect(url_for("checkout.confirmation", order_id=order.id), 303)


def _render(place_form=None, code_form=None, status: int = 200):
    cart = current_cart()
    priced = quote(cart, session.get(_CODE_KEY))
    if priced.voucher_error and status == 200:
        # The code stopped working since it was applied (used elsewhere, expired, or
        # the cart shrank below its minimum): say so and drop it.
        flash(priced.voucher_error.message, "error")
        session.pop(_CODE_KEY, None)
        priced = quote(cart)
    if place_form is None:
        place_form = PlaceOrderForm()
        if not place_form.is_submitted() and current_user.name:
            place_form.name.data = current_user.name
    place_form.attempt.data = _attempt()
    return (
        render_template(
            "checkout/checkout.html",
            quote=priced,
            place_form=place_form,
            code_form=code_form or DiscountCodeForm(formdata=None),
            remove_form=RemoveCodeForm(formdata=None),
        ),
        status,
    )


@bp.route("/", methods=["GET"])
@login_required
def review():
    cart = current_cart()
    if cart is None or not cart.items:
        flash("Your cart is empty.", "info")
        return redirect(url_for("cart.view"))
    return _render()


@bp.route("/discount", methods=["POST"])
@login_required
@limit_discount_codes
def apply_code():
    form = DiscountCodeForm()
    if not form.validate_on_submit():
        return _render(code_form=form, place_form=PlaceOrderForm(formdata=None), status=400)
    cart = current_cart()
    priced = quote(cart, form.code.data)
    if priced.voucher_error:
        form.code.errors.append(priced.voucher_error.message)
        return _render(code_form=form, place_form=PlaceOrderForm(formdata=None), status=400)
    session[_CODE_KEY] = priced.voucher.code
    flash(f"Discount code {priced.voucher.code} applied.", "success")
    return redirect(url_for("checkout.review"))


@bp.route("/discount/remove", methods=["POST"])
@login_required
def remove_code():
    form = RemoveCodeForm()
    if form.validate_on_submit():
        session.pop(_CODE_KEY, None)
        flash("Discount code removed.", "info")
    return redirect(url_for("checkout.review"))


@bp.route("/", methods=["POST"])
@login_required
def place():
    form = PlaceOrderForm()
    if not form.validate_on_submit():
        return _render(place_form=form, status=400)
    # Submitted again (a double click, a second tab, the back button): the order it
    # placed, not an error and not a second order.
    placed = service.order_for_attempt(current_user, form.attempt.data)
    if placed is not None:
        return _confirmation(placed)
    cart = current_cart()
    if cart is None or not cart.items:
        # Emptied a moment ago by a twin of this submit that placed the order?
        placed = service.order_for_attempt(current_user, form.attempt.data)
        if placed is not None:
            return _confirmation(placed)
        flash("Your cart is empty.", "error")
        return redirect(url_for("cart.view"))
    code = session.get(_CODE_KEY)
    try:
        order = service.place_order(
            customer=current_user,
            cart=cart,
            code=normalize_code(code) if code else None,
            shipping=service.ShippingDetails(
                name=form.name.data.strip(),
                address=form.address.data.strip(),
                city=form.city.data.strip(),
                postcode=form.postcode.data.strip().upper(),
                country=form.country.data,
            ),
            payment_method=form.payment_method.data,
            context=RequestContext.from_request(request),
            attempt=form.attempt.data,
        )
    except service.AlreadyPlaced as placed_meanwhile:
        return _confirmation(placed_meanwhile.order)
    except VoucherError as error:
        session.pop(_CODE_KEY, None)
        flash(error.message, "error")
        return _render(place_form=form, status=409)
    except service.CheckoutError as error:
        flash(str(error), "error")
        return _render(place_form=form, status=400)
    session.pop(_CODE_KEY, None)
    session.pop(_ATTEMPT_KEY, None)  # the next checkout is a new attempt
    log.info("order %s placed by customer %s", order.id, order.customer_id)
    return redirect(url_for("checkout.confirmation", order_id=order.id))


# Ids are 32-bit `integer` columns: a longer number is a 404, not a database error.
@bp.route("/confirmation/<int(max=2147483647):order_id>")
@login_required
def confirmation(order_id: int):
    order = db.session.get(Order, order_id)
    if order is None or order.customer_id != current_user.id:
        abort(404)
    return render_template("checkout/confirmation.html", order=order)
