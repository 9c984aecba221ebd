"""The customer's own pages: account overview with order history, and each order."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash

from storefront.account import service
from storefront.account.forms import CloseAccountForm, PreferencesForm
from storefront.extensions import db
from storefront.loyalty import loyaltylion
from storefront.models import Order

bp = Blueprint("account", __name__, url_prefix="/account")
log = logging.getLogger(__name__)


def _overview(preferences: PreferencesForm, status: int = 200):
    orders = db.session.execute(
        select(Order).where(Order.customer_id == current_user.id).order_by(Order.id.desc())
    ).scalars()
    if loyaltylion.ui() == "headless":
        # Fresh on this page (the header included): read before the layout renders.
        loyaltylion.headless_panel()
    return render_template(
        "account/overview.html", orders=list(orders), preferences=preferences
    ), status


@bp.route("/")
@login_required
def overview():
    return _overview(
        PreferencesForm(
            formdata=None,
            newsletter=current_user.newsletter_opt_in,
            birthday=current_user.birthday,
        )
    )


@bp.route("/preferences", methods=["POST"])
@login_required
def preferences():
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _overview(form, 400)
    cleared_birthday = current_user.birthday is not None and form.birthday.data is None
    service.update_preferences(
        current_user, newsletter=form.newsletter.data, birthday=form.birthday.data
    )
    flash("Your preferences were saved.", "success")
    if cleared_birthday:
        # LoyaltyLion offers no way to clear a birthday (its API takes a date, not null).
        flash(
            "Your birthday was removed from your account. Our rewards program keeps the last "
            "birthday you gave it: write to us if you want it removed there too.",
            "info",
        )
    return redirect(url_for("account.overview"))


@bp.route("/close", methods=["GET", "POST"])
@login_required
def close():
    form = CloseAccountForm()
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash, form.password.data):
            form.password.errors.append("That password is not right.")
            return render_template("account/close.html", form=form), 400
        user_id = current_user.id
        service.close_account(current_user)
        logout_user()
        log.info("customer %s closed their account", user_id)
        flash("Your account is closed and your personal data erased. Goodbye!", "info")
        return redirect(url_for("shop.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("account/close.html", form=form), status


# Ids are 32-bit `integer` columns: a longer number is a 404, not a database error.
@bp.route("/orders/<int(max=2147483647):order_id>")
@login_required
def order_detail(order_id: int):
    order = db.session.get(Order, order_id)
    # 404, not 403: don't confirm that someone else's order number exists.
    if order is None or order.customer_id != current_user.id:
        abort(404, description="We couldn't find that order in your account.")
    return render_template("account/order.html", order=order)
