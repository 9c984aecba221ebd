"""Helpers shared by the sandbox tests (imported by conftest.py and the tests)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from flask import Flask, request

from loyaltylion_sandbox import create_app
from loyaltylion_sandbox.constants import SANDBOX_API_KEY, SANDBOX_SITE_SECRET, SANDBOX_SITE_TOKEN
from loyaltylion_sandbox.db import db
from loyaltylion_sandbox.server import start_server

SHOP_ORIGIN = "http://shop.test"


def make_sandbox_app(db_path: Path, **config: Any) -> Flask:
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        # Tests fire requests back to back; the limit gets its own tests.
        "SANDBOX_RATE_LIMIT": 100_000,
        "SANDBOX_SHOP_ORIGIN": SHOP_ORIGIN,
        # Tests decide when webhooks go out (POST /_sandbox/webhooks/deliver), and a
        # failed one is due again at once.
        "SANDBOX_WEBHOOK_SENDER": "manual",
        "SANDBOX_WEBHOOK_RETRY_SECONDS": 0,
    }
    settings.update(config)
    return create_app(settings)


def dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


def auth_token(customer_id: str, date: str, email: str, secret: str = SANDBOX_SITE_SECRET) -> str:
    """The documented SDK auth token, computed independently of the sandbox's code."""
    return hashlib.sha1(
        f"{customer_id}{date}{email}{secret}".encode(), usedforsecurity=False
    ).hexdigest()


def hmac_signature(body: bytes, secret: str = SANDBOX_SITE_SECRET) -> str:
    """The documented webhook signature, computed independently of the sandbox's code."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/webhooks/loyaltylion"


class Receiver:
    """A tiny store webhook endpoint on its own port.

    Records every POST (raw body and headers) and answers the statuses in
    `statuses` in turn, then 200.
    """

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        app = Flask("webhook_receiver")
        app.add_url_rule("/webhooks/loyaltylion", "hook", self._hook, methods=["POST"])
        self.server = start_server(app, quiet=True)
        self.url = self.server.url + "/webhooks/loyaltylion"

    def _hook(self) -> tuple[str, int]:
        with self._lock:
            self.received.append({"body": request.get_data(), "headers": dict(request.headers)})
            status = self.statuses.pop(0) if self.statuses else 200
        return ("ok" if status < 300 else "not now"), status

    def close(self) -> None:
        self.server.shutdown()


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

    def customer(self, merchant_id: str) -> dict[str, Any]:
        response = self.control("GET", f"/customers/{merchant_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def balances(self, merchant_id: str) -> dict[str, int]:
        return self.customer(merchant_id)["balances"]

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
