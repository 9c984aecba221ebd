"""Admin: orders list and detail with edit, payment, refund and cancel actions.

Every action goes through storefront.orders.service, which validates, writes nothing
when it refuses, and commits when it succeeds. When an action does not happen the
order page is shown again with the reason, and the status code says whose it was:

* 400 Bad Request: the form itself is malformed (the field says what is wrong);
* 409 Conflict: the form is fine but the order's current state refuses the action,
  e.g. a refund larger than what was paid (the service's OrderActionError).

A successful action flashes and redirects back to the order (Post/Redirect/Get).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from storefront.admin.blueprint import bp
from storefront.admin.forms import (
    CancelForm,
    OrderFilterForm,
    PaymentForm,
    RefundForm,
    edit_order_form,
)
from storefront.extensions import db
from storefront.forms import Form
from storefront.models import CancellationStatus, Order, PaymentStatus, RefundStatus
from storefront.money import format_money
from storefront.orders import service
from storefront.orders.rules import available_actions
from storefront.orders.service import OrderActionError

PER_PAGE = 50

# The column each status filter reads.
_FILTER_COLUMNS = {
    **{status.value: Order.payment_status for status in PaymentStatus},
    **{status.value: Order.refund_status for status in RefundStatus},
    **{status.value: Order.cancellation_status for status in CancellationStatus},
}


@bp.route("/")
def orders():
    form = OrderFilterForm(request.args)
    if form.validate():
        status, page, status_code = form.status.data, form.page.data or 1, 200
    else:
        # Only a hand-edited URL gets here: list everything, with the form's messages.
        status, page, status_code = "", 1, 400
    query = select(Order).order_by(Order.id.desc())  # ids only grow: newest first
    if status:
        query = query.where(_FILTER_COLUMNS[status] == status)
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    return (
        render_template("admin/orders.html", form=form, status=status, pagination=pagination),
        status_code,
    )


@bp.route("/orders/<int:order_id>")
def order_detail(order_id: int):
    return _render_order(_get_order(order_id))


@bp.route("/orders/<int:order_id>/edit", methods=["POST"])
def edit_order(order_id: int):
    order = _get_order(order_id)
    form = edit_order_form(order)
    if not form.validate_on_submit():
        return _invalid(order, "The order was not changed.", edit_form=form)
    try:
        refunded = service.edit_order(order, form.quantities(), form.shipping.data)
    except OrderActionError as error:
        return _refused(order, error, edit_form=form)
    message = f"Order {order.number} updated: the total is now {_money(order.total_cents)}"
    if refunded:
        message += f", and {_money(refunded)} was refunded (more than the new total had been paid)"
    flash(message + ".", "success")
    return _back_to(order)


@bp.route("/orders/<int:order_id>/payment", methods=["POST"])
def record_payment(order_id: int):
    order = _get_order(order_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        return _invalid(order, "The payment was not recorded.", payment_form=form)
    try:
        service.record_payment(order, form.amount.data)
    except OrderActionError as error:
        return _refused(order, error, payment_form=form)
    flash(f"Recorded a payment of {_money(form.amount.data)}.", "success")
    return _back_to(order)


@bp.route("/orders/<int:order_id>/refund", methods=["POST"])
def refund_order(order_id: int):
    order = _get_order(order_id)
    form = RefundForm()
    if not form.validate_on_submit():
        return _invalid(order, "Nothing was refunded.", refund_form=form)
    refunded_before = order.total_refunded_cents
    try:
        # None asks the service for everything still refundable.
        service.refund(order, None if form.refund_all.data else form.amount.data)
    except OrderActionError as error:
        return _refused(order, error, refund_form=form)
    flash(f"Refunded {_money(order.total_refunded_cents - refunded_before)}.", "success")
    return _back_to(order)


@bp.route("/orders/<int:order_id>/cancel", methods=["POST"])
def cancel_order(order_id: int):
    order = _get_order(order_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _invalid(order, "The order was not cancelled.", cancel_form=form)
    try:
        service.cancel(order)
    except OrderActionError as error:
        return _refused(order, error, cancel_form=form)
    flash(f"Order {order.number} cancelled. Refund any payment separately.", "success")
    return _back_to(order)


def _get_order(order_id: int) -> Order:
    return db.get_or_404(Order, order_id, description="There is no order with that id.")


def _money(cents: int) -> str:
    return format_money(cents, current_app.config["CURRENCY"])


def _back_to(order: Order):
    return redirect(url_for("admin.order_detail", order_id=order.id))


def _invalid(order: Order, problem: str, **submitted: Form):
    return _render_order(order, status=400, problem=problem, **submitted)


def _refused(order: Order, error: OrderActionError, **submitted: Form):
    # The service rolled its transaction back: the page shows the order as stored.
    return _render_order(order, status=409, problem=str(error), **submitted)


def _render_order(
    order: Order, *, status: int = 200, problem: str | None = None, **submitted: Form
):
    """The order page: the form just submitted (with its errors), fresh ones for the rest."""
    forms: dict[str, Form] = {
        "edit_form": edit_order_form(order, formdata=None),
        "payment_form": PaymentForm(formdata=None, amount=order.balance_due_cents),
        "refund_form": RefundForm(formdata=None),
        "cancel_form": CancelForm(formdata=None),
        **submitted,
    }
    return (
        render_template(
            "admin/order.html",
            order=order,
            problem=problem,
            can=available_actions(order),
            **forms,
        ),
        status,
    )
