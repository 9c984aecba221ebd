"""Webhooks from LoyaltyLion: read, stored once, then handed to the store's handler.

Receiving (receiver.py) verifies the signature, stores the body once (de-duplicated on
the envelope `id`) and answers; processing runs the handler the store registered for the
topic (`loyaltylion.on_webhook(topic, handler)`) afterwards. A handler's writes commit
together with the event's new status, so a failure leaves nothing half done: the event
is `failed`, with the error, and processing it again is safe.
https://developers.loyaltylion.com/api-reference/v2/webhooks/overview

A handler takes the stored event and the payload and returns `processed(note)` or
`ignored(note)`, or raises `WebhookProcessingError(message)`; the note or message is
what the admin's webhook log shows. It sets `event.customer_id` once it knows whose
data the body holds, so forgetting that customer erases it.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import (
    NO_ID_PREFIX,
    WEBHOOK_DONE,
    WEBHOOK_FAILED,
    WEBHOOK_IGNORED,
    WEBHOOK_PROCESSED,
    WebhookEvent,
    utcnow,
)

log = logging.getLogger(__name__)

TOPIC_HEADER = "X-LoyaltyLion-Topic"  # HTTP header names are case-insensitive
ENVELOPE_KEYS = ("id", "topic", "created_at")
ERASED_BODY = json.dumps({"erased": "The customer was forgotten."})


class WebhookProcessingError(Exception):
    """A webhook that cannot be processed as it stands; the message is for the admin."""


@dataclass(frozen=True)
class Outcome:
    status: str  # WEBHOOK_PROCESSED | WEBHOOK_IGNORED
    note: str


def processed(note: str) -> Outcome:
    return Outcome(WEBHOOK_PROCESSED, note)


def ignored(note: str) -> Outcome:
    return Outcome(WEBHOOK_IGNORED, note)


Handler = Callable[[WebhookEvent, dict[str, Any]], Outcome]


@dataclass(frozen=True)
class Envelope:
    id: str | None  # None: a flat body, which carries no id
    topic: str
    created_at: str | None
    payload: dict[str, Any]


def _printable(value: str) -> bool:
    # No control characters (PostgreSQL cannot even store a NUL in a text column).
    return value.isprintable()


def _topic(value: Any) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= 100 or not _printable(value):
        raise ValueError("the topic must be 1 to 100 printable characters")
    return value


def parse_envelope(body: bytes, topic_header: str | None = None) -> Envelope:
    """The webhook's metadata and payload, or ValueError saying what is wrong.

    LoyaltyLion's docs show two shapes, both signed the same way:
    * the envelope {id, topic, created_at, payload}
      (https://developers.loyaltylion.com/api-reference/v2/webhooks/overview); one
      documented example (customers/update) puts the payload's keys at the top level;
    * a flat body, the payload alone, with the topic in the x-loyaltylion-topic header
      (https://developers.loyaltylion.com/docs/features/custom-rewards).
    A body with an `id` or a `topic` is an envelope; anything else is flat.
    """
    data = json.loads(body.decode("utf-8"))  # UnicodeDecodeError is a ValueError too
    if not isinstance(data, dict):
        raise ValueError("the body is not a JSON object")
    if "id" not in data and "topic" not in data:
        if topic_header is None:
            raise ValueError(f"a body without an envelope needs the {TOPIC_HEADER} header")
        return Envelope(id=None, topic=_topic(topic_header), created_at=None, payload=data)
    envelope_id = data.get("id")
    if (
        not isinstance(envelope_id, str)
        or not 0 < len(envelope_id) <= 255
        or not _printable(envelope_id)
    ):
        raise ValueError("`id` must be 1 to 255 printable characters")
    topic = _topic(data.get("topic"))
    if topic_header is not None and topic_header != topic:
        raise ValueError(f"the {TOPIC_HEADER} header says {topic_header!r}, the body {topic!r}")
    created_at = data.get("created_at")
    if "payload" in data:
        payload = data["payload"]
        if not isinstance(payload, dict):
            raise ValueError("`payload` must be a JSON object")
    else:
        payload = {key: value for key, value in data.items() if key not in ENVELOPE_KEYS}
    return Envelope(
        id=envelope_id,
        topic=topic,
        created_at=created_at if isinstance(created_at, str) else None,
        payload=payload,
    )


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601 from LoyaltyLion ("2025-01-01T03:00:05.000Z") -> naive UTC, else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def record(
    session: Session, envelope: Envelope, body: bytes, handlers: Mapping[str, Handler]
) -> WebhookEvent | None:
    """Store a verified webhook, once, and commit. None when its envelope id is already
    stored.

    Insert-and-catch rather than look-then-insert: of two concurrent deliveries of one
    webhook, the unique constraint lets exactly one row in.

    A flat body has no id, and is stored as a new webhook every time: two claims of one
    reward by one customer are byte-for-byte the same body, so de-duplicating on the
    bytes would drop a claim the customer paid points for. The cost is a redelivery
    after a lost answer, which LoyaltyLion makes only when it got no 2xx; the receiver
    answers 2xx as soon as the body is stored.
    """
    event = WebhookEvent(
        envelope_id=envelope.id or f"{NO_ID_PREFIX}{uuid.uuid4().hex}",
        topic=envelope.topic,
        sent_at=parse_timestamp(envelope.created_at),
        body=body.decode("utf-8"),
    )
    if envelope.topic not in handlers:
        event.status = WEBHOOK_IGNORED
        event.note = "No handler for this topic: stored, nothing done."
        event.processed_at = utcnow()
    session.add(event)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return event


def process(
    session: Session, event_id: int, handlers: Mapping[str, Handler]
) -> WebhookEvent | None:
    """Run the topic's handler for a stored webhook: processed or ignored, else failed.

    Safe to call again: a processed or ignored event is left as it is, and the unique
    constraints on what handlers create stop a concurrent run from doing it twice.
    """
    event = session.get(WebhookEvent, event_id)
    if event is None or event.status in WEBHOOK_DONE:
        return event
    topic, attempt = event.topic, event.attempts + 1
    try:
        payload = parse_envelope(event.body.encode("utf-8"), topic).payload
        handler = handlers.get(topic)
        outcome = handler(event, payload) if handler else ignored("No handler for this topic.")
        event.status = outcome.status
        event.note = outcome.note
        event.error = None
        event.attempts = attempt
        event.processed_at = utcnow()
        session.commit()
    except Exception as error:
        session.rollback()
        if isinstance(error, WebhookProcessingError):
            log.warning("webhook %s (%s) failed: %s", event_id, topic, error)
        else:
            log.exception("webhook %s (%s) failed unexpectedly", event_id, topic)
        _record_failure(session, event_id, attempt, _describe(error))
    return session.get(WebhookEvent, event_id)


def _describe(error: Exception) -> str:
    if isinstance(error, WebhookProcessingError):
        return str(error)
    # The first line only: a database error's full text repeats the SQL parameters.
    first_line = next(iter(str(error).splitlines()), "")
    return f"{type(error).__name__}: {first_line}"[:1000]


def _record_failure(session: Session, event_id: int, attempt: int, message: str) -> None:
    # Conditional: if a concurrent run processed the event meanwhile, its result stands.
    session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id, WebhookEvent.status.not_in(WEBHOOK_DONE))
        .values(status=WEBHOOK_FAILED, error=message, attempts=attempt, processed_at=None)
    )
    session.commit()


def process_after_response(
    app: Flask, session: Session, event_id: int, handlers: Mapping[str, Handler]
) -> None:
    """`process` in its own app context, for Response.call_on_close: the WSGI server
    calls it once the answer is sent, when the request's context is already gone."""
    with app.app_context():
        try:
            process(session, event_id, handlers)
        except Exception:
            # Even recording the failure failed (the database is down, say): the event
            # stays `received` and the admin's log offers a retry once it is stalled.
            log.exception("webhook %s could not be processed", event_id)
        finally:
            if hasattr(session, "remove"):
                session.remove()  # a scoped session: this thread's connection goes back


def erase_customer(session: Session, customer_id: str | int) -> int:
    """Blank the stored bodies of the customer's webhooks (in the caller's transaction).
    The rows stay, so the log still shows that something came and what was done."""
    result = session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.customer_id == str(customer_id))
        .values(body=ERASED_BODY)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
