"""Settings, read from the environment (and `.env`, which the `flask` command loads).

Every setting has a safe default so that `make run` works with nothing configured:
without LoyaltyLion credentials the shop talks to the local sandbox instead.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class SettingError(ValueError):
    """A setting in the environment that cannot be read: the app refuses to start."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SettingError(f"{name}={raw!r}: expected a whole number") from None


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise SettingError(f"{name}={raw!r}: expected a number") from None


def _bool(name: str, default: bool | None) -> bool | None:
    """1/true/yes/on or 0/false/no/off (any case); unset or empty is the default.
    Anything else stops the start: a typo must not quietly turn a safety off."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingError(f"{name}={raw!r}: expected one of 1/true/yes/on or 0/false/no/off")


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        raise SettingError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return raw


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/.

    Keeping it in the instance folder means sessions survive a restart of `make run`
    without anyone having to invent a key; production sets SECRET_KEY explicitly.
    """
    from_env = os.environ.get("SECRET_KEY", "").strip()
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def loyaltylion_settings() -> dict:
    """LoyaltyLion settings. Without an API key and site token the shop runs in sandbox
    mode: the same code path, pointed at the local stand-in (loyaltylion_sandbox)."""
    api_key = os.environ.get("LOYALTYLION_API_KEY", "").strip()
    token = os.environ.get("LOYALTYLION_TOKEN", "").strip()
    sandbox = not (api_key and token)
    sandbox_url = os.environ.get("LOYALTYLION_SANDBOX_URL", "http://127.0.0.1:5001").rstrip("/")
    if sandbox:
        # Imported here, not at the top: the stand-in is an optional service, and a
        # store with credentials never needs it installed.
        from loyaltylion_sandbox import shop_settings

        return {"LOYALTYLION_SANDBOX": True, **shop_settings(sandbox_url)}
    return {
        "LOYALTYLION_SANDBOX": False,
        "LOYALTYLION_API_URL": os.environ.get(
            "LOYALTYLION_API_URL", "https://api.loyaltylion.com"
        ).rstrip("/"),
        "LOYALTYLION_API_KEY": api_key,
        "LOYALTYLION_TOKEN": token,
        "LOYALTYLION_SECRET": os.environ.get("LOYALTYLION_SECRET", "").strip(),
        "LOYALTYLION_SDK_ORIGIN": os.environ.get(
            "LOYALTYLION_SDK_ORIGIN", "https://sdk.loyaltylion.net"
        )
        .strip()
        .rstrip("/"),
        "LOYALTYLION_SDK_URL": os.environ.get("LOYALTYLION_SDK_URL", "").strip(),
        "LOYALTYLION_SITE_ID": os.environ.get("LOYALTYLION_SITE_ID", "").strip(),
        # The SDK token pair (Key ID and secret) that signs customer session tokens for
        # the Headless API. The secret is server-only, like LOYALTYLION_SECRET.
        "LOYALTYLION_SDK_KEY_ID": os.environ.get("LOYALTYLION_SDK_KEY_ID", "").strip(),
        "LOYALTYLION_SDK_SECRET": os.environ.get("LOYALTYLION_SDK_SECRET", "").strip(),
    }


def settings_from_env(instance_path: Path) -> dict:
    """The app's configuration as a plain dict (tests override keys on top of it)."""
    database_url = os.environ.get("DATABASE_URL", "").strip() or (
        f"sqlite:///{instance_path / 'storefront.sqlite3'}"
    )
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Session cookie hardening. Unset (None), the Secure flags are on everywhere but
        # the debug server (create_app), because the demo is served over plain http.
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", None),
        "REMEMBER_COOKIE_SECURE": _bool("REMEMBER_COOKIE_SECURE", None),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Reject bodies larger than 1 MiB outright (413) rather than parse them.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Shop settings. Money is integer cents everywhere.
        "STORE_NAME": os.environ.get("STORE_NAME", "Lion & Co. Outfitters"),
        "CURRENCY": os.environ.get("STORE_CURRENCY", "USD"),
        "SHIPPING_FLAT_CENTS": _int("SHIPPING_FLAT_CENTS", 495),
        "FREE_SHIPPING_THRESHOLD_CENTS": _int("FREE_SHIPPING_THRESHOLD_CENTS", 7500),
        # werkzeug's default (scrypt); tests use a fast method to keep the suite quick.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        # How many reverse proxies in front of the app may set X-Forwarded-For.
        # 0 = trust none: the client IP is the socket peer.
        "TRUSTED_PROXY_COUNT": _int("TRUSTED_PROXY_COUNT", 0),
        # LoyaltyLion. See .env.example for what each one is.
        **loyaltylion_settings(),
        "LOYALTYLION_TIMEOUT_CONNECT": _float("LOYALTYLION_TIMEOUT_CONNECT", 3.05),
        "LOYALTYLION_TIMEOUT_READ": _float("LOYALTYLION_TIMEOUT_READ", 10.0),
        "LOYALTYLION_RATE_LIMIT": _float("LOYALTYLION_RATE_LIMIT", 19.2),
        "LOYALTYLION_WORKER_IN_PROCESS": _bool("LOYALTYLION_WORKER_IN_PROCESS", False),
        # How shoppers see the program: "sdk" (LoyaltyLion's SDK draws it in the browser)
        # or "headless" (the shop renders it from the Headless API; works without JS).
        "LOYALTYLION_UI": _choice("LOYALTYLION_UI", ("sdk", "headless"), "sdk"),
        # Headless mode: the most a page waits for LoyaltyLion (seconds) before it shows
        # "points unavailable right now", and how long the program's configuration
        # (rules, rewards, tiers) is reused before it is fetched again.
        "LOYALTYLION_HEADLESS_BUDGET": _float("LOYALTYLION_HEADLESS_BUDGET", 0.3),
        "LOYALTYLION_HEADLESS_CONFIG_TTL": _float("LOYALTYLION_HEADLESS_CONFIG_TTL", 300.0),
        # The identifiers of the custom rules the shop triggers, as created in
        # LoyaltyLion (Manage > Rules > Custom): letters and "_" only.
        "LOYALTYLION_REVIEW_RULE": os.environ.get("LOYALTYLION_REVIEW_RULE", "product_review"),
        "LOYALTYLION_NEWSLETTER_RULE": os.environ.get(
            "LOYALTYLION_NEWSLETTER_RULE", "newsletter_signup"
        ),
        # Where LoyaltyLion posts webhooks, as the world reaches this shop (for
        # `flask --app storefront loyaltylion webhooks subscribe`).
        "LOYALTYLION_WEBHOOK_PATH": os.environ.get(
            "LOYALTYLION_WEBHOOK_PATH", "/webhooks/loyaltylion"
        ),
        "LOYALTYLION_WEBHOOK_URL": os.environ.get("LOYALTYLION_WEBHOOK_URL", "").strip(),
        # Where LoyaltyLion's admin pages (delivery and webhook logs) live, and how the
        # Admin API sees this store's requests.
        "LOYALTYLION_ADMIN_URL_PREFIX": os.environ.get(
            "LOYALTYLION_ADMIN_URL_PREFIX", "/admin/loyaltylion"
        ),
        "LOYALTYLION_USER_AGENT": os.environ.get(
            "LOYALTYLION_USER_AGENT", "loyaltylion-reference-storefront/0.1 (+python-requests)"
        ),
        # Send the CSP as Content-Security-Policy-Report-Only: nothing is blocked, every
        # violation is reported to /csp-report and logged (see storefront/headers.py).
        "CSP_REPORT_ONLY": _bool("CSP_REPORT_ONLY", False),
        "CSP_REPORT_RATE_LIMIT": os.environ.get("CSP_REPORT_RATE_LIMIT", "30 per minute"),
        # Rate-limit counters (Flask-Limiter). In memory, per process; set a shared store
        # (e.g. redis://...) when several processes serve the shop.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Retry-After (and X-RateLimit-*) on limited answers.
        "RATELIMIT_HEADERS_ENABLED": True,
        # Per client address (every attempt) and, for logins, per account (failed ones).
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "20 per minute"),
        "LOGIN_ACCOUNT_RATE_LIMIT": os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"),
        "SIGNUP_RATE_LIMIT": os.environ.get("SIGNUP_RATE_LIMIT", "10 per hour"),
        "DISCOUNT_CODE_RATE_LIMIT": os.environ.get("DISCOUNT_CODE_RATE_LIMIT", "10 per minute"),
        # /metrics (Prometheus) is served only when this is set, to requests bearing it
        # (Authorization: Bearer <token>). Unset: 404.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", "").strip(),
        # More origins the browser SDK may use (space-separated), added to the CSP.
        "LOYALTYLION_CSP_EXTRA_ORIGINS": os.environ.get(
            "LOYALTYLION_CSP_EXTRA_ORIGINS", ""
        ).split(),
    }
