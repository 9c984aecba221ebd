"""CSRF for the package's own forms (the admin's retry buttons), with or without Flask-WTF.

If the host app runs Flask-WTF's CSRFProtect, its token and its check are used, so one
token serves the whole site. Otherwise the package keeps a token in the session (the
host's SECRET_KEY signs it) and checks it on its own POSTs. Templates put
`loyaltylion_csrf_token()` in a hidden `csrf_token` field either way.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable

from flask import Flask, abort, current_app, request, session

FIELD = "csrf_token"
_SESSION_KEY = "_loyaltylion_csrf"


def _host_protection():
    return current_app.extensions.get("csrf")  # Flask-WTF's CSRFProtect, if installed


def token() -> str:
    if _host_protection() is not None:
        from flask_wtf.csrf import generate_csrf  # only when the host has Flask-WTF

        return generate_csrf()
    if _SESSION_KEY not in session:
        session[_SESSION_KEY] = secrets.token_urlsafe(32)
    return session[_SESSION_KEY]


def protect() -> None:
    """A before_request hook for the package's blueprints: refuse a POST without the
    right token (400). With Flask-WTF, its own hook has checked already, unless the host
    turned default checking off, in which case it is asked here."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    host = _host_protection()
    if host is not None:
        config = current_app.config
        if config.get("WTF_CSRF_ENABLED", True) and not config.get("WTF_CSRF_CHECK_DEFAULT", True):
            host.protect()
        return
    sent = request.form.get(FIELD, "")
    expected = session.get(_SESSION_KEY, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(
            400,
            description="The form has expired or came from elsewhere: reload and try again.",
        )


def exempt_view(app: Flask, view: Callable) -> None:
    """Take a view out of the host's CSRFProtect (the webhook receiver: LoyaltyLion signs
    its posts; it cannot send a CSRF token). If the host sets CSRFProtect up after this
    package, the first request does it, before CSRFProtect's own check runs."""

    def exempt() -> None:
        host = app.extensions.get("csrf")
        if host is not None:
            host.exempt(view)  # a set of view names: doing it again changes nothing

    exempt()
    if app.extensions.get("csrf") is None:
        app.before_request(exempt)
