"""Admin: voucher batches: generate, download as CSV, used/unused counts.

A batch is a pool of single-use codes for one LoyaltyLion voucher reward: the admin
generates it here, downloads the CSV and imports it into the reward.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from sqlalchemy import select

from storefront.admin.blueprint import bp
from storefront.admin.forms import VoucherBatchForm
from storefront.extensions import db
from storefront.models import VoucherBatch
from storefront.money import format_money
from storefront.vouchers.service import batch_counts, generate_batch, iter_batch_csv


@bp.route("/vouchers")
def vouchers():
    return _render_vouchers(VoucherBatchForm(formdata=None))


@bp.route("/vouchers", methods=["POST"])
def generate_vouchers():
    form = VoucherBatchForm()
    if not form.validate_on_submit():
        return _render_vouchers(form, status=400)
    batch = generate_batch(
        name=form.name.data,
        amount_cents=form.amount.data,
        count=form.count.data,
        prefix=form.prefix.data or "",
        expires_at=_end_of_day(form.expires_on.data),
        min_subtotal_cents=form.min_subtotal.data or 0,
    )
    amount = format_money(batch.amount_cents, current_app.config["CURRENCY"])
    flash(f"Generated {form.count.data:,} codes worth {amount} each in “{batch.name}”.", "success")
    return redirect(url_for("admin.vouchers"))


@bp.route("/vouchers/<int:batch_id>.csv")
def voucher_csv(batch_id: int):
    batch = db.get_or_404(VoucherBatch, batch_id, description="There is no batch with that id.")
    # Streamed: a 100,000-code batch never sits in memory whole. stream_with_context
    # keeps the app context (and so the database session) alive while it streams.
    return Response(
        stream_with_context(iter_batch_csv(batch)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=vouchers-batch-{batch.id}.csv"},
    )


def _end_of_day(day: date | None) -> datetime | None:
    """The last moment a code works on its last day (times are naive UTC)."""
    return datetime.combine(day, time(23, 59, 59)) if day else None


def _render_vouchers(form: VoucherBatchForm, status: int = 200):
    batches = db.session.execute(select(VoucherBatch).order_by(VoucherBatch.id.desc())).scalars()
    return (
        render_template(
            "admin/vouchers.html", form=form, batches=list(batches), counts=batch_counts()
        ),
        status,
    )
