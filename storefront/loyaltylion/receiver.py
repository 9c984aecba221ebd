"""The endpoint LoyaltyLion posts webhooks to (LOYALTYLION_WEBHOOK_PATH), and the
package's static files (the SDK snippet and theme, the admin's stylesheet).

Verify, store once, answer; process after the answer. LoyaltyLion wants a 2xx within
5 seconds and retries until it gets one, so nothing slow happens before the answer.
https://developers.loyaltylion.com/api-reference/v2/webhooks/overview
"""

from __future__ import annotations

import logging
from functools import partial

from flask import Blueprint, current_app, jsonify, request

from . import signatures, webhooks
from .models import WEBHOOK_RECEIVED
from .state import get_extension

log = logging.getLogger(__name__)

NAME = "loyaltylion"


def _error(status: int, message: str):
    return jsonify(error={"message": message}), status


def receive():
    extension = get_extension()
    # Larger bodies are refused (413) before a byte is read: no documented webhook
    # comes near the cap, and every stored body is at most this long.
    request.max_content_length = int(current_app.config["LOYALTYLION_WEBHOOK_MAX_BYTES"])
    # The raw bytes, before anything parses them: the signature covers exactly these.
    body = request.get_data(cache=True)
    signature = request.headers.get(signatures.HEADER)
    secret = current_app.config["LOYALTYLION_SECRET"]
    if not signatures.is_valid(body, signature, secret):
        if not secret:
            log.error("webhook refused: LOYALTYLION_SECRET is not set, so nothing verifies")
        # Never the body: an unverified body may hold anyone's personal data.
        log.warning(
            "webhook refused: %s signature (%d bytes from %s)",
            "wrong" if signature else "no",
            len(body),
            request.remote_addr,
        )
        return _error(401, "The x-loyaltylion-hmac-sha256 signature is missing or wrong.")
    try:
        envelope = webhooks.parse_envelope(body, request.headers.get(webhooks.TOPIC_HEADER))
    except ValueError as error:
        return _error(400, f"Not a LoyaltyLion webhook: {error}")

    event = webhooks.record(extension.session, envelope, body, extension.webhook_handlers)
    if event is None:
        log.info("webhook %s (%s) is a redelivery: already stored", envelope.id, envelope.topic)
        return jsonify(status="duplicate")
    response = jsonify(status=event.status)
    if event.status == WEBHOOK_RECEIVED:
        # Runs once the WSGI server has sent the answer (PEP 3333 close()).
        response.call_on_close(
            partial(
                webhooks.process_after_response,
                current_app._get_current_object(),
                extension.session,
                event.id,
                extension.webhook_handlers,
            )
        )
    return response


def make_blueprint(webhook_path: str) -> Blueprint:
    """A new blueprint per app: the webhook path is a setting."""
    bp = Blueprint(
        NAME,
        __name__,
        static_folder="static",
        static_url_path="/loyaltylion/static",
        template_folder="templates",
    )
    bp.add_url_rule(webhook_path, "receive_webhook", receive, methods=["POST"])
    return bp
