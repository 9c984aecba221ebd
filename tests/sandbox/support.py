"""Helpers shared by the sandbox tests (imported by conftest.py and the tests)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import socket
import threading
from pathlib import Path
from typing import Any

from flask import Flask, request

from loyaltylion_sandbox import create_app
from loyaltylion_sandbox.constants import SANDBOX_SITE_SECRET
from loyaltylion_sandbox.db import db
from loyaltylion_sandbox.server import start_server
from tests.sandbox_client import (  # noqa: F401  (the sandbox tests import them from here)
    SandboxClient,
    auth_token,
    now_iso,
    order_body,
    order_state,
)

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
