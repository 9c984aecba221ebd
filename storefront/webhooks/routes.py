"""The endpoint LoyaltyLion posts webhooks to, and what the shop's templates read.

Verify, store once, answer; process after the answer. LoyaltyLion wants a 2xx within
5 seconds and retries until it gets one, so nothing slow happens before the answer.
https://developers.loyaltylion.com/api-reference/v2/webhooks/overview
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from flask import current_app, jsonify, request

from storefront import events
from storefront.extensions import csrf
from storefront.webhooks import bp, gifts, loyalty_status, service, signatures
from storefront.webhooks.models import Gift, LoyaltySnapshot, WebhookStatus

log = logging.getLogger(__name__)


def _error(status: int, message: str):
    # The same error shape as the rest of the shop's JSON answers.
    return jsonify(error={"message": message}), status


# Signed by LoyaltyLion, not posted from our own forms: CSRF tokens do not apply.
@csrf.exempt
@bp.route("/webhooks/loyaltylion", methods=["POST"])
def receive():
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
        envelope = service.parse_envelope(body, request.headers.get(service.TOPIC_HEADER))
    except ValueError as error:
        return _error(400, f"Not a LoyaltyLion webhook: {error}")

    event = service.record_event(envelope, body)
    if event is None:
        log.info("webhook %s (%s) is a redelivery: already stored", envelope.id, envelope.topic)
        return jsonify(status="duplicate")
    response = jsonify(status=event.status)
    if event.status == WebhookStatus.RECEIVED:
        # Runs once the WSGI server has sent the answer (PEP 3333 close()).
        app = current_app._get_current_object()
        response.call_on_close(partial(service.process_after_response, app, event.id))
    return response


@dataclass(frozen=True)
class LoyaltyExtras:
    gifts: list[Gift]
    snapshot: LoyaltySnapshot | None


# The account page's routes belong to another package; its template asks for this.
@bp.app_template_global()
def loyalty_extras(customer_id: int) -> LoyaltyExtras:
    return LoyaltyExtras(
        gifts=gifts.pending_gifts(customer_id),
        snapshot=loyalty_status.snapshot_for(customer_id),
    )


bp.add_app_template_global(gifts.order_gifts, "order_gifts")
bp.add_app_template_global(gifts.gift_line_ids, "gift_line_ids")


@bp.record_once
def _forget_closed_accounts(_state) -> None:
    events.customer_closed.connect(loyalty_status.forget_customer, weak=False)
