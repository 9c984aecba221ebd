"""The store admin's LoyaltyLion pages: the delivery log (what was sent, what failed, and
why) and the webhook log (what LoyaltyLion sent), each with a retry for failures, and
the last reconcile's result (how the shop's orders compared with LoyaltyLion's).

Mounted at LOYALTYLION_ADMIN_URL_PREFIX (default /admin/loyaltylion), inside the layout
LOYALTYLION_ADMIN_LAYOUT names (blocks `title`, `head` and `content`). Who may see them
is the host's `is_admin()`; `on_denied()`, if given, answers everyone else (a redirect
to the login page, say), else they get a 403.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.sql import Select

from . import csrf, outbox, reconcile, webhooks
from .models import DEAD, WEBHOOK_FAILED, OutboxEvent, WebhookEvent
from .redact import masked_json
from .state import get_extension

bp = Blueprint("loyaltylion_admin", __name__, template_folder="templates")

STATUSES = ("pending", "delivering", "delivered", "dead", "superseded")
PAGE_SIZE = 50
# Far past any real log: a hand-edited ?page= beyond it shows an empty page, and the
# OFFSET stays a number every database takes.
MAX_PAGE = 100_000


@bp.before_request
def require_admin():
    extension = get_extension()
    if extension.is_admin():
        return None
    if extension.on_denied is not None:
        return extension.on_denied()
    abort(403, description="The LoyaltyLion pages are for store staff only.")


bp.before_request(csrf.protect)


@bp.app_template_filter("ll_payload")
def payload_filter(raw: str) -> str:
    return masked_json(raw)


@bp.app_template_global("loyaltylion_csrf_token")
def csrf_token() -> str:
    return csrf.token()


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def _paginate(query: Select, page: int) -> tuple[list, int]:
    """One page of rows, and how many pages there are."""
    session = get_extension().session
    rows = list(session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).scalars())
    total = session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    return rows, max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def _render(template: str, **context):
    return render_template(
        template, layout=current_app.config["LOYALTYLION_ADMIN_LAYOUT"], **context
    )


@bp.route("/deliveries")
def deliveries():
    extension = get_extension()
    status = request.args.get("status", "")
    page = _page()
    query = select(OutboxEvent).order_by(OutboxEvent.id.desc())
    if status in STATUSES:
        query = query.where(OutboxEvent.status == status)
    events, pages = _paginate(query, page)
    return _render(
        "loyaltylion/deliveries.html",
        events=events,
        subjects=outbox.subjects(extension.session, events),
        queue=outbox.queue_status(extension.session),
        status=status,
        statuses=STATUSES,
        page=page,
        pages=pages,
        configured=extension.configured(),
        api_url=current_app.config["LOYALTYLION_API_URL"],
    )


@bp.route("/deliveries/<int:event_id>/retry", methods=["POST"])
def retry_delivery(event_id: int):
    session = get_extension().session
    event = session.get(OutboxEvent, event_id)
    if event is None:
        abort(404, description="There is no event with that id.")
    status = request.args.get("status", "")
    if event.status != DEAD:
        flash(f"Event {event_id} is {event.status}, not dead: nothing to retry.", "error")
        return redirect(url_for(".deliveries", status=status), 303)
    outbox.retry_dead(session, [event_id])
    flash(f"Event {event_id} queued for delivery again.", "success")
    return redirect(url_for(".deliveries", status=status), 303)


@bp.route("/webhooks")
def received_webhooks():
    page = _page()
    # Ids only grow: newest first.
    events, pages = _paginate(select(WebhookEvent).order_by(WebhookEvent.id.desc()), page)
    return _render(
        "loyaltylion/webhooks.html",
        events=events,
        page=page,
        pages=pages,
        webhook_url=url_for("loyaltylion.receive_webhook", _external=True),
    )


@bp.route("/webhooks/<int:event_id>/retry", methods=["POST"])
def retry_webhook(event_id: int):
    extension = get_extension()
    event = extension.session.get(WebhookEvent, event_id)
    if event is None:
        abort(404, description="There is no webhook with that id.")
    if not event.is_retryable:
        flash(f"Webhook {event.label} is {event.status}: there is nothing to retry.", "error")
        return redirect(url_for(".received_webhooks"), 303)
    # Synchronous here: the admin is waiting to see whether it worked.
    event = webhooks.process(extension.session, event_id, extension.webhook_handlers)
    if event.status == WEBHOOK_FAILED:
        flash(f"Webhook {event.label} failed again: {event.error}", "error")
    else:
        flash(f"Webhook {event.label} {event.status}: {event.note}", "success")
    return redirect(url_for(".received_webhooks", _anchor=f"webhook-{event.id}"), 303)


@bp.route("/reconcile")
def last_reconcile():
    run, rows = reconcile.last_run(get_extension().session)
    return _render("loyaltylion/reconcile.html", run=run, rows=rows, differs=reconcile.DIFFERS)
