"""LoyaltyLion referral and email tracking ids, kept from the landing page to checkout.

A referral link lands on the store with `?ll_ref_id=<id>`; links in LoyaltyLion emails
carry `?ll_eid=<id>`. Any page may be the landing page, so a before_request hook reads
them into a signed cookie: the first referral wins (a later link does not steal the
credit), and an email id counts for 24 hours, as in LoyaltyLion's own modules. They are
sent as `referral_id` / `tracking_id` on the `$signup` activity, on other activities
and on the order (the extension's record_* methods call `attach`), and the cookie is
cleared once an order carrying them has committed.
Docs: https://developers.loyaltylion.com/docs/features/referrals (custom platforms).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace

from flask import Flask, Response, current_app, g, has_request_context, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import inspect

from .payloads import Shopper

COOKIE_NAME = "ll_referral"
COOKIE_MAX_AGE = 30 * 24 * 3600  # how long a referral is remembered
EMAIL_ID_MAX_AGE = 24 * 3600
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


@dataclass(frozen=True)
class Referral:
    referral_id: str | None = None
    tracking_id: str | None = None
    tracking_seen_at: int | None = None

    def current_tracking_id(self, now: float | None = None) -> str | None:
        if self.tracking_id is None or self.tracking_seen_at is None:
            return None
        age = (now if now is not None else time.time()) - self.tracking_seen_at
        return self.tracking_id if age <= EMAIL_ID_MAX_AGE else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="loyaltylion-referral")


def _valid(value: str | None) -> str | None:
    return value if value and _ID_PATTERN.match(value) else None


def _read_cookie() -> Referral:
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return Referral()
    try:
        data = _serializer().loads(raw, max_age=COOKIE_MAX_AGE)
    except BadSignature:
        return Referral()  # tampered or expired: ignore it
    if not isinstance(data, dict):
        return Referral()
    seen = data.get("eid_at")
    return Referral(
        referral_id=_valid(data.get("ref")),
        tracking_id=_valid(data.get("eid")),
        tracking_seen_at=seen if isinstance(seen, int) else None,
    )


def current_referral() -> Referral:
    return g.get("ll_referral", Referral()) if has_request_context() else Referral()


def attach(shopper: Shopper | None) -> Shopper | None:
    """The shopper with the current request's referral and email ids added, where the
    caller gave none. Outside a request (a command, a worker) it is left as it is."""
    referral = current_referral()
    referral_id, tracking_id = referral.referral_id, referral.current_tracking_id()
    if not (referral_id or tracking_id):
        return shopper
    base = shopper or Shopper()
    return replace(
        base,
        referral_id=base.referral_id or referral_id,
        tracking_id=base.tracking_id or tracking_id,
    )


def clear_once_committed(row: object) -> None:
    """Forget the ids at the end of this request if `row` (the order's outbox event,
    which carries them) was committed; if its transaction rolled back, they stay."""
    if has_request_context():
        g.ll_referral_sent_with = row


def _sent_and_committed() -> bool:
    row = g.get("ll_referral_sent_with")
    # After a commit the row is persistent; a rollback makes it transient again.
    return row is not None and inspect(row).persistent


def _capture() -> None:
    stored = _read_cookie()
    referral_id = stored.referral_id or _valid(request.args.get("ll_ref_id"))  # first wins
    tracking_id, seen_at = stored.tracking_id, stored.tracking_seen_at
    landed_eid = _valid(request.args.get("ll_eid"))
    if landed_eid:
        tracking_id, seen_at = landed_eid, int(time.time())
    g.ll_referral = Referral(referral_id, tracking_id, seen_at)
    g.ll_referral_changed = g.ll_referral != stored


def _store(response: Response) -> Response:
    if _sent_and_committed():
        g.ll_referral, g.ll_referral_changed = Referral(), True
    if not g.get("ll_referral_changed"):
        return response
    referral: Referral = g.ll_referral
    if referral.referral_id is None and referral.tracking_id is None:
        response.delete_cookie(COOKIE_NAME)
        return response
    value = _serializer().dumps(
        {
            "ref": referral.referral_id,
            "eid": referral.tracking_id,
            "eid_at": referral.tracking_seen_at,
        }
    )
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def init_app(app: Flask) -> None:
    app.before_request(_capture)
    app.after_request(_store)
