"""The store admin's webhook log: everything LoyaltyLion sent, and a retry for failures."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from storefront.extensions import db, login_manager
from storefront.loyaltylion.redact import masked_json
from storefront.webhooks import bp, service
from storefront.webhooks.models import WebhookEvent, WebhookStatus

PER_PAGE = 50


def admin_required(view):
    """The admin blueprint's rule, for views on this blueprint: log in, then staff only."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403, description="The webhook log is for store staff only.")
        return view(*args, **kwargs)

    return guarded


@bp.route("/admin/webhooks")
@admin_required
def received():
    page = request.args.get("page", 1, type=int)
    query = select(WebhookEvent).order_by(WebhookEvent.id.desc())  # ids only grow: newest first
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    return render_template(
        "webhooks/received.html",
        pagination=pagination,
        payloads={event.id: masked_json(event.body) for event in pagination.items},
    )


@bp.route("/admin/webhooks/<int:event_id>/retry", methods=["POST"])
@admin_required
def retry(event_id: int):
    event = db.get_or_404(WebhookEvent, event_id, description="There is no webhook with that id.")
    if not event.is_retryable:
        flash(f"Webhook {event.label} is {event.status}: there is nothing to retry.", "error")
        return redirect(url_for("webhooks.received"))
    # Synchronous here: the admin is waiting to see whether it worked.
    event = service.process_event(event_id)
    if event.status == WebhookStatus.FAILED:
        flash(f"Webhook {event.label} failed again: {event.error}", "error")
    else:
        flash(f"Webhook {event.label} {event.status}: {event.note}", "success")
    return redirect(url_for("webhooks.received", _anchor=f"webhook-{event.id}"))
