"""Checkout: review the cart, apply or remove a discount code, place the order.

The page is one form. "Apply", "Remove code" and the offered reward codes submit it to
their own routes (formaction), so whatever the shopper has typed travels with every
submit, with or without JavaScript: each route keeps it as the session's draft
(`_keep_draft`) and the page is rendered from it again.

A shopper without an account checks out as a guest (an email is required). The session
remembers the guest's orders: only it can see their confirmations, and from one the
guest can make an account that adopts them.
"""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from sqlalchemy import select

from storefront.auth import service as accounts
from storefront.cart.service import current_cart, drop_code, held_code, hold_code, merge_guest_cart
from storefront.checkout import service
from storefront.checkout.forms import (
    DiscountCodeForm,
    GuestAccountForm,
    GuestPlaceOrderForm,
    PlaceOrderForm,
    RemoveCodeForm,
)
from storefront.extensions import db
from storefront.models import Order
from storefront.money import format_money
from storefront.pricing import quote
from storefront.ratelimits import limit_discount_codes, limit_signup
from storefront.shopper import RequestContext
from storefront.vouchers.service import VoucherError, normalize_code, unused_claimed_codes

bp = Blueprint("checkout", __name__, url_prefix="/checkout")
log = logging.getLogger(__name__)

_ATTEMPT_KEY = "checkout_attempt"
_DRAFT_KEY = "checkout_draft"
_GUEST_ORDERS_KEY = "guest_orders"


def _form_class() -> type[PlaceOrderForm]:
    return PlaceOrderForm if current_user.is_authenticated else GuestPlaceOrderForm


def _guest_orders() -> list[int]:
    """The orders this session placed as a guest, newest last."""
    ids = session.get(_GUEST_ORDERS_KEY)
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def _remember_guest_order(order: Order) -> None:
    session[_GUEST_ORDERS_KEY] = [*_guest_orders(), order.id][-accounts.MAX_ADOPTED :]


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
    for field in _form_class()(formdata=None):
        if field.type in ("HiddenField", "SubmitField", "CSRFTokenField"):
            continue
        value = request.form.get(field.name)
        if isinstance(value, str) and value:
            draft[field.name] = value[:200]
    session[_DRAFT_KEY] = draft


def _draft_form() -> PlaceOrderForm:
    draft = session.get(_DRAFT_KEY)
    form = _form_class()(formdata=None, data=draft if isinstance(draft, dict) else {})
    if not form.name.data and current_user.is_authenticated and current_user.name:
        form.name.data = current_user.name
    return form


def _confirmation(order: Order):
    return redirect(url_for("checkout.confirmation", order_id=order.id), 303)


def _render(place_form=None, code_form=None, status: int = 200):
    """The checkout page. A submitted form keeps what was posted (and its errors);
    otherwise the form is filled from the draft."""
    cart = current_cart()
    priced = quote(cart, held_code())
    if priced.voucher_error and status == 200:
        # The code stopped working since it was applied (used elsewhere, expired, or
        # the cart shrank below its minimum): say so and drop it.
        flash(priced.voucher_error.message, "error")
        drop_code()
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
            ]
            if current_user.is_authenticated
            else [],
        ),
        status,
    )


@bp.route("/", methods=["GET"])
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
        return _render(code_form=form, place_form=_form_class()(), status=400)
    priced = quote(current_cart(), form.code.data)
    if priced.voucher_error:
        form.code.errors.append(priced.voucher_error.message)
        return _render(code_form=form, place_form=_form_class()(), status=400)
    hold_code(priced.voucher.code)
    flash(
        f"Discount code {priced.voucher.code} applied: you save "
        f"{format_money(priced.discount_cents)}.",
        "success",
    )
    return _back_to_summary()


@bp.route("/discount", methods=["POST"])
@limit_discount_codes
def apply_code():
    form = DiscountCodeForm()
    # One of the offered reward codes (its button carries it), or the typed one.
    offered = request.form.get("use_code")
    if isinstance(offered, str) and offered.strip():
        form.code.data = offered.strip()
    return _apply(form)


@bp.route("/discount/remove", methods=["POST"])
def remove_code():
    form = RemoveCodeForm()
    if form.validate_on_submit():
        _keep_draft()
        drop_code()
        flash("Discount code removed.", "info")
    return _back_to_summary()


@bp.route("/", methods=["POST"])
def place():
    # A code typed but not applied (Enter in the code box without JavaScript, or
    # straight to "Place order"): apply it and show the new total before placing. 307
    # posts the same form to "Apply", so the attempt counts against its rate limit.
    typed = request.form.get("code")
    if isinstance(typed, str) and typed.strip():
        return redirect(url_for("checkout.apply_code"), 307)
    form = _form_class()()
    if not form.validate_on_submit():
        _keep_draft()
        return _render(place_form=form, status=400)
    customer = current_user if current_user.is_authenticated else None
    # Submitted again (a double click, a second tab, the back button): the order it
    # placed, not an error and not a second order.
    placed = service.order_for_attempt(customer, form.attempt.data)
    if placed is not None:
        return _confirmation(placed)
    cart = current_cart()
    if cart is None or not cart.items:
        # Emptied a moment ago by a twin of this submit that placed the order?
        placed = service.order_for_attempt(customer, form.attempt.data)
        if placed is not None:
            return _confirmation(placed)
        flash("Your cart is empty.", "error")
        return redirect(url_for("cart.view"))
    code = held_code()
    try:
        order = service.place_order(
            customer=customer,
            guest_email=form.email.data if customer is None else None,
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
        drop_code()
        _keep_draft()
        flash(error.message, "error")
        return _render(place_form=form, status=409)
    except service.CheckoutError as error:
        _keep_draft()
        flash(str(error), "error")
        return _render(place_form=form, status=400)
    drop_code()  # the next checkout starts afresh
    for key in (_ATTEMPT_KEY, _DRAFT_KEY):
        session.pop(key, None)
    if customer is None:
        _remember_guest_order(order)
        log.info("order %s placed by a guest", order.id)
    else:
        log.info("order %s placed by customer %s", order.id, order.customer_id)
    return redirect(url_for("checkout.confirmation", order_id=order.id))


def _viewable_order(order_id: int) -> Order:
    """The customer's own order, or a guest order this session placed: anything else
    is a 404, the same as an order that does not exist (ids are easy to guess)."""
    order = db.session.get(Order, order_id)
    if order is None:
        abort(404)
    if current_user.is_authenticated and order.customer_id == current_user.id:
        return order
    if order.customer_id is None and order.id in _guest_orders():
        return order
    abort(404)


def _render_confirmation(order: Order, account_form: GuestAccountForm | None = None, status=200):
    if order.customer_id is None and account_form is None:
        account_form = GuestAccountForm(formdata=None, data={"email": order.customer_email})
    return (
        render_template("checkout/confirmation.html", order=order, account_form=account_form),
        status,
    )


# Ids are 32-bit `integer` columns: a longer number is a 404, not a database error.
@bp.route("/confirmation/<int(max=2147483647):order_id>")
def confirmation(order_id: int):
    return _render_confirmation(_viewable_order(order_id))


@bp.route("/confirmation/<int(max=2147483647):order_id>/account", methods=["POST"])
@limit_signup
def create_account(order_id: int):
    """The guest's one step to an account: the order's email, a password. The new account
    takes the session's guest orders placed with that email; LoyaltyLion links them on
    the `$signup` (https://developers.loyaltylion.com/docs/installation/custom)."""
    order = _viewable_order(order_id)
    if current_user.is_authenticated or order.customer_id is not None:
        return redirect(url_for("account.order_detail", order_id=order.id), 303)
    form = GuestAccountForm()
    if not form.validate_on_submit():
        return _render_confirmation(order, form, status=400)
    try:
        user = accounts.sign_up(
            email=form.email.data,
            password=form.password.data,
            name=order.ship_name,
            newsletter=False,
            context=RequestContext.from_request(request),
            guest_order_ids=_guest_orders(),
        )
    except accounts.EmailTaken:
        form.email.errors.append("An account with this email already exists: log in to it instead.")
        return _render_confirmation(order, form, status=409)
    offered = _guest_orders()
    adopted = set(
        db.session.execute(
            select(Order.id).where(Order.id.in_(offered), Order.customer_id == user.id)
        ).scalars()
    )
    session[_GUEST_ORDERS_KEY] = [oid for oid in offered if oid not in adopted]
    login_user(user)
    merge_guest_cart(user.id)
    log.info("guest became customer %s (orders %s)", user.id, sorted(adopted))
    if order.id in adopted:
        flash(
            f"Welcome! Your account is ready and order {order.number} is in it. Your points "
            "for joining and for this order are on their way: they appear in a moment.",
            "success",
        )
        return redirect(url_for("account.order_detail", order_id=order.id), 303)
    flash(
        "Welcome! Your account is ready. This order was placed with another email address, "
        "so it stays a guest order.",
        "success",
    )
    return redirect(url_for("account.overview"), 303)
