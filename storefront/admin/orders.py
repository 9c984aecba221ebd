"""Admin: orders list and detail with edit, payment, refund and cancel actions."""

from __future__ import annotations

from flask import render_template

from storefront.admin import bp


@bp.route("/")
def orders():
    return render_template("admin/orders.html", orders=[])
