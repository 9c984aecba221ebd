"""LoyaltyLion sandbox: a local stand-in for LoyaltyLion's Admin API and browser SDK.

NOT LoyaltyLion and NOT for production. It exists so a store can be developed and
tested without network access or real credentials, in the spirit of localstripe:

    flask --app loyaltylion_sandbox run -p 5001

It is its own Flask app with its own database (`instance/sandbox.sqlite3`, or
SANDBOX_DATABASE_URL), and needs nothing of the shop in this repository: any store,
in any language, can point at it (`shop_settings` says how). See docs/sandbox.md for
what it implements and how it differs from the real service.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from loyaltylion_sandbox import (
    api,
    cli,
    control,
    dashboard,
    headers,
    headless,
    reqlog,
    sdk,
    sdk_scripts,
    webhooks,
)
from loyaltylion_sandbox.constants import (
    DEFAULT_AUTH_WINDOW_SECONDS,
    DEFAULT_RATE_LIMIT,
    DEFAULT_SEED_CODE_COUNT,
    DEFAULT_SHOP_ORIGIN,
    DEFAULT_WEBHOOK_MAX_ATTEMPTS,
    DEFAULT_WEBHOOK_RETRY_MAX_SECONDS,
    DEFAULT_WEBHOOK_RETRY_SECONDS,
    DEFAULT_WEBHOOK_SHAPE,
    DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
    SANDBOX_API_KEY,
    SANDBOX_SDK_KEY_ID,
    SANDBOX_SDK_SECRET,
    SANDBOX_SITE_ID,
    SANDBOX_SITE_SECRET,
    SANDBOX_SITE_TOKEN,
    WEBHOOK_SENDER_MODES,
    WEBHOOK_SHAPES,
)
from loyaltylion_sandbox.db import configure_sqlite, db
from loyaltylion_sandbox.errors import register_http_errors
from loyaltylion_sandbox.ratelimit import SlidingWindowLimiter
from loyaltylion_sandbox.rewards import import_codes
from loyaltylion_sandbox.runtime import EXTENSION_KEY, Runtime
from loyaltylion_sandbox.seed import init_database
from loyaltylion_sandbox.sender import WebhookSender
from loyaltylion_sandbox.server import RunningServer, start_server

__all__ = [
    "SANDBOX_API_KEY",
    "SANDBOX_SDK_KEY_ID",
    "SANDBOX_SDK_SECRET",
    "SANDBOX_SITE_ID",
    "SANDBOX_SITE_SECRET",
    "SANDBOX_SITE_TOKEN",
    "RunningServer",
    "create_app",
    "import_codes",
    "shop_settings",
    "start_server",
]

ROOT = Path(__file__).resolve().parent.parent


def _defaults() -> dict[str, Any]:
    env = os.environ
    return {
        "SQLALCHEMY_DATABASE_URI": env.get("SANDBOX_DATABASE_URL", "").strip()
        or f"sqlite:///{ROOT / 'instance' / 'sandbox.sqlite3'}",
        "SANDBOX_API_KEY": env.get("SANDBOX_API_KEY", SANDBOX_API_KEY),
        "SANDBOX_SITE_TOKEN": env.get("SANDBOX_SITE_TOKEN", SANDBOX_SITE_TOKEN),
        "SANDBOX_SITE_SECRET": env.get("SANDBOX_SITE_SECRET", SANDBOX_SITE_SECRET),
        "SANDBOX_SHOP_ORIGIN": env.get("SANDBOX_SHOP_ORIGIN", DEFAULT_SHOP_ORIGIN),
        # The Headless API: the one site id its paths accept, and the SDK key pair that
        # signs customer session tokens (headless_auth.py).
        "SANDBOX_SITE_ID": int(env.get("SANDBOX_SITE_ID", SANDBOX_SITE_ID)),
        "SANDBOX_SDK_KEY_ID": env.get("SANDBOX_SDK_KEY_ID", SANDBOX_SDK_KEY_ID),
        "SANDBOX_SDK_SECRET": env.get("SANDBOX_SDK_SECRET", SANDBOX_SDK_SECRET),
        "SANDBOX_RATE_LIMIT": int(env.get("SANDBOX_RATE_LIMIT", DEFAULT_RATE_LIMIT)),
        "SANDBOX_AUTH_WINDOW_SECONDS": int(
            env.get("SANDBOX_AUTH_WINDOW_SECONDS", DEFAULT_AUTH_WINDOW_SECONDS)
        ),
        # How many codes the seeded "$5 off" reward starts with (0 = import your own).
        "SANDBOX_SEED_CODES": int(env.get("SANDBOX_SEED_CODES", DEFAULT_SEED_CODE_COUNT)),
        # Where webhooks go; empty = <SANDBOX_SHOP_ORIGIN>/webhooks/loyaltylion.
        "SANDBOX_SHOP_WEBHOOK_URL": env.get("SANDBOX_SHOP_WEBHOOK_URL", ""),
        # "envelope" ({id, topic, created_at, payload}) or "flat" (the payload alone, the
        # topic in x-loyaltylion-topic): the two shapes LoyaltyLion's docs show.
        "SANDBOX_WEBHOOK_SHAPE": env.get("SANDBOX_WEBHOOK_SHAPE", DEFAULT_WEBHOOK_SHAPE),
        # x-loyaltylion-site-domain on every webhook; empty = the shop origin's host.
        "SANDBOX_SITE_DOMAIN": env.get("SANDBOX_SITE_DOMAIN", ""),
        # "thread" (a background sender) or "manual" (POST /_sandbox/webhooks/deliver).
        "SANDBOX_WEBHOOK_SENDER": env.get("SANDBOX_WEBHOOK_SENDER", "thread"),
        "SANDBOX_WEBHOOK_TIMEOUT_SECONDS": float(
            env.get("SANDBOX_WEBHOOK_TIMEOUT_SECONDS", DEFAULT_WEBHOOK_TIMEOUT_SECONDS)
        ),
        # Retry n waits RETRY_SECONDS * 2**(n-1), at most RETRY_MAX_SECONDS.
        "SANDBOX_WEBHOOK_RETRY_SECONDS": float(
            env.get("SANDBOX_WEBHOOK_RETRY_SECONDS", DEFAULT_WEBHOOK_RETRY_SECONDS)
        ),
        "SANDBOX_WEBHOOK_RETRY_MAX_SECONDS": float(
            env.get("SANDBOX_WEBHOOK_RETRY_MAX_SECONDS", DEFAULT_WEBHOOK_RETRY_MAX_SECONDS)
        ),
        "SANDBOX_WEBHOOK_MAX_ATTEMPTS": int(
            env.get("SANDBOX_WEBHOOK_MAX_ATTEMPTS", DEFAULT_WEBHOOK_MAX_ATTEMPTS)
        ),
        # Signs the dashboard's CSRF cookie and the SDK session tokens. A fresh one per
        # process is fine: both are short-lived.
        "SECRET_KEY": env.get("SANDBOX_SECRET_KEY") or secrets.token_hex(32),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "JSON_SORT_KEYS": False,
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    }


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The sandbox app. `config` overrides the defaults (and the SANDBOX_* env vars)."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        static_url_path="/_sandbox/static",
    )
    app.config.from_mapping(_defaults())
    if config:
        app.config.from_mapping(config)
    app.json.sort_keys = False  # keep the documented field order in answers
    if app.config["SANDBOX_WEBHOOK_SENDER"] not in WEBHOOK_SENDER_MODES:
        raise ValueError(f"SANDBOX_WEBHOOK_SENDER must be one of {', '.join(WEBHOOK_SENDER_MODES)}")
    if app.config["SANDBOX_WEBHOOK_SHAPE"] not in WEBHOOK_SHAPES:
        raise ValueError(f"SANDBOX_WEBHOOK_SHAPE must be one of {', '.join(WEBHOOK_SHAPES)}")

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    app.extensions[EXTENSION_KEY] = Runtime(
        limiter=SlidingWindowLimiter(int(app.config["SANDBOX_RATE_LIMIT"])),
        sender=WebhookSender(
            app,
            enabled=app.config["SANDBOX_WEBHOOK_SENDER"] == "thread",
            deliver=webhooks.deliver_pass,
        ),
    )

    api.register(app)
    app.register_blueprint(sdk.bp)
    app.register_blueprint(sdk_scripts.bp)
    app.register_blueprint(headless.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(dashboard.bp)
    app.after_request(reqlog.finish)
    headers.init_app(app)
    register_http_errors(app)
    cli.register(app)

    init_database(app)
    return app


def shop_settings(sandbox_url: str) -> dict[str, Any]:
    """The `LOYALTYLION_*` settings that point a store at a sandbox served at
    `sandbox_url`: its Admin API (and Headless API, same origin), its credentials, both
    SDK scripts, the site id and the SDK key pair that signs Headless session tokens.
    For a store in another language, the same values as environment variables."""
    url = sandbox_url.rstrip("/")
    return {
        "LOYALTYLION_API_URL": url,
        "LOYALTYLION_API_KEY": SANDBOX_API_KEY,
        "LOYALTYLION_TOKEN": SANDBOX_SITE_TOKEN,
        "LOYALTYLION_SECRET": SANDBOX_SITE_SECRET,
        # The sandbox serves the loader and the start script at the published paths.
        "LOYALTYLION_SDK_ORIGIN": url,
        "LOYALTYLION_SDK_URL": "",
        "LOYALTYLION_SITE_ID": str(SANDBOX_SITE_ID),
        "LOYALTYLION_SDK_KEY_ID": SANDBOX_SDK_KEY_ID,
        "LOYALTYLION_SDK_SECRET": SANDBOX_SDK_SECRET,
    }
