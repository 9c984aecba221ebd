"""Security headers on every answer, as the shop sends them (storefront/headers.py).

The dashboard is a page like any other: no inline scripts (its one script is a file),
no framing, no sniffing. The SDK stand-in's scripts and the API's JSON get the same
headers; the SDK scripts' cross-origin use is governed by CORS (sdk_scripts.py), not by
this policy, which applies to the sandbox's own pages.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def _add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
