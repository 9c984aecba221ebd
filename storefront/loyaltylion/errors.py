"""Typed errors: the outbox retries RetryableError and gives up on PermanentError; the
Headless API client (headless.py) raises HeadlessError and its subclasses."""

from __future__ import annotations

from typing import Any


class LoyaltyLionError(Exception):
    """Base class for everything the client raises."""


class ConfigurationError(LoyaltyLionError):
    """No usable credentials: set LOYALTYLION_API_KEY (or the legacy token + secret)."""


class RetryableError(LoyaltyLionError):
    """Timeout, connection failure, 408, 429 or 5xx: the same request may succeed later."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        ambiguous: bool = False,
    ):
        super().__init__(message)
        self.status = status
        # Seconds the server asked us to wait (429/503 Retry-After), if it said.
        self.retry_after = retry_after
        # The request may have been carried out: it went out and no clear answer came
        # back (a read timeout, a dropped connection, a 5xx). A refused connection or a
        # 429 is not ambiguous: nothing was done.
        self.ambiguous = ambiguous


class PermanentError(LoyaltyLionError):
    """400/401/403/404/422...: sending the same request again will fail the same way."""

    def __init__(self, message: str, *, status: int, details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        # The error envelope's field-level details, e.g. {"customer_email": ["is required"]}.
        self.details = details or {}

    @property
    def not_found(self) -> bool:
        return self.status == 404

    def __str__(self) -> str:
        text = f"{self.status}: {self.message}"
        if self.details:
            text += f" {self.details}"
        return text


# -- Headless API -----------------------------------------------------------------------
# https://developers.loyaltylion.com/headless-api/errors
# "As a general rule, only 422 errors represent a problem that could be relayed to the
# shopper. All other error responses represent either a bug in your integration, an
# authentication issue, or a rate limit being reached."


class HeadlessError(Exception):
    """Anything the Headless API client (headless.py) raises about a call.

    `status` is the HTTP status (None when no answer came), `code` the error envelope's
    `code` (documented for 404, 422 and 429), `message` its `message`, `details` the 400
    envelope's field-level details, `retry_after` the seconds a Retry-After header asked
    for. `method` and `path` name the call (the path has no query string).
    Never carries the API key.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: dict | None = None,
        retry_after: float | None = None,
        method: str = "",
        path: str = "",
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details or {}
        self.retry_after = retry_after
        self.method = method
        self.path = path

    def __str__(self) -> str:
        parts = [f"{self.method} {self.path}:".strip()] if self.method or self.path else []
        if self.status is not None:
            parts.append(str(self.status))
        if self.code:
            parts.append(f"[{self.code}]")
        parts.append(self.message)
        text = " ".join(part for part in parts if part)
        if self.details:
            text += f" {self.details}"
        return text


class HeadlessInvalidRequest(HeadlessError):
    """400: the request failed structural validation, a bug in the integration.
    `details` names the fields, e.g. {"channel": "Invalid option: ..."}. Not for shoppers."""


class HeadlessAuthError(HeadlessError):
    """401 (the API key is invalid) or 403 (the key lacks the permission)."""


class HeadlessNotFound(HeadlessError):
    """404 {"error": {"code": "not_found", "message": ...}}: no such customer, reward or
    rule in LoyaltyLion."""


# The 422 codes of the operations headless.py calls, as the published types list them
# (loyaltylion/typescript-headless-api-client, src/types/api.ts, each operation's 422
# union), in words a shopper can be shown. Shared codes (customer_blocked...) read
# the same whichever call raised them.
SHOPPER_MESSAGES: dict[str, str] = {
    # rewards.redeemCartDiscountVoucher / rewards.redeemFreeShippingVoucher
    "insufficient_points": "You don't have enough points for that reward yet.",
    "reward_out_of_stock": "That reward has run out. Try another one.",
    "reward_limit_reached": "You've claimed that reward as many times as you can for now.",
    "reward_not_enabled_for_customer": "That reward isn't available on your account.",
    "reward_kind_mismatch": "That reward can't be claimed here.",
    # shared by redeem, rules, birthday and email marketing
    "customer_not_enrolled": "Join our rewards program first, then try again.",
    "customer_blocked": "Your account can't use our rewards program. Please contact us.",
    # rules.completeCustom
    "rule_not_enabled_for_customer": "That way to earn points isn't available on your account.",
    "rule_kind_mismatch": "Points can't be earned that way here.",
    "rule_limit_reached": "You've already earned points for that as many times as you can.",
    "rule_requirements_not_met": "You haven't met the requirements to earn those points yet.",
    # customers.setBirthday
    "invalid_date": "That date doesn't look right. Please check it and try again.",
    # customers.emailMarketingSubscribe
    "subscription_failed": "We couldn't sign you up to our emails. Please try again later.",
    "unsupported_platform": "Signing up to our emails isn't available here.",
    # customers.initializeSession
    "email_already_in_use": "That email address is already used by another account.",
}
DEFAULT_SHOPPER_MESSAGE = "We couldn't claim that reward. Please try again."


class HeadlessUnprocessable(HeadlessError):
    """422: the request was right but cannot be done (reward out of stock, not enough
    points...). Always has a `code`; the only kind of error fit to show a shopper, and
    then as `shopper_message`, never the API's own `message`."""

    @property
    def shopper_message(self) -> str:
        return SHOPPER_MESSAGES.get(self.code or "", DEFAULT_SHOPPER_MESSAGE)


class HeadlessRateLimited(HeadlessError):
    """429 {"error": {"code": "rate_limited"}}: wait `retry_after` seconds (if given)."""


class HeadlessUnavailable(HeadlessError):
    """No usable answer: a timeout, a connection failure, a 5xx (or 408), or a 2xx whose
    body is not a JSON object. `ambiguous`: the request went out and may have been
    carried out (a read timeout, a dropped connection, a 5xx); a refused connection or
    a connect timeout is not ambiguous, nothing reached LoyaltyLion."""

    def __init__(self, message: str, *, ambiguous: bool = True, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.ambiguous = ambiguous
