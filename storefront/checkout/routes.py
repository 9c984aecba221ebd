"""Checkout: review the cart, apply or remove a discount code, place the order.

The page is one form. "Apply", "Remove code" and the offered reward codes submit it to
their own routes (formaction), so whatever the shopper has typed travels with every
submit, with or without JavaScript: each route keeps it as the session's draft
(`_keep_draft`) and the page is rendered from it again.
"""

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
from storefront.money import format_money
from storefront.pricing import quote
from storefront.ratelimits import limit_discount_codes
from storefront.shopper import RequestContext
from storefront.vouchers.service import VoucherError, normalize_code, unused_claimed_codes

bp = Blueprint("checkout", __name__, url_prefix="/checkout")
log = logging.getLogger(__name__)

_CODE_KEY = "discount_code"
_ATTEMPT_KEY = "checkout_attempt"
_DRAFT_KEY = "checkout_draft"


def _attempt() -> str:
    """This checkout's token: the same in every tab of the session until an order is
    placed with it, so a second tab or a double click cannot place a second order."""
    if not isinstance(session.get(_ATTEMPT_KEY), str):
        session[_ATTEMPT_KEY] = secrets.token_urlsafe(24)
    return session[_ATTEMPT_KEY]


def _keep_draft() -> None:
    """Remember what the shopper has typed so far (bounded: it lives in the session
    cookie), to fill the form again after an Apply, a Remove or a reload."""
    draft = {}
    for field in PlaceOrderForm(formdata=None):
        if field.type in ("HiddenField", "SubmitField", "CSRFTokenField"):
            continue
        value = request.form.get(field.name)
        if isinstance(value, str) and value:
            draft[field.name] = value[:200]
    session[_DRAFT_KEY] = draft


def _draft_form() -> PlaceOrderForm:
    draft = session.get(_DRAFT_KEY)
    form = PlaceOrderForm(formdata=None, data=draft if isinstance(draft, dict) else {})
    if not form.name.data and current_user.name:
        form.name.data = current_user.name
    return form


def _confirmation(order: Order):
    return redirect(url_for("checkout.confirmation", order_id=order.id), 303)


def _render(place_form=None, code_form=None, status: int = 200):
    """The checkout page. A submitted form keeps what was posted (and its errors);
    otherwise the form is filled from the draft."""
    cart = current_cart()
    priced = quote(cart, session.get(_CODE_KEY))
    if priced.voucher_error and status == 200:
        # The code stopped working since it was applied (used elsewhere, expired, or
        # the cart shrank below its minimum): say so and drop it.
        flash(priced.voucher_error.message, "error")
        session.pop(_CODE_KEY, None)
        priced = quote(cart)
    place_form = place_form or _draft_form()
    place_form.attempt.data = _attempt()
    applied = priced.voucher.code if priced.voucher else None
    return (
        render_template(
            "checkout/checkout.html",
            quote=priced,
            place_form=place_form,
            code_form=code_form or DiscountCodeForm(formdata=None),
            # The customer's claimed, unused reward codes, one click each.
            reward_codes=[
                code for code in unused_claimed_codes(current_user.id) if code.code != applied
            ],
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


def _back_to_summary():
    # The summary holds the code's outcome: on a phone it is below the address fields.
    return redirect(url_for("checkout.review", _anchor="order-summary"), 303)


def _apply(form: DiscountCodeForm):
    """Apply the form's code, keeping the typed checkout data either way."""
    _keep_draft()
    if not form.validate_on_submit():
        return _render(code_form=form, place_form=PlaceOrderForm(), status=400)
    priced = quote(current_cart(), form.code.data)
    if priced.voucher_error:
        form.code.errors.append(priced.voucher_error.message)
        return _render(code_form=form, place_form=PlaceOrderForm(), status=400)
    session[_CODE_KEY] = priced.voucher.code
    flash(
        f"Discount code {priced.voucher.code} applied: you save "
        f"{format_money(priced.discount_cents)}.",
        "success",
    )
    return _back_to_summary()


@bp.route("/discount", methods=["POST"])
@login_required
@limit_discount_codes
def apply_code():
    form = DiscountCodeForm()
    # One of the offered reward codes (its button carries it), or the typed one.
    offered = request.form.get("use_code")
    if isinstance(offered, str) and offered.strip():
        form.code.data = offered.strip()
    return _apply(form)


@bp.route("/discount/remove", methods=["POST"])
@login_required
def remove_code():
    form = RemoveCodeForm()
    if form.validate_on_submit():
        _keep_draft()
        session.pop(_CODE_KEY, None)
        flash("Discount code removed.", "info")
    return _back_to_summary()


@bp.route("/", methods=["POST"])
@login_required
def place():
    # A code typed but not applied (Enter in the code box without JavaScript, or
    # straight to "Place order"): apply it and show the new total before placing. 307
    # posts the same form to "Apply", so the attempt counts against its rate limit.
    typed = request.form.get("code")
    if isinstance(typed, str) and typed.strip():
        return redirect(url_for("checkout.apply_code"), 307)
    form = PlaceOrderForm()
    if not form.validate_on_submit():
        _keep_draft()
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
        _keep_draft()
        flash(error.message, "error")
        return _render(place_form=form, status=409)
    except service.CheckoutError as error:
        _keep_draft()
        flash(str(error), "error")
        return _render(place_form=form, status=400)
    for key in (_CODE_KEY, _ATTEMPT_KEY, _DRAFT_KEY):  # the next checkout starts afresh
        session.pop(key, None)
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
