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
from flask_login import current_user

from storefront.extensions import limiter


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _email_key() -> str:
    # The address as the account is stored (models.User.normalize_email), bounded.
    return "email:" + request.form.get("email", "").strip().lower()[:254]


def _customer_key() -> str:
    return f"customer:{current_user.id}" if current_user.is_authenticated else "customer:-"


def _refused(response: Response) -> bool:
    return response.status_code in (400, 401, 409)


def _both(*decorators):
    def apply(view):
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return apply


# Every login attempt from an address; failed ones against an account, so its owner
# (or anyone) stops getting in for a while once someone has guessed too often.
limit_login = _both(
    limiter.limit(_setting("LOGIN_RATE_LIMIT"), methods=["POST"]),
    limiter.limit(
        _setting("LOGIN_ACCOUNT_RATE_LIMIT"),
        key_func=_email_key,
        methods=["POST"],
        deduct_when=_refused,
        scope="login-account",
    ),
)

limit_signup = _both(
    limiter.limit(_setting("SIGNUP_RATE_LIMIT"), methods=["POST"]),
    limiter.limit(
        _setting("SIGNUP_RATE_LIMIT"), key_func=_email_key, methods=["POST"], scope="signup-email"
    ),
)

# Codes are guessable only by trying them: every attempt counts, per address and per
# customer (the checkout needs an account).
limit_discount_codes = _both(
    limiter.limit(_setting("DISCOUNT_CODE_RATE_LIMIT"), methods=["POST"]),
    limiter.limit(
        _setting("DISCOUNT_CODE_RATE_LIMIT"),
        key_func=_customer_key,
        methods=["POST"],
        scope="discount-customer",
    ),
)
