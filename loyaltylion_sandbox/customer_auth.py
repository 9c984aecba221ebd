"""SDK customer authentication, checked server-side like LoyaltyLion does.

https://developers.loyaltylion.com/sdk/customer-authentication

token = sha1(customer_id + date + email + secret).hexdigest(), plain concatenation,
where `date` is the ISO 8601 string the page also sends as `auth.date`. After a
successful check the browser gets a short-lived signed session token for later SDK
calls, so the site secret never has to reach the browser.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from loyaltylion_sandbox.constants import SDK_SESSION_MAX_AGE_SECONDS

SESSION_SALT = "loyaltylion-sandbox-sdk-session"


def auth_token(customer_id: str, date: str, email: str, secret: str) -> str:
    """The documented customer auth token (what the shop computes per render)."""
    message = f"{customer_id}{date}{email}{secret}".encode()
    return hashlib.sha1(message, usedforsecurity=False).hexdigest()


def check_customer_auth(
    customer_id: str,
    email: str,
    date: str,
    token: str,
    *,
    secret: str,
    window_seconds: int,
    now: datetime | None = None,
) -> str | None:
    """None when the token is good, else why not (shown in the browser console)."""
    try:
        when = datetime.fromisoformat(date)
    except (TypeError, ValueError):
        return f"auth date is not an ISO 8601 date-time: {date!r}"
    if when.tzinfo is None:
        return f"auth date has no time zone: {date!r} (use e.g. 2026-11-25T18:30:00Z)"
    now = now or datetime.now(UTC)
    skew = abs((now - when).total_seconds())
    if skew > window_seconds:
        return (
            f"auth date outside the allowed window (it is {int(skew)} s from now, "
            f"allowed ±{window_seconds} s): generate the token per page render"
        )
    expected = auth_token(customer_id, date, email, secret)
    if hmac.compare_digest(token.lower(), expected):
        return None
    # Name the classic mistake (the Magento/PrestaShop modules leave the email out).
    without_email = hashlib.sha1(
        f"{customer_id}{date}{secret}".encode(), usedforsecurity=False
    ).hexdigest()
    if hmac.compare_digest(token.lower(), without_email):
        return (
            "auth token does not match "
            "(it was made without the email: use id + date + email + secret)"
        )
    return "auth token does not match"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SESSION_SALT)


def issue_session(merchant_id: str) -> str:
    return _serializer().dumps({"customer": merchant_id})


def read_session(token: str) -> str | None:
    """The customer's merchant_id, or None if the token is bad or expired."""
    try:
        data = _serializer().loads(token, max_age=SDK_SESSION_MAX_AGE_SECONDS)
    except BadSignature:  # SignatureExpired is a subclass
        return None
    customer = data.get("customer") if isinstance(data, dict) else None
    return customer if isinstance(customer, str) else None
