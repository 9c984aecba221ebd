"""The store admin's view of event delivery: what was sent, what failed, and why."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from storefront.loyaltylion import outbox
from storefront.loyaltylion.models import DEAD, OutboxEvent
from storefront.loyaltylion.redact import masked_json

bp = Blueprint(
    "loyaltylion_admin",
    __name__,
    url_prefix="/admin/loyaltylion",
    template_folder="templates",
)

STATUSES = ("pending", "delivering", "delivered", "dead", "superseded")
PAGE_SIZE = 50


def _extension():
    from storefront.loyaltylion import get_extension

    return get_extension()


@bp.before_request
def require_admin():
    if not _extension().is_admin():
        abort(403, description="The delivery log is for store staff only.")


@bp.app_template_filter("ll_payload")
def payload_filter(raw: str) -> str:
    return masked_json(raw)


@bp.route("/deliveries")
def deliveries():
    session = _extension().session
    status = request.args.get("status", "")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = select(OutboxEvent).order_by(OutboxEvent.id.desc())
    if status in STATUSES:
        query = query.where(OutboxEvent.status == status)
    events = list(session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).scalars())
    total = session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    return render_template(
        "loyaltylion/deliveries.html",
        layout=current_app.config["LOYALTYLION_ADMIN_LAYOUT"],
        events=events,
        queue=outbox.queue_status(session),
        status=status,
        statuses=STATUSES,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        configured=_extension().configured(),
        api_url=current_app.config["LOYALTYLION_API_URL"],
    )


@bp.route("/deliveries/<int:event_id>/retry", methods=["POST"])
def retry(event_id: int):
    session = _extension().session
    event = session.get(OutboxEvent, event_id)
    if event is None:
        abort(404)
    if event.status != DEAD:
        flash(f"Event {event_id} is {event.status}, not dead: nothing to retry.", "error")
        return redirect(url_for(".deliveries")), 303
    outbox.retry_dead(session, [event_id])
    flash(f"Event {event_id} queued for delivery again.", "success")
    return redirect(url_for(".deliveries", status=request.args.get("status", "")))
