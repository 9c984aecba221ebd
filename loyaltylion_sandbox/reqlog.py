"""The request log: every Admin API and SDK call, as received and as answered."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Response, g, request

from loyaltylion_sandbox.db import db, iso
from loyaltylion_sandbox.models import RequestLog

MAX_BODY_CHARS = 64 * 1024
# Never stored: credentials handed to the browser.
REDACTED_KEYS = ("session_token",)


@dataclass
class CallInfo:
    started: float = field(default_factory=time.monotonic)
    auth_scheme: str = "none"
    # Set by whoever knows better than the status code (validation, faults).
    verdict: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    validated: bool = False
    dropped: bool = False
    # Scripts are logged without their (long, static) answer.
    omit_response_body: bool = False


def begin() -> CallInfo:
    g.sandbox_call = CallInfo()
    return g.sandbox_call


def current() -> CallInfo | None:
    return g.get("sandbox_call")


def _clip(text: str) -> str:
    if len(text) > MAX_BODY_CHARS:
        return text[:MAX_BODY_CHARS] + f"\n... [{len(text) - MAX_BODY_CHARS} more characters]"
    return text


def _redact(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict) and any(key in data for key in REDACTED_KEYS):
        data = {k: ("[redacted]" if k in REDACTED_KEYS and v else v) for k, v in data.items()}
        return json.dumps(data)
    return text


def _verdict(call: CallInfo, status: int | None) -> str:
    if call.verdict:
        return call.verdict
    if status is not None and status >= 400:
        return "rejected"
    return "valid" if call.validated else "n/a"


def finish(response: Response) -> Response:
    """after_request: store the call. Runs for error answers too."""
    call = current()
    if call is None:
        return response
    status: int | None = None if call.dropped else response.status_code
    body = ""
    if not call.dropped and not call.omit_response_body and not response.is_streamed:
        body = _redact(response.get_data(as_text=True))
    entry = RequestLog(
        method=request.method,
        path=request.path,
        query=request.query_string.decode("utf-8", "replace"),
        site_id=request.args.get("site_id"),
        auth_scheme=call.auth_scheme,
        request_body=_clip(_redact(request.get_data(cache=True, as_text=True))),
        response_status=status,
        response_body=_clip(body),
        verdict=_verdict(call, status),
        errors=call.errors,
        warnings=call.warnings,
        duration_ms=int((time.monotonic() - call.started) * 1000),
    )
    # Whatever the handler left uncommitted (it failed) must not block this write.
    db.session.rollback()
    db.session.add(entry)
    db.session.commit()
    return response


def entry_dict(entry: RequestLog) -> dict[str, Any]:
    return {
        "id": entry.id,
        "created_at": iso(entry.created_at),
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "site_id": entry.site_id,
        "auth_scheme": entry.auth_scheme,
        "request_body": entry.request_body,
        "response_status": entry.response_status,
        "response_body": entry.response_body,
        "verdict": entry.verdict,
        "errors": entry.errors,
        "warnings": entry.warnings,
        "duration_ms": entry.duration_ms,
    }
