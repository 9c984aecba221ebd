"""A small, strict client for LoyaltyLion's Headless API, version 2025-06.

Docs: https://developers.loyaltylion.com/headless-api/introduction (authentication,
site_id, channel, language), https://developers.loyaltylion.com/headless-api/errors,
and one page per endpoint, linked at each method below. The request bodies follow the
published request types of LoyaltyLion's official client,
github.com/loyaltylion/typescript-headless-api-client (src/types/schemas.ts, whose
paths and operations are in src/types/api.ts): field for field, optional fields left
out rather than sent as null.

Like the Admin API client (client.py): one `requests.Session`, explicit connect/read
timeouts, typed errors (errors.HeadlessError and its subclasses), and no retries of
its own. The Headless API sits in a shopper's page, so the timeouts are short (1 s to
connect, 2 s to read, by default) and the shop wraps every call in a page budget on
top of them (headless_view.py): a slow API costs a page at most that budget, and the
caller decides what to do after a failure.

Authentication is an API key sent as a Bearer token; "The legacy token & secret
authentication method is not supported" by the Headless API (introduction).
The key is never put in an exception or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests

from .client import DEFAULT_API_URL, USER_AGENT, never_connected, parse_retry_after
from .errors import (
    ConfigurationError,
    HeadlessAuthError,
    HeadlessError,
    HeadlessInvalidRequest,
    HeadlessNotFound,
    HeadlessRateLimited,
    HeadlessUnavailable,
    HeadlessUnprocessable,
)

log = logging.getLogger(__name__)

HEADLESS_VERSION = "2025-06"
# The reward kinds this client can redeem: both hand back a voucher code for the cart.
REDEEMABLE_KINDS = ("cart_discount_voucher", "free_shipping_voucher")
# SupportedChannel in the published types.
CHANNELS = ("web", "pos", "mobile")
# CartEmpty | CartShopify, the `cart` of CustomersInitializeSessionRequestBody.
_CART_FIELDS = {"empty": {"kind"}, "shopify": {"kind", "id", "cost", "lines"}}
_REDACTED = "[redacted]"


class HeadlessClient:
    """The Headless API for one site and one channel.

    Every method returns the parsed JSON object of a 2xx answer, or raises:
    HeadlessInvalidRequest (400), HeadlessAuthError (401/403), HeadlessNotFound (404),
    HeadlessUnprocessable (422: the only one whose `shopper_message` may be shown),
    HeadlessRateLimited (429), HeadlessUnavailable (timeouts, connection failures, 408,
    5xx, or a 2xx that is not a JSON object), HeadlessError (any other status).
    Bad arguments raise ValueError before anything is sent.
    """

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        *,
        api_key: str,
        site_id: str | int,
        channel: str = "web",
        language: str | None = None,
        connect_timeout: float = 1.0,
        read_timeout: float = 2.0,
        session: requests.Session | None = None,
        user_agent: str = USER_AGENT,
    ):
        if not api_key or not isinstance(api_key, str):
            raise ConfigurationError(
                "LoyaltyLion Headless API: set LOYALTYLION_API_KEY. The Headless API "
                "takes an API key only; the legacy token and secret are not supported."
            )
        if api_key != api_key.strip() or not api_key.isprintable():
            # requests would refuse the header and quote the value in its exception.
            raise ConfigurationError(
                "LoyaltyLion Headless API: LOYALTYLION_API_KEY has whitespace or control "
                "characters in it."
            )
        site = str(site_id).strip() if site_id is not None and not isinstance(site_id, bool) else ""
        if not (site.isascii() and site.isdigit()):
            raise ConfigurationError(
                "LoyaltyLion Headless API: set LOYALTYLION_SITE_ID to your site's numeric "
                "ID (the number after /sites/ in LoyaltyLion's URL)."
            )
        if channel not in CHANNELS:
            raise ConfigurationError(
                f"LoyaltyLion Headless API: channel {channel!r} is not one of "
                f"{', '.join(CHANNELS)}."
            )
        self.api_url = api_url.rstrip("/")
        self.site_id = site
        self.channel = channel
        self.language = language or None
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()
        self._api_key = api_key
        # Sent with each request rather than set on the session, so a session handed in
        # by the caller does not carry the key to anything else.
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            # "a channel property passed as a query parameter or header" (introduction)
            "X-LoyaltyLion-Channel": channel,
            "Accept": "application/json",
            "User-Agent": user_agent,
        }

    def __repr__(self) -> str:
        return (
            f"HeadlessClient({self.api_url!r}, site_id={self.site_id!r}, channel={self.channel!r})"
        )

    # -- transport ---------------------------------------------------------------------

    def _path(self, *parts: str) -> str:
        return "/".join(("", "headless", HEADLESS_VERSION, self.site_id, *parts))

    def request(self, method: str, path: str, *, json: Mapping[str, Any] | None = None) -> dict:
        """Send one request; return the 2xx answer's JSON object or raise a HeadlessError.

        `language`, when set, goes as the documented `language` query parameter ("The
        language to use for the request. If not provided, the site's default language
        will be used"). Redirects are not followed: the API documents none, and a POST
        must not be replayed somewhere else.
        """
        params = {"language": self.language} if self.language else None
        try:
            response = self.session.request(
                method,
                f"{self.api_url}{path}",
                json=json,
                params=params,
                headers=self._headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.ConnectTimeout as error:  # never connected: nothing was sent
            raise self._unavailable(method, path, "timed out connecting", False) from error
        except requests.Timeout as error:  # sent, and no answer in time
            raise self._unavailable(
                method, path, "timed out waiting for the answer", True
            ) from error
        except requests.ConnectionError as error:
            raise self._unavailable(
                method, path, "connection failed", not never_connected(error)
            ) from error
        except requests.RequestException as error:
            raise self._unavailable(method, path, error.__class__.__name__, True) from error

        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if 200 <= status < 300:
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                return body
            self._log(method, path, status, "not_json")
            raise HeadlessUnavailable(
                "the answer is not a JSON object",
                status=status,
                method=method,
                path=path,
                ambiguous=True,
            )

        message, code, details = _error_envelope(response)
        message = self._scrub(message)
        details = {self._scrub(str(k)): self._scrub(str(v)) for k, v in details.items()}
        code = self._scrub(code) if code else None
        self._log(method, path, status, code)
        fields: dict[str, Any] = {
            "status": status,
            "code": code,
            "details": details,
            "retry_after": retry_after,
            "method": method,
            "path": path,
        }
        if status == 400:
            raise HeadlessInvalidRequest(message, **fields)
        if status in (401, 403):
            raise HeadlessAuthError(message, **fields)
        if status == 404:
            raise HeadlessNotFound(message, **fields)
        if status == 422:
            raise HeadlessUnprocessable(message, **fields)
        if status == 429:
            raise HeadlessRateLimited(message, **fields)
        if status == 408 or status >= 500:
            # A 5xx may come after the work was done; a 408 is the server giving up
            # before it answered, which may also be after the work.
            raise HeadlessUnavailable(message, ambiguous=True, **fields)
        raise HeadlessError(message, **fields)

    def _unavailable(
        self, method: str, path: str, what: str, ambiguous: bool
    ) -> HeadlessUnavailable:
        self._log(method, path, None, what.replace(" ", "_"))
        return HeadlessUnavailable(what, method=method, path=path, ambiguous=ambiguous)

    def _log(self, method: str, path: str, status: int | None, code: str | None) -> None:
        # Method, path (no query string), status, code: no key, no message text (a
        # message may quote a shopper's details).
        log.warning(
            "LoyaltyLion Headless API %s %s failed: status=%s code=%s",
            method,
            path,
            status if status is not None else "-",
            code or "-",
        )

    def _scrub(self, text: str) -> str:
        """The API key, should an answer ever echo it, never leaves this client."""
        return text.replace(self._api_key, _REDACTED) if self._api_key in text else text

    # -- endpoints -----------------------------------------------------------------------

    def get_configuration(self) -> dict:
        """GET /headless/2025-06/{site_id}/configuration → 200 SiteConfiguration: the
        program's rules, rewards and tiers for this channel. Rate limited to 100 requests
        per second; LoyaltyLion suggests caching it (max 30 seconds) if called per page.
        https://developers.loyaltylion.com/headless-api/2025-06/configuration/get-configuration
        """
        return self.request("GET", self._path("configuration"))

    def get_customer(self, merchant_id: str) -> dict:
        """GET /headless/2025-06/{site_id}/customers/{merchant_id} → 200
        CustomersGetCustomerResponseBody. Read-only: creates and enrolls nobody, and
        raises HeadlessNotFound when LoyaltyLion has no such customer.
        https://developers.loyaltylion.com/headless-api/2025-06/customers/get-customer
        """
        return self.request("GET", self._path("customers", _merchant(merchant_id)))

    def initialize_session(
        self,
        merchant_id: str,
        *,
        customer: Mapping[str, Any],
        cart: Mapping[str, Any] | None = None,
        session: Mapping[str, Any] | None = None,
    ) -> dict:
        """POST /headless/2025-06/{site_id}/customers/{merchant_id}/sessions → 200
        CustomersInitializeSessionResponseBody (the customer and the full configuration).
        May create and enroll the customer, and trigger rules (pageview, join program).
        https://developers.loyaltylion.com/headless-api/2025-06/customers/initialize-session

        Body, CustomersInitializeSessionRequestBody:
            {"customer": {"email": str},              required (used if the customer
                                                      is created)
             "session": {"page_url": str},            optional; page_url optional
             "cart": {"kind": "empty"} | CartShopify} optional
        `customer` is required by the type, so it is required here. The official client
        takes the merchant ID as `customer.id` and moves it to the path; here it is the
        first argument. `session` and `cart` are left out when None (and `session`
        when it holds nothing). A CartShopify is {"kind": "shopify", "id", "cost",
        "lines"}, passed through as given.
        """
        body: dict[str, Any] = {"customer": _customer(customer)}
        if session is not None:
            session_body = _session(session)
            if session_body:
                body["session"] = session_body
        if cart is not None:
            body["cart"] = _cart(cart)
        return self.request(
            "POST", self._path("customers", _merchant(merchant_id), "sessions"), json=body
        )

    def redeem(self, kind: str, *, reward_id: int, merchant_id: str) -> dict:
        """POST /headless/2025-06/{site_id}/rewards/{kind}/redeem → 201: the new claimed
        reward and its `voucher_code`, for `kind` in REDEEMABLE_KINDS.

        Body, RewardsRedeemCartDiscountVoucherRequestBody and
        RewardsRedeemFreeShippingVoucherRequestBody (the same two fields):
            {"reward_id": int, "customer_merchant_id": str}
        Neither type has a `cart` field, so none is sent (the customer must be
        `enrolled`). The path is the one of the published types and the official client
        (`/rewards/cart_discount_voucher/redeem`); a docs page has been seen showing
        `/redeem/cart_discount_voucher`, which the types do not have.
        https://developers.loyaltylion.com/headless-api/2025-06/reward-redemption/cart-discount-voucher
        https://developers.loyaltylion.com/headless-api/2025-06/reward-redemption/free-shipping-voucher
        """
        if kind not in REDEEMABLE_KINDS:
            raise ValueError(f"cannot redeem a {kind!r} reward: only {', '.join(REDEEMABLE_KINDS)}")
        body = {
            "reward_id": _positive_int("reward_id", reward_id),
            "customer_merchant_id": _merchant_id(merchant_id),
        }
        return self.request("POST", self._path("rewards", kind, "redeem"), json=body)

    def redeem_cart_discount_voucher(self, *, reward_id: int, merchant_id: str) -> dict:
        """redeem("cart_discount_voucher", ...): a fixed or percentage cart discount code.
        https://developers.loyaltylion.com/headless-api/2025-06/reward-redemption/cart-discount-voucher
        """
        return self.redeem("cart_discount_voucher", reward_id=reward_id, merchant_id=merchant_id)

    def redeem_free_shipping_voucher(self, *, reward_id: int, merchant_id: str) -> dict:
        """redeem("free_shipping_voucher", ...): a free shipping code.
        https://developers.loyaltylion.com/headless-api/2025-06/reward-redemption/free-shipping-voucher
        """
        return self.redeem("free_shipping_voucher", reward_id=reward_id, merchant_id=merchant_id)

    def set_birthday(self, merchant_id: str, *, month: int, day: int, year: int) -> dict:
        """POST /headless/2025-06/{site_id}/customers/{merchant_id}/birthday → 200
        CustomersSetBirthdayResponseBody (`updated` is false if a birthday was already
        set). The customer must be `enrolled`.
        https://developers.loyaltylion.com/headless-api/2025-06/customers/set-birthday

        Body, CustomersSetBirthdayRequestBody:
            {"birthday": {"month": int, "day": int, "year": int}}
        `year` is required by the type ("between 1900 and the current year. If the
        program has been configured to only save birthday month and day, the year will
        be discarded"), so it is required here. The documented ranges (month 1-12, day
        1-31, year 1900-this year) are checked before sending; whether the day exists in
        that month is LoyaltyLion's to say (422 invalid_date).
        """
        this_year = datetime.now(UTC).year
        birthday = {
            "month": _int_between("month", month, 1, 12),
            "day": _int_between("day", day, 1, 31),
            "year": _int_between("year", year, 1900, this_year),
        }
        return self.request(
            "POST",
            self._path("customers", _merchant(merchant_id), "birthday"),
            json={"birthday": birthday},
        )

    def subscribe_to_email_marketing(self, merchant_id: str) -> dict:
        """POST /headless/2025-06/{site_id}/customers/{merchant_id}/email_marketing/subscribe
        → 200 CustomersEmailMarketingSubscribeResponseBody. No body (the operation has
        none). LoyaltyLion documents it for Shopify stores only for now; elsewhere expect
        422 unsupported_platform.
        https://developers.loyaltylion.com/headless-api/2025-06/customers/subscribe-email-marketing
        """
        return self.request(
            "POST",
            self._path("customers", _merchant(merchant_id), "email_marketing", "subscribe"),
        )

    def complete_custom_rule(self, merchant_id: str, *, rule_id: int) -> dict:
        """POST /headless/2025-06/{site_id}/rules/custom/complete → 200
        RulesCompleteCustomResponseBody (the resulting actions and the customer).
        https://developers.loyaltylion.com/headless-api/2025-06/complete-rules/custom

        Body, RulesCompleteCustomRequestBody (its only two fields):
            {"rule_id": int, "customer_merchant_id": str}
        `rule_id` is LoyaltyLion's numeric ID of the rule (in the configuration's
        `rules`), not the Admin API activity name. The customer must be `enrolled`.
        """
        body = {
            "rule_id": _positive_int("rule_id", rule_id),
            "customer_merchant_id": _merchant_id(merchant_id),
        }
        return self.request("POST", self._path("rules", "custom", "complete"), json=body)

    def close(self) -> None:
        self.session.close()


# -- arguments ---------------------------------------------------------------------------


def _merchant_id(merchant_id: str) -> str:
    if isinstance(merchant_id, bool) or not isinstance(merchant_id, str | int):
        raise ValueError("merchant_id must be the customer's ID in the store")
    text = str(merchant_id)
    if not text.strip():
        raise ValueError("merchant_id must not be empty")
    return text


def _merchant(merchant_id: str) -> str:
    """The merchant ID as a path segment: every reserved character percent-encoded, as
    the official client's encodeURIComponent does (a Shopify GID "must" be encoded,
    e.g. gid%3A%2F%2Fshopify%2FCustomer%2F1001). "." and ".." are refused: they stay
    as they are, and a URL parser removes them as dot segments, which would send the
    call to another endpoint."""
    segment = quote(_merchant_id(merchant_id), safe="")
    if segment in (".", ".."):
        raise ValueError(f"merchant_id {merchant_id!r} cannot be a path segment")
    return segment


def _positive_int(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, not {value!r}")
    return value


def _int_between(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, not {value!r}")
    return value


def _only(name: str, given: Mapping[str, Any], allowed: set[str]) -> None:
    if not isinstance(given, Mapping):
        raise ValueError(f"{name} must be a mapping")
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise ValueError(f"{name} has no field {', '.join(map(repr, unknown))} in the API's type")


def _customer(customer: Mapping[str, Any]) -> dict[str, str]:
    _only("customer", customer, {"email"})
    email = customer.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise ValueError("customer['email'] is required: an email address")
    return {"email": email}


def _session(session: Mapping[str, Any]) -> dict[str, str]:
    _only("session", session, {"page_url"})
    page_url = session.get("page_url")
    if page_url is None:
        return {}
    if not isinstance(page_url, str) or not page_url:
        raise ValueError("session['page_url'] must be a URL")
    return {"page_url": page_url}


def _cart(cart: Mapping[str, Any]) -> dict[str, Any]:
    kind = cart.get("kind") if isinstance(cart, Mapping) else None
    if kind not in _CART_FIELDS:
        raise ValueError('cart must be {"kind": "empty"} or a {"kind": "shopify", ...} cart')
    _only("cart", cart, _CART_FIELDS[kind])
    missing = sorted(_CART_FIELDS[kind] - set(cart))
    if missing:
        raise ValueError(f"cart is missing {', '.join(missing)}")
    return dict(cart)


# -- answers ------------------------------------------------------------------------------


def _error_envelope(response: requests.Response) -> tuple[str, str | None, dict]:
    """Headless errors look like {"error": {"message": ..., "code": ..., "details": {...}}}:
    400 has message and details, 401/403 a message, 404 code "not_found" and a message,
    422 always a code (message optional), 429 code "rate_limited" (no message)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    fallback = response.reason or f"HTTP {response.status_code}"
    if not (isinstance(body, dict) and isinstance(body.get("error"), dict)):
        return fallback, None, {}
    error = body["error"]
    code = error.get("code")
    details = error.get("details")
    return (
        str(error.get("message") or fallback),
        str(code) if isinstance(code, str) and code else None,
        details if isinstance(details, dict) else {},
    )
