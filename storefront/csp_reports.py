"""POST /csp-report: where browsers report Content-Security-Policy violations.

Each violation is logged as one line (directive, blocked origin, page path), so a
merchant running the CSP in report-only mode (CSP_REPORT_ONLY) sees which hosts a live
LoyaltyLion program needs before enforcing it. Reports are unauthenticated by nature,
so the endpoint is cheap to call and hard to abuse: bodies are capped at
MAX_REPORT_BYTES, a body carries at most MAX_REPORTS_PER_BODY reports, URLs are cut
to their origin and path (no query strings: they can carry personal data) and each
client IP gets CSP_REPORT_RATE_LIMIT.

Formats: `application/csp-report` ({"csp-report": {...}}, from `report-uri`) and
`application/reports+json` ([{"type": "csp-violation", "body": {...}}], from
`report-to`). https://www.w3.org/TR/CSP3/#reporting
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request

from storefront.extensions import csrf, limiter

log = logging.getLogger(__name__)
bp = Blueprint("csp_reports", __name__)

MAX_REPORT_BYTES = 16 * 1024
MAX_REPORTS_PER_BODY = 20
MAX_FIELD_CHARS = 200


def _rate_limit() -> str:
    return current_app.config.get("CSP_REPORT_RATE_LIMIT", "30 per minute")


@csrf.exempt  # browsers post these on their own; there is no form and no session
@bp.post("/csp-report")
@limiter.limit(_rate_limit)
def receive() -> Response:
    request.max_content_length = MAX_REPORT_BYTES  # larger bodies: 413, unread
    try:
        data = json.loads(request.get_data())
    except ValueError:
        abort(400, description="A CSP report must be a JSON body.")
    reports = _violations(data)
    if reports is None:
        abort(400, description="Not a CSP violation report.")
    for report in reports[:MAX_REPORTS_PER_BODY]:
        log.warning(
            "CSP %s: %s blocked %s on %s",
            "report-only" if _field(report, "disposition") == "report" else "violation",
            _field(report, "effectiveDirective", "effective-directive", "violated-directive"),
            _url(_field(report, "blockedURL", "blocked-uri")),
            _url(_field(report, "documentURL", "document-uri")),
        )
    return Response(status=204)


def _violations(data: Any) -> list[dict[str, Any]] | None:
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list):
        bodies = [
            item["body"]
            for item in data
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
        return bodies or None
    return None


def _field(report: dict[str, Any], *names: str) -> str:
    for name in names:
        value = report.get(name)
        if isinstance(value, str) and value:
            return value[:MAX_FIELD_CHARS]
    return "-"


def _url(value: str) -> str:
    """Origin and path only: "inline", "eval" and the like pass through as they are."""
    parts = urlsplit(value)
    if not (parts.scheme and parts.netloc):
        return value
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:MAX_FIELD_CHARS]
