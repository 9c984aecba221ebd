"""The customer's own pages: account overview with order history, and each order."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/")
@login_required
def overview():
    orders = db.session.execute(
        select(Order).where(Order.customer_id == current_user.id).order_by(Order.id.desc())
    ).scalars()
    return render_template("account/overview.html", orders=list(orders))


# Ids are 32-bit `integer` columns: a longer number is a 404, not a database error.
@bp.route("/orders/<int(max=2147483647):order_id>")
@login_required
def order_detail(order_id: int):
    order = db.session.get(Order, order_id)
    # 404, not 403: don't confirm that someone else's order number exists.
    if order is None or order.customer_id != current_user.id:
        abort(404, description="We couldn't find that order in your account.")
    return render_template("account/order.html", order=order)
