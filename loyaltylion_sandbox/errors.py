"""The Admin API's error envelope: {"error": {"message": "...", "details": {...}}}."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

# Paths answered with JSON (everything else is the HTML dashboard).
MACHINE_PREFIXES = ("/v2/", "/sdk/", "/_sandbox/", "/headless/")


class SandboxError(Exception):
    """An answer other than success, raised anywhere and rendered as the envelope.

    `details` maps a field (or header) name to messages, so a developer sees which
    part of the request was wrong.
    """

    def __init__(
        self,
        status: int,
        message: str,
        details: dict[str, list[str]] | None = None,
        *,
        headers: dict[str, str] | None = None,
        verdict: str = "rejected",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or {}
        self.headers = headers or {}
        self.verdict = verdict


def envelope(message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "details": details or {}}}


def error_response(error: SandboxError) -> Response:
    response = jsonify(envelope(error.message, error.details))
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def _http_error(error: HTTPException) -> Any:
    """404/405/500... as the envelope on machine paths, werkzeug's HTML elsewhere."""
    if not request.path.startswith(MACHINE_PREFIXES):
        return error
    response = error.get_response()
    message = error.description or error.name
    if request.path.startswith("/headless/"):
        # The Headless API's error shapes (https://developers.loyaltylion.com/headless-api/errors).
        if error.code == 404:
            message = (
                "Not found: the sandbox implements a subset of the Headless API "
                "(see docs/sandbox.md)"
            )
            body: dict[str, Any] = {"error": {"code": "not_found", "message": message}}
        else:
            body = {"error": {"message": message}}
        response.set_data(json.dumps(body))
        response.mimetype = "application/json"
        return response
    if error.code == 404 and request.path.startswith("/v2/"):
        message = (
            "Not found: the sandbox implements a subset of the Admin API (see docs/sandbox.md)"
        )
    response.set_data(json.dumps(envelope(message, {"path": [request.path]})))
    response.mimetype = "application/json"
    return response


def register_http_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
