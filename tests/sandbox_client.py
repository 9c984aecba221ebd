"""One client for a running sandbox, for every kind of test: the sandbox's own tests,
the integration tests and the browser tests. `api()` sends the API key, `control()`
calls the test-control routes; the shortcuts assert the call was accepted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json as jsonlib
import time
from datetime import UTC, datetime
from typing import Any

import requests

from loyaltylion_sandbox.constants import (
    SANDBOX_API_KEY,
    SANDBOX_SDK_KEY_ID,
    SANDBOX_SDK_SECRET,
    SANDBOX_SITE_ID,
    SANDBOX_SITE_SECRET,
    SANDBOX_SITE_TOKEN,
)

HEADLESS = f"/headless/2025-06/{SANDBOX_SITE_ID}"


def auth_token(customer_id: str, date: str, email: str, secret: str = SANDBOX_SITE_SECRET) -> str:
    """The documented SDK auth token, computed independently of the sandbox's code."""
    return hashlib.sha1(
        f"{customer_id}{date}{email}{secret}".encode(), usedforsecurity=False
    ).hexdigest()


def headless_session_token(
    merchant_id: str,
    *,
    ttl: int = 600,
    key_id: str = SANDBOX_SDK_KEY_ID,
    secret: str = SANDBOX_SDK_SECRET,
    site_id: int = SANDBOX_SITE_ID,
    issued_at: int | None = None,
) -> str:
    """A Headless customer session token as the sandbox reads them (docs/sandbox.md),
    computed independently of the sandbox's code: base64(compact JSON payload) + "." +
    hex HMAC-SHA256(secret, that base64 text)."""
    now = int(time.time()) if issued_at is None else issued_at
    payload = {
        "key_id": key_id,
        "site_id": site_id,
        "merchant_id": merchant_id,
        "iat": now,
        "exp": now + ttl,
    }
    encoded = base64.b64encode(jsonlib.dumps(payload, separators=(",", ":")).encode()).decode()
    signature = hmac.new(secret.encode(), encoded.encode(), hashlib.sha256).hexdigest()
    return f"{encoded}.{signature}"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class SandboxClient:
    """requests against a running sandbox: `api()` sends the API key, `control()` not."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url
        self.http = requests.Session()

    def close(self) -> None:
        self.http.close()

    def api(self, method: str, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {SANDBOX_API_KEY}", **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 10)
        if json is not None:
            kwargs["json"] = json
        return self.http.request(method, self.url + path, headers=headers, **kwargs)

    def control(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.http.request(method, self.url + "/_sandbox" + path, **kwargs)

    # Shortcuts for the common calls; they assert the call was accepted.

    def reset(self) -> None:
        assert self.control("POST", "/reset").status_code == 200

    def signup(self, customer_id: str, email: str | None = None, **extra: Any) -> None:
        body = {
            "name": "$signup",
            "customer_id": customer_id,
            "customer_email": email or f"{customer_id}@example.com",
            "guest": False,
            **extra,
        }
        response = self.api("POST", "/v2/activities", body)
        assert response.status_code == 201, response.text

    def create_order(self, merchant_id: str, customer_id: str, **fields: Any) -> None:
        body = order_body(merchant_id, customer_id, **fields)
        response = self.api("POST", "/v2/orders", body)
        assert response.status_code == 201, response.text

    def update_order(self, merchant_id: str, **state: Any) -> requests.Response:
        return self.api("PUT", f"/v2/orders/{merchant_id}", order_state(**state))

    def get(self, path: str) -> Any:
        """GET any path (the API's or a control route's); the JSON of a 2xx answer."""
        response = self.http.get(self.url + path, timeout=10)
        response.raise_for_status()
        return response.json()

    def customer(self, merchant_id: str | int) -> dict[str, Any] | None:
        """The sandbox's record of a customer (points, balances), None if it has none."""
        response = self.control("GET", f"/customers/{merchant_id}")
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.json()

    def order(self, merchant_id: str | int) -> dict[str, Any] | None:
        response = self.control("GET", f"/orders/{merchant_id}")
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.json()

    def balances(self, merchant_id: str) -> dict[str, int]:
        customer = self.customer(merchant_id)
        assert customer is not None, f"the sandbox has no customer {merchant_id}"
        return customer["balances"]

    def sdk_login(self, customer_id: str, email: str) -> dict[str, Any]:
        """POST /sdk/session with a valid, fresh customer auth token: the SDK's view."""
        date = now_iso()
        response = self.http.post(
            self.url + "/sdk/session",
            json={
                "token": SANDBOX_SITE_TOKEN,
                "customer": {"id": customer_id, "email": email},
                "auth": {"date": date, "token": auth_token(customer_id, date, email)},
            },
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def log(self, path: str = "", **filters: Any) -> list[dict[str, Any]]:
        """The request log, newest first (filters: method, verdict, limit)."""
        params = {"path": path, **filters}
        return self.control("GET", "/requests", params=params).json()["requests"]

    def webhooks(self, **filters: Any) -> list[dict[str, Any]]:
        response = self.control("GET", "/webhooks", params=filters)
        assert response.status_code == 200, response.text
        return response.json()["webhooks"]

    def deliver(self, **options: Any) -> list[dict[str, Any]]:
        """Attempt the due webhooks now; returns the deliveries attempted."""
        response = self.control("POST", "/webhooks/deliver", json=options)
        assert response.status_code == 200, response.text
        return response.json()["attempted"]

    def subscribe(self, topic: str, address: str) -> dict[str, Any]:
        """POST /v2/webhooks, as the shop's `loyaltylion webhooks subscribe` does."""
        body = {"webhook": {"topic": topic, "address": address}}
        response = self.api("POST", "/v2/webhooks", body)
        assert response.status_code == 201, response.text
        return response.json()["webhook"]

    def point_webhooks_at(self, url: str | None) -> None:
        response = self.control("POST", "/settings", json={"webhook_url": url})
        assert response.status_code == 200, response.text

    def settings(self, **changes: Any) -> dict[str, Any]:
        """POST /_sandbox/settings (a partial update); the settings now in force."""
        response = self.control("POST", "/settings", json=changes)
        assert response.status_code == 200, response.text
        return response.json()["settings"]

    def drift(self, merchant_id: str, **fields: Any) -> dict[str, Any]:
        """Change a stored order as LoyaltyLion's own admin would; the order's JSON."""
        response = self.control("POST", f"/orders/{merchant_id}/drift", json=fields)
        assert response.status_code == 200, response.text
        return response.json()

    def forget_order(self, merchant_id: str) -> None:
        """Make the sandbox forget an order, as if LoyaltyLion never received it."""
        response = self.control("DELETE", f"/orders/{merchant_id}")
        assert response.status_code == 204, response.text

    def reward_codes(self, reward_id: int) -> list[dict[str, str]]:
        """The codes imported into a reward: [{"code", "state"}], in import order."""
        response = self.control("GET", f"/rewards/{reward_id}/codes")
        assert response.status_code == 200, response.text
        return response.json()["codes"]

    def headless(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        channel: str | None = "web",
        token: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """A Headless API call: `path` after /headless/2025-06/<site id> (or a full path
        starting with /headless/), the API key unless `token` (a session token) is given,
        and the channel header unless `channel` is None."""
        headers = {"Authorization": f"Bearer {token or SANDBOX_API_KEY}"}
        if channel is not None:
            headers["X-LoyaltyLion-Channel"] = channel
        headers.update(kwargs.pop("headers", {}))
        kwargs.setdefault("timeout", 10)
        if json is not None:
            kwargs["json"] = json
        url = self.url + (path if path.startswith("/headless/") else HEADLESS + path)
        return self.http.request(method, url, headers=headers, **kwargs)

    def headless_get(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """GET a Headless path; the JSON of the 200 answer."""
        response = self.headless("GET", path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def headless_post(self, path: str, json: Any = None, **kwargs: Any) -> dict[str, Any]:
        """POST to a Headless path; the JSON of the 2xx answer."""
        response = self.headless("POST", path, json, **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def headless_customer(self, merchant_id: str) -> dict[str, Any]:
        """The customer as the Headless API's getCustomer shows it."""
        return self.headless_get(f"/customers/{merchant_id}")["customer"]

    def set_faults(self, mode: str, *, scope: str = "admin", **fault: Any) -> dict[str, Any]:
        """POST /_sandbox/faults; `scope` "admin" (default), "headless" or "all"."""
        response = self.control("POST", "/faults", json={"mode": mode, "scope": scope, **fault})
        assert response.status_code == 200, response.text
        return response.json()["fault"]

    def create_reward(self, **fields: Any) -> dict[str, Any]:
        """POST /_sandbox/rewards (kind "voucher", "free_shipping" or "custom")."""
        response = self.control("POST", "/rewards", json=fields)
        assert response.status_code == 201, response.text
        return response.json()["reward"]

    def import_codes(self, reward_id: int, codes: list[str]) -> dict[str, Any]:
        response = self.control("POST", f"/rewards/{reward_id}/codes", json={"codes": codes})
        assert response.status_code == 201, response.text
        return response.json()

    def list_customer(self, merchant_id: str) -> dict[str, Any]:
        """The customer as GET /v2/customers?merchant_id= answers it."""
        response = self.api("GET", "/v2/customers", params={"merchant_id": merchant_id})
        assert response.status_code == 200, response.text
        [customer] = response.json()["customers"]
        return customer


def order_body(merchant_id: str, customer_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "merchant_id": merchant_id,
        "customer_id": customer_id,
        "customer_email": f"{customer_id}@example.com",
        "total": "59.95",
        "total_shipping": "5.95",
        "payment_status": "not_paid",
    }
    body.update(fields)
    return body


def order_state(**state: Any) -> dict[str, Any]:
    body = {
        "payment_status": "paid",
        "refund_status": "not_refunded",
        "cancellation_status": "not_cancelled",
        "total_paid": "59.95",
        "total_refunded": "0.00",
    }
    body.update(state)
    return body
