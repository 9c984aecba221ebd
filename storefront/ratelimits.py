"""Rate limits on what an attacker repeats: logging in, signing up, trying discount codes.

Flask-Limiter counts per client address (the socket peer, or X-Forwarded-For through
ProxyFix when TRUSTED_PROXY_COUNT is set) and per account, so neither many addresses
against one account nor one address against many accounts gets far. Over a limit the
answer is a 429 page with Retry-After (errors.py). The limits are settings (config.py);
their counters live in RATELIMIT_STORAGE_URI: in memory per process by default, a
shared store such as Redis when several processes serve the shop.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from storefront.extensions import limiter


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _email_key() -> str:
    # The address as the account is stored (models.User.normalize_email), bounded.
    return "email:" + request.form.get("email", "").strip().lower()[:254]


def _customer_key() -> str:
    # A guest has no account to count against (a new session costs nothing): the
    # address, as the first limit counts too. Never one bucket shared by every guest.
    if current_user.is_authenticated:
        return f"customer:{current_user.id}"
    return f"guest:{get_remote_address()}"


def _refused(response: Response) -> bool:
    return response.status_code in (400, 401, 409)


def _per_address_and_per(
    key_func: Callable[[], str],
    scope: str,
    setting: str,
    *,
    second_setting: str | None = None,
    deduct_when: Callable[[Response], bool] | None = None,
):
    """Two limits on a view's POSTs: `setting` per client address, and
    `second_setting` (default: the same) per `key_func` (an account, a customer)."""
    per_address = limiter.limit(_setting(setting), methods=["POST"])
    per_key = limiter.limit(
        _setting(second_setting or setting),
        key_func=key_func,
        methods=["POST"],
        deduct_when=deduct_when,
        scope=scope,
    )
    return lambda view: per_address(per_key(view))


# Every login attempt from an address; failed ones against an account, so its owner
# (or anyone) stops getting in for a while once someone has guessed too often.
limit_login = _per_address_and_per(
    _email_key,
    "login-account",
    "LOGIN_RATE_LIMIT",
    second_setting="LOGIN_ACCOUNT_RATE_LIMIT",
    deduct_when=_refused,
)
limit_signup = _per_address_and_per(_email_key, "signup-email", "SIGNUP_RATE_LIMIT")
# Codes are guessable only by trying them: every attempt counts, per address and per
# customer (for a guest, per address only).
limit_discount_codes = _per_address_and_per(
    _customer_key, "discount-customer", "DISCOUNT_CODE_RATE_LIMIT"
)
