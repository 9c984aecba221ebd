"""Security headers on every response.

The Content-Security-Policy allows this site plus the configured LoyaltyLion SDK and
API origins, and nothing else third-party. No inline scripts are allowed at all: the
SDK snippet is a same-origin file and its data a non-executable JSON block. Inline
styles stay allowed because the SDK's UI sets some.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app

from storefront.loyaltylion.sdk import DEFAULT_LOADER_URL_TEMPLATE


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def loyaltylion_origins() -> list[str]:
    config = current_app.config
    urls = [
        config["LOYALTYLION_SDK_URL"] or DEFAULT_LOADER_URL_TEMPLATE,
        config["LOYALTYLION_API_URL"],
        *config.get("LOYALTYLION_CSP_EXTRA_ORIGINS", []),
    ]
    origins: list[str] = []
    for url in urls:
        origin = _origin(url)
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def content_security_policy() -> str:
    lion = " ".join(loyaltylion_origins())
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' {lion}",
        "style-src": f"'self' 'unsafe-inline' {lion}",
        "img-src": f"'self' data: {lion}",
        "font-src": f"'self' {lion}",
        "connect-src": f"'self' {lion}",
        "frame-src": lion or "'none'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value.strip()}" for name, value in directives.items())


def _add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_security_headers(app: Flask) -> None:
    app.after_request(_add_headers)
