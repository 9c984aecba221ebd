"""Error pages. Every error renders the shop's layout with a plain explanation."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from storefront.extensions import db


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


def _render(status: int, title: str, message: str, headers: list | None = None):
    if _wants_json():
        return jsonify(error={"message": message}), status, headers or []
    page = render_template("error.html", status=status, title=title, message=message)
    return page, status, headers or []


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(
            400,
            "Your session expired",
            "The form was out of date or missing its security token. Go back, reload the "
            "page and try again.",
        )

    @app.errorhandler(429)
    def too_many(error: HTTPException):
        # Flask-Limiter adds Retry-After to the answer (RATELIMIT_HEADERS_ENABLED).
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return _render(
            429,
            "Too many attempts",
            "You have tried that too often. Wait a few minutes, then try again.",
            headers,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # Keep what the error says about itself, e.g. `Allow` on a 405; the body is ours.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return _render(status, error.name, error.description or "", headers)

    @app.errorhandler(500)
    def internal_error(error: Exception):
        # A failed request may leave the session mid-transaction; never let the next
        # request on this connection inherit it (microblog's rule).
        # Flask has already logged the traceback ("Exception on ...").
        db.session.rollback()
        return _render(
            500,
            "Something went wrong",
            "Sorry, something went wrong on our side. Nothing was charged; please try again.",
        )
