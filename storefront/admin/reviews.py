"""Admin: moderate product reviews. The decision also settles the review's pending
LoyaltyLion points (approved: awarded; declined: removed)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import case, select

from storefront.admin.blueprint import bp
from storefront.extensions import db
from storefront.models import Review, ReviewStatus
from storefront.reviews.forms import ModerateForm
from storefront.reviews.service import ReviewError, moderate

STATUSES = [status.value for status in ReviewStatus]


@bp.route("/reviews")
def reviews():
    status = request.args.get("status", ReviewStatus.PENDING)
    query = select(Review).order_by(
        case((Review.status == ReviewStatus.PENDING, 0), else_=1), Review.id.desc()
    )
    if status in STATUSES:
        query = query.where(Review.status == status)
    return render_template(
        "admin/reviews.html",
        reviews=list(db.session.execute(query.limit(200)).scalars()),
        status=status,
        statuses=STATUSES,
        moderate_form=ModerateForm(formdata=None),
    )


@bp.route("/reviews/<int(max=2147483647):review_id>/moderate", methods=["POST"])
def moderate_review(review_id: int):
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404, description="There is no such review.")
    form = ModerateForm()
    if not form.validate_on_submit() or not (form.approve.data or form.decline.data):
        flash("Choose Approve or Decline.", "error")
        return redirect(url_for("admin.reviews")), 303
    try:
        moderate(review, approve=bool(form.approve.data))
    except ReviewError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.reviews")), 303
    flash(f"Review {review.id} {review.status}.", "success")
    return redirect(url_for("admin.reviews"))
