"""A small, strict client for LoyaltyLion's Admin API v2.

Docs: https://developers.loyaltylion.com/api-reference (authentication, rate limits,
errors) and one page per endpoint, linked at each method below.

One `requests.Session` (connection reuse), explicit connect/read timeouts, typed errors.
It never retries by itself: the outbox decides when to try again, so a slow API can
never hold a shopper's request.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests
import urllib3

from .errors import ConfigurationError, PermanentError, RetryableError
from .payloads import iso8601

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.loyaltylion.com"
# The default; LOYALTYLION_USER_AGENT names your store instead, which helps
# LoyaltyLion's support find your requests.
USER_AGENT = "loyaltylion-flask/1.0 (+python-requests)"
# Statuses worth another try. 408/425 are rare, but they are the server saying "later".
_RETRYABLE_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds ("2") or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # asctime and "-0000" forms are GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class LoyaltyLionClient:
    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        *,
        api_key: str = "",
        site_token: str = "",
        site_secret: str = "",
        site_id: str | int | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        session: requests.Session | None = None,
        user_agent: str = USER_AGENT,
    ):
        self.api_url = api_url.rstrip("/")
        self.site_id = str(site_id) if site_id not in (None, "") else None
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        if api_key:
            # Current scheme: an API key as a Bearer token.
            # https://developers.loyaltylion.com/api-reference (Authentication)
            self.session.headers["Authorization"] = f"Bearer {api_key}"
            self.auth_scheme = "bearer"
        elif site_token and site_secret:
            # Legacy scheme, deprecated by LoyaltyLion and supported until 2027-01-10.
            log.warning(
                "LoyaltyLion: no API key set, falling back to the deprecated token+secret "
                "Basic auth. Create an API key and set LOYALTYLION_API_KEY."
            )
            self.session.auth = (site_token, site_secret)
            self.auth_scheme = "basic"
        else:
            raise ConfigurationError(
                "LoyaltyLion credentials missing: set LOYALTYLION_API_KEY "
                "(or LOYALTYLION_TOKEN and LOYALTYLION_SECRET)."
            )

    # -- transport ---------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> requests.Response:
        """Send one request; return the 2xx response or raise a typed error."""
        query = dict(params or {})
        url = f"{self.api_url}{path}"
        try:
            response = self.session.request(
                method, url, json=json, params=query or None, timeout=self.timeout
            )
        except requests.ConnectTimeout as error:  # never connected: nothing was sent
            raise RetryableError(f"{method} {path}: timed out connecting") from error
        except requests.Timeout as error:  # sent, and no answer in time
            raise RetryableError(
                f"{method} {path}: timed out ({error.__class__.__name__})", ambiguous=True
            ) from error
        except requests.ConnectionError as error:
            raise RetryableError(
                f"{method} {path}: connection failed", ambiguous=not never_connected(error)
            ) from error
        except requests.RequestException as error:
            raise RetryableError(
                f"{method} {path}: {error.__class__.__name__}", ambiguous=True
            ) from error

        if response.status_code < 300:
            return response
        message, details = _error_envelope(response)
        if response.status_code in _RETRYABLE_STATUSES:
            raise RetryableError(
                f"{method} {path}: {response.status_code} {message}",
                status=response.status_code,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                # A 5xx may come after the work was done; a 408, 425 or 429 is a refusal.
                ambiguous=response.status_code >= 500,
            )
        raise PermanentError(message, status=response.status_code, details=details)

    # -- endpoints -----------------------------------------------------------------------

    def _site(self) -> dict[str, str]:
        """`?site_id=`, for the endpoints that document it (create activity, create order):
        "only required for programs that have multiple sites"."""
        return {"site_id": self.site_id} if self.site_id is not None else {}

    def track_activity(self, payload: Mapping[str, Any]) -> None:
        """POST /v2/activities → 201. Signups ($signup) and custom rules (newsletter, reviews).
        https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
        """
        self.request("POST", "/v2/activities", json=payload, params=self._site())

    def list_activities(
        self, created_at_min: datetime | None = None, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """GET /v2/activities, 500 at a time, newest first: one page and the next cursor.
        The documented filters are dates and since_id, not merchant_id or customer.
        https://developers.loyaltylion.com/api-reference/v2/resources/activities/list-activities
        """
        params: dict[str, Any] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        elif created_at_min is not None:
            params["created_at_min"] = iso8601(created_at_min)
        data = self.request("GET", "/v2/activities", params=params).json()
        return list(data.get("activities", [])), (data.get("cursor") or {}).get("next")

    def update_activity_state(self, name: str, merchant_id: str, state: str) -> None:
        """PUT /v2/activities/{name}/{merchant_id} {"state": ...} → 204.
        https://developers.loyaltylion.com/api-reference/v2/resources/activities/update-activity
        """
        path = f"/v2/activities/{quote(name, safe='$')}/{quote(str(merchant_id), safe='')}"
        self.request("PUT", path, json={"state": state})

    def create_order(self, payload: Mapping[str, Any]) -> None:
        """POST /v2/orders → 201.
        https://developers.loyaltylion.com/api-reference/v2/resources/orders/create-order
        """
        self.request("POST", "/v2/orders", json=payload, params=self._site())

    def update_order(self, merchant_id: str, payload: Mapping[str, Any]) -> None:
        """PUT /v2/orders/{merchant_id} → 204. A full, idempotent state update.
        https://developers.loyaltylion.com/api-reference/v2/resources/orders/update-order
        """
        self.request("PUT", f"/v2/orders/{quote(str(merchant_id), safe='')}", json=payload)

    def get_order(self, merchant_id: str) -> dict | None:
        """GET /v2/orders/{merchant_id}: the order, or None when LoyaltyLion has none.
        https://developers.loyaltylion.com/api-reference/v2/resources/orders/get-order
        """
        try:
            response = self.request("GET", f"/v2/orders/{quote(str(merchant_id), safe='')}")
        except PermanentError as error:
            if error.not_found:
                return None
            raise
        return response.json()

    def list_orders(
        self,
        updated_at_min: datetime | None = None,
        cursor: str | None = None,
        limit: int = 500,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """GET /v2/orders, newest first: one page and the cursor of the next (None at the
        end). With a cursor "any other filtering params will be ignored. Only the `limit`
        parameter will be recognized", so the filter goes with the first request only.
        https://developers.loyaltylion.com/api-reference/v2/resources/orders/list-orders
        https://developers.loyaltylion.com/api-reference/pagination
        """
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        elif updated_at_min is not None:
            params["updated_at_min"] = iso8601(updated_at_min)
        data = self.request("GET", "/v2/orders", params=params).json()
        return list(data.get("orders", [])), (data.get("cursor") or {}).get("next")

    def update_customer(self, merchant_id: str, payload: Mapping[str, Any]) -> None:
        """PATCH /v2/customers/{merchant_id} {"customer": {"birthday": ...}} → 200.
        https://developers.loyaltylion.com/api-reference/v2/resources/customers/update-customer
        """
        self.request("PATCH", f"/v2/customers/{quote(str(merchant_id), safe='')}", json=payload)

    def list_webhooks(self) -> list[dict[str, Any]]:
        """GET /v2/webhooks: the subscriptions this key made.
        https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/list-webhooks
        """
        return list(self.request("GET", "/v2/webhooks").json().get("webhooks", []))

    def create_webhook(self, topic: str, address: str) -> dict[str, Any]:
        """POST /v2/webhooks → 201: send `topic` events to `address` (https://).
        https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/create-webhook
        """
        body = {"webhook": {"topic": topic, "address": address}}
        return dict(self.request("POST", "/v2/webhooks", json=body).json()["webhook"])

    def delete_webhook(self, webhook_id: int) -> None:
        """DELETE /v2/webhooks/{webhook_id} → 204.
        https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/delete-webhook
        """
        self.request("DELETE", f"/v2/webhooks/{int(webhook_id)}")

    def whoami(self) -> dict:
        """GET /v2/identity/whoami: 200 when the key works, 401 otherwise."""
        return self.request("GET", "/v2/identity/whoami").json()

    def close(self) -> None:
        self.session.close()


def never_connected(error: requests.ConnectionError) -> bool:
    """A refused or unresolvable connection: the request never left this machine."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _error_envelope(response: requests.Response) -> tuple[str, dict]:
    """LoyaltyLion errors look like {"error": {"message": "...", "details": {...}}}."""
    try:
        body = response.json()
    except ValueError:
        body = None
    fallback = response.reason or f"HTTP {response.status_code}"
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        details = error.get("details")
        return str(error.get("message") or fallback), details if isinstance(details, dict) else {}
    return fallback, {}
