"""The HTML dashboard at / : what the sandbox received and what it made of it."""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from loyaltylion_sandbox import customers, program_settings, rewards, subscriptions, webhooks
from loyaltylion_sandbox.constants import WEBHOOK_SHAPES
from loyaltylion_sandbox.db import db
from loyaltylion_sandbox.models import Activity, Customer, LedgerEntry, Order, RequestLog
from loyaltylion_sandbox.runtime import runtime
from loyaltylion_sandbox.seed import reset_everything
from loyaltylion_sandbox.transactions import writing

bp = Blueprint("sandbox_dashboard", __name__)

CSRF_KEY = "sandbox_csrf"


def _csrf_token() -> str:
    if CSRF_KEY not in session:
        session[CSRF_KEY] = secrets.token_urlsafe(24)
    return session[CSRF_KEY]


def _pretty(text: str) -> str:
    """Indent JSON bodies for reading; leave anything else as it came."""
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, sort_keys=False)
    except ValueError:
        return text


LOG_CALLS = {"api": "Admin API calls", "sdk": "SDK calls", "all": "All calls"}


@bp.get("/")
def index() -> str:
    # A hand-edited ?log= that is not a number shows the default, not an error.
    log_limit = min(max(request.args.get("log", 50, type=int) or 50, 1), 500)
    path_filter = request.args.get("path", "")
    # The shop's server talks to /v2 (the Admin API); every page view adds SDK calls
    # (scripts, /sdk/...), which would bury the API calls: API calls by default.
    calls = request.args.get("calls", "api")
    calls = calls if calls in LOG_CALLS else "api"
    log_stmt = select(RequestLog).order_by(RequestLog.id.desc()).limit(log_limit)
    if calls == "api":
        log_stmt = log_stmt.where(RequestLog.path.startswith("/v2/"))
    elif calls == "sdk":
        log_stmt = log_stmt.where(~RequestLog.path.startswith("/v2/"))
    if path_filter:
        log_stmt = log_stmt.where(RequestLog.path.startswith(path_filter, autoescape=True))

    members = list(db.session.execute(select(Customer).order_by(Customer.id.desc())).scalars())
    reward_rows = [(r, rewards.stock(r.id)) for r in rewards.all_rewards()]
    return render_template(
        "dashboard.html",
        customers=[(c, customers.balances(c)) for c in members],
        ledger=db.session.execute(
            select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(100)
        ).scalars(),
        orders=db.session.execute(
            select(Order).where(Order.forgotten_at.is_(None)).order_by(Order.id.desc()).limit(100)
        ).scalars(),
        activities=db.session.execute(
            select(Activity).order_by(Activity.id.desc()).limit(100)
        ).scalars(),
        rewards=reward_rows,
        fulfilment_counts=rewards.fulfilment_counts,
        deliveries=webhooks.deliveries(limit=100),
        webhook_url=webhooks.webhook_url(),
        subscriptions=subscriptions.all_subscriptions(),
        webhook_shapes=WEBHOOK_SHAPES,
        log=list(db.session.execute(log_stmt).scalars()),
        log_limit=log_limit,
        path_filter=path_filter,
        calls=calls,
        log_calls=LOG_CALLS,
        settings=program_settings.current(),
        fault=runtime().faults.snapshot(),
        csrf_token=_csrf_token(),
        referral_url=customers.referral_url,
        pretty=_pretty,
        config=current_app.config,
    )


def _check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    expected = session.get(CSRF_KEY, "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, "Invalid or missing CSRF token: reload the dashboard and try again")


@bp.post("/reset")
def reset() -> Any:
    """The dashboard's Reset button (a form POST with a CSRF token)."""
    _check_csrf()
    reset_everything(current_app._get_current_object())  # type: ignore[attr-defined]
    return redirect(url_for("sandbox_dashboard.index"))


@bp.post("/webhooks/deliver")
def deliver_webhooks() -> Any:
    """The dashboard's "Send pending webhooks now" button: every pending one, due or not."""
    _check_csrf()
    webhooks.deliver_due(include_not_due=True)
    return redirect(url_for("sandbox_dashboard.index") + "#webhooks")


@bp.post("/settings/webhook-shape")
def webhook_shape() -> Any:
    """The dashboard's webhook body switch: the envelope, or the flat payload."""
    _check_csrf()
    shape = request.form.get("webhook_shape", "")
    if shape not in WEBHOOK_SHAPES:
        abort(400, f"webhook_shape must be one of {', '.join(WEBHOOK_SHAPES)}")
    with writing():
        program_settings.update({"webhook_shape": shape})
    return redirect(url_for("sandbox_dashboard.index") + "#webhooks")
