"""Webhooks the sandbox sends to the store, the way LoyaltyLion sends them.

https://developers.loyaltylion.com/api-reference/v2/webhooks/overview

Each webhook is a POST with `Content-Type: application/json`,
`x-loyaltylion-hmac-sha256: base64(HMAC-SHA256(raw body, site secret))`,
`x-loyaltylion-topic` and `x-loyaltylion-site-domain`
(https://developers.loyaltylion.com/docs/features/custom-rewards). The body takes one
of the two shapes the docs show (the `webhook_shape` setting):

    envelope   {"id": "<uuid>", "topic": "...", "created_at": "<ISO 8601>", "payload": {...}}
    flat       the payload alone (the custom-rewards page's example)

Where they go: `rewards/store_fulfilment` to the custom reward's URL (the
`webhook_url` setting: LoyaltyLion manages that subscription itself); every other
topic to each subscription made for it with POST /v2/webhooks (subscriptions.py).

Delivery is at-least-once: a delivery stays pending and is retried (capped
exponential backoff) until the store answers 2xx, or until
SANDBOX_WEBHOOK_MAX_ATTEMPTS (0 = never give up). Every retry sends the very same
bytes, so an envelope's `id` is stable and the store can de-duplicate on it; a flat
body has no id (two claims of one reward are identical bytes).

`queue()` only records a delivery, inside the caller's transaction. Sending happens
later, outside any request: in the background sender (sender.py) or when something
calls `deliver_due()` / `deliver_now()` (the control routes). The HTTP call is made
without the program's write lock, so a store that calls back into the sandbox
while it handles a webhook cannot deadlock it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app, g
from sqlalchemy import func, select

from loyaltylion_sandbox import program_settings
from loyaltylion_sandbox.constants import (
    WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_SITE_DOMAIN_HEADER,
    WEBHOOK_TOPIC_HEADER,
)
from loyaltylion_sandbox.db import db, iso, utcnow
from loyaltylion_sandbox.models import ClaimedReward, WebhookDelivery
from loyaltylion_sandbox.runtime import runtime

USER_AGENT = "LoyaltyLion-Sandbox-Webhooks/1.0"
# How much of the store's answer is kept for the dashboard.
MAX_RESPONSE_CHARS = 2000
_QUEUED_FLAG = "sandbox_webhooks_queued"


def sign(body: bytes, secret: str) -> str:
    """The `x-loyaltylion-hmac-sha256` value: base64 of HMAC-SHA256 over the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def webhook_url() -> str:
    """The custom reward's fulfilment URL."""
    return program_settings.current()["webhook_url"]


def site_domain() -> str:
    config = current_app.config
    return config.get("SANDBOX_SITE_DOMAIN") or (
        urlsplit(config["SANDBOX_SHOP_ORIGIN"]).hostname or "localhost"
    )


def queue(
    topic: str,
    payload: dict[str, Any],
    *,
    url: str | None = None,
    claimed_reward_id: int | None = None,
    test: bool = False,
    top_level: bool = False,
) -> WebhookDelivery:
    """Record a webhook to send to `url` (default: the custom reward's URL); due at once.

    The body takes the shape the `webhook_shape` setting names. `top_level=True` (an
    envelope only) puts the payload's keys in the envelope itself instead of under
    `payload`, as the `customers/update` example in LoyaltyLion's docs does.
    """
    now = utcnow()
    event_id = str(uuid.uuid4())
    if program_settings.current()["webhook_shape"] == "flat":
        document: dict[str, Any] = dict(payload)
    else:
        document = {"id": event_id, "topic": topic, "created_at": iso(now)}
        if top_level:
            document.update(payload)
        else:
            document["payload"] = payload
    # Compact, like JSON.stringify: a store that re-serialises the parsed JSON instead
    # of hashing the raw bytes it received fails verification here, as it would live.
    body = json.dumps(document, separators=(",", ":"))
    delivery = WebhookDelivery(
        event_id=event_id,
        topic=topic,
        url=url or webhook_url(),
        body=body,
        test=test,
        state="pending",
        next_attempt_at=now,
        claimed_reward_id=claimed_reward_id,
        created_at=now,
    )
    db.session.add(delivery)
    db.session.flush()
    g.setdefault(_QUEUED_FLAG, True)
    return delivery


def headers(topic: str, body: bytes) -> dict[str, str]:
    """What every delivery carries besides its body."""
    return {
        "Content-Type": "application/json",
        WEBHOOK_SIGNATURE_HEADER: sign(body, current_app.config["SANDBOX_SITE_SECRET"]),
        WEBHOOK_TOPIC_HEADER: topic,
        WEBHOOK_SITE_DOMAIN_HEADER: site_domain(),
    }


def after_commit() -> None:
    """Wake the background sender if webhooks were queued (call after committing)."""
    if g.pop(_QUEUED_FLAG, False):
        runtime().sender.wake()


# -------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer at all
    error: str | None  # None: a 2xx
    body: str = ""


def _reason(exc: requests.RequestException) -> str:
    """A short reason for a failed connection ("Connection refused", ...)."""
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
    return found.group(1).strip() if found else type(exc).__name__


def post(url: str, body: bytes, *, headers: dict[str, str], timeout: float) -> Answer:
    """POST the signed bytes once. Redirects are not followed (a 3xx is not a 2xx)."""
    headers = {**headers, "User-Agent": USER_AGENT}
    with requests.Session() as http:
        http.trust_env = False  # the store is local: never through a proxy from the env
        try:
            response = http.post(
                url, data=body, headers=headers, timeout=timeout, allow_redirects=False
            )
        except requests.Timeout:
            return Answer(None, f"no answer within {timeout:g} s")
        except requests.RequestException as exc:
            return Answer(None, f"connection failed: {_reason(exc)}")
    text = response.text[:MAX_RESPONSE_CHARS]
    if 200 <= response.status_code < 300:
        return Answer(response.status_code, None, text)
    return Answer(response.status_code, f"HTTP {response.status_code}", text)


def backoff_seconds(attempts: int) -> float:
    """Wait after the `attempts`-th failure: base * 2**(attempts-1), capped."""
    config = current_app.config
    base = float(config["SANDBOX_WEBHOOK_RETRY_SECONDS"])
    cap = float(config["SANDBOX_WEBHOOK_RETRY_MAX_SECONDS"])
    return min(cap, base * 2 ** min(attempts - 1, 30))


def _record(delivery: WebhookDelivery, answer: Answer) -> None:
    now = utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status = answer.status
    delivery.last_error = answer.error
    delivery.last_response = answer.body
    claimed = (
        db.session.get(ClaimedReward, delivery.claimed_reward_id)
        if delivery.claimed_reward_id is not None
        else None
    )
    max_attempts = int(current_app.config["SANDBOX_WEBHOOK_MAX_ATTEMPTS"])
    if answer.error is None:
        delivery.state = "delivered"
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        if claimed is not None and claimed.fulfilment != "fulfilled":
            claimed.fulfilment = "fulfilled"
            claimed.fulfilled_at = now
    elif max_attempts and delivery.attempts >= max_attempts:
        delivery.state = "failed"
        delivery.next_attempt_at = None
        if claimed is not None and claimed.fulfilment == "pending":
            claimed.fulfilment = "failed"
    else:
        delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))


def _attempt(delivery_id: int) -> WebhookDelivery | None:
    """Send one pending delivery once and record the answer.

    Needs delivery_lock, and nothing uncommitted in the session (it is rolled back
    before the HTTP call).
    """
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.state != "pending":
        return None
    url, body, event_id = delivery.url, delivery.body.encode(), delivery.event_id
    sent_headers = headers(delivery.topic, body)
    db.session.rollback()  # hold no transaction while waiting on the store
    answer = post(
        url,
        body,
        headers=sent_headers,
        timeout=float(current_app.config["SANDBOX_WEBHOOK_TIMEOUT_SECONDS"]),
    )
    with runtime().write_lock:
        try:
            delivery = db.session.get(WebhookDelivery, delivery_id)
            if delivery is None or delivery.event_id != event_id:  # a reset came in between
                db.session.rollback()
                return None
            _record(delivery, answer)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return delivery


def deliver_due(*, include_not_due: bool = False) -> list[WebhookDelivery]:
    """Attempt, once each, every pending delivery that is due (or all pending ones)."""
    with runtime().delivery_lock:
        stmt = select(WebhookDelivery.id).where(WebhookDelivery.state == "pending")
        if not include_not_due:
            stmt = stmt.where(WebhookDelivery.next_attempt_at <= utcnow())
        ids = list(db.session.execute(stmt.order_by(WebhookDelivery.id)).scalars())
        attempted = [_attempt(delivery_id) for delivery_id in ids]
    return [delivery for delivery in attempted if delivery is not None]


def deliver_now(delivery_id: int) -> WebhookDelivery | None:
    """Attempt one delivery at once, due or not (if it is still pending)."""
    with runtime().delivery_lock:
        return _attempt(delivery_id)


def deliver_pass() -> float | None:
    """One round of the background sender: the due deliveries, then how long until the
    next pending one is due (None when nothing is pending)."""
    deliver_due()
    return seconds_until_due()


def seconds_until_due() -> float | None:
    """How long until the next pending delivery is due; None when none is pending."""
    soonest = db.session.execute(
        select(func.min(WebhookDelivery.next_attempt_at)).where(WebhookDelivery.state == "pending")
    ).scalar_one_or_none()
    db.session.rollback()
    if soonest is None:
        return None
    return max(0.0, (soonest - utcnow()).total_seconds())


# ------------------------------------------------------------------------- reading


def deliveries(
    topic: str | None = None, state: str | None = None, limit: int = 200
) -> list[WebhookDelivery]:
    stmt = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    if topic:
        stmt = stmt.where(WebhookDelivery.topic == topic)
    if state:
        stmt = stmt.where(WebhookDelivery.state == state)
    return list(db.session.execute(stmt).scalars())


def delivery_dict(delivery: WebhookDelivery) -> dict[str, Any]:
    """A delivery for GET /_sandbox/webhooks: the exact body and the header it carries."""
    claimed = delivery.claimed_reward
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "topic": delivery.topic,
        "test": delivery.test,
        "url": delivery.url,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
        "last_response": delivery.last_response,
        "last_attempt_at": iso(delivery.last_attempt_at),
        "next_attempt_at": iso(delivery.next_attempt_at),
        "delivered_at": iso(delivery.delivered_at),
        "created_at": iso(delivery.created_at),
        "claimed_reward_id": delivery.claimed_reward_id,
        "fulfilment": claimed.fulfilment if claimed is not None else None,
        "body": delivery.body,
        "headers": headers(delivery.topic, delivery.body.encode()),
    }
