"""Security headers on every response.

The Content-Security-Policy allows this site plus the third-party origins create_app
passes in (the LoyaltyLion SDK's, from storefront/loyalty.py), and nothing else. No inline scripts
are allowed at all: the SDK snippet is a same-origin file and its data a
non-executable JSON block. Inline styles stay allowed because the SDK's UI sets some.

A live program's SDK may fetch from hosts LoyaltyLion's docs do not list. With
CSP_REPORT_ONLY set, the policy is sent as Content-Security-Policy-Report-Only: the
browser blocks nothing and reports what it would have blocked to /csp-report
(csp_reports.py), which logs it. Add what the log shows to
LOYALTYLION_CSP_EXTRA_ORIGINS, then switch enforcement back on.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, url_for

REPORT_GROUP = "csp"
_ORIGINS_KEY = "csp_third_party_origins"


def content_security_policy() -> str:
    lion = " ".join(current_app.extensions[_ORIGINS_KEY]())
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
        # Both forms: report-uri for every browser, report-to for the Reporting API.
        "report-uri": url_for("csp_reports.receive"),
        "report-to": REPORT_GROUP,
    }
    return "; ".join(f"{name} {value.strip()}" for name, value in directives.items())


def csp_header_name() -> str:
    if current_app.config["CSP_REPORT_ONLY"]:
        return "Content-Security-Policy-Report-Only"
    return "Content-Security-Policy"


def _add_headers(response: Response) -> Response:
    response.headers.setdefault(csp_header_name(), content_security_policy())
    response.headers.setdefault(
        "Reporting-Endpoints",
        f'{REPORT_GROUP}="{url_for("csp_reports.receive", _external=True)}"',
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_security_headers(
    app: Flask, *, third_party_origins: Callable[[], list[str]] = list
) -> None:
    """`third_party_origins()`: the origins besides this site that scripts, styles,
    images, fonts, frames and connections may come from."""
    from storefront.csp_reports import bp

    app.extensions[_ORIGINS_KEY] = third_party_origins
    app.config.setdefault("CSP_REPORT_ONLY", False)
    app.register_blueprint(bp)
    app.after_request(_add_headers)
