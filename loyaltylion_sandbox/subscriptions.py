"""Webhook subscriptions: the Webhook API's three endpoints, and who gets which topic.

https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/list-webhooks
https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/create-webhook
https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/delete-webhook

A subscription sends its topic's events to its address. `rewards/store_fulfilment`
cannot be subscribed to: a custom reward's own URL receives it, managed by LoyaltyLion
(https://developers.loyaltylion.com/api-reference/v2/webhooks/events/rewards-store-fulfilment);
in the sandbox that URL is the `webhook_url` setting.

Sandbox choices (the docs are silent): the address "should start with https://"; the
sandbox also takes http:// for a loopback host (127.0.0.1, localhost, ::1), with a
warning, since a local shop has no certificate. A second subscription for the same
topic and address is a 400 (the first one already delivers there). The list shows the
subscriptions made through the API only, not the custom reward's managed one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from loyaltylion_sandbox.constants import SUBSCRIBABLE_TOPICS
from loyaltylion_sandbox.db import db, iso
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.models import WebhookSubscription

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def all_subscriptions() -> list[WebhookSubscription]:
    return list(
        db.session.execute(select(WebhookSubscription).order_by(WebhookSubscription.id)).scalars()
    )


def addresses_for(topic: str) -> list[str]:
    """Where an event of `topic` goes: one address per subscription."""
    return [s.address for s in all_subscriptions() if s.topic == topic]


def subscription_resource(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "topic": subscription.topic,
        "address": subscription.address,
        "created_at": iso(subscription.created_at),
        "updated_at": iso(subscription.updated_at),
        "service_integration_id": subscription.service_integration_id,
    }


def create(body: dict[str, Any]) -> tuple[WebhookSubscription, list[str]]:
    """POST /v2/webhooks, the body already schema-checked. Returns warnings too."""
    webhook = body["webhook"]
    topic, address = webhook["topic"], webhook["address"]
    if topic not in SUBSCRIBABLE_TOPICS:
        detail = (
            "rewards/store_fulfilment cannot be subscribed to: a custom reward's own URL "
            "receives it"
            if topic == "rewards/store_fulfilment"
            else f"one of {', '.join(SUBSCRIBABLE_TOPICS)}"
        )
        raise SandboxError(400, f"Cannot subscribe to {topic}", {"webhook": [f"topic: {detail}"]})
    warnings = []
    parts = urlsplit(address)
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        warnings.append("address is http on a loopback host: LoyaltyLion wants https://")
    elif parts.scheme != "https" or not parts.netloc:
        raise SandboxError(
            400,
            "The address must be an https:// URL",
            {"webhook": [f"address: must start with https:// (got {address!r})"]},
        )
    duplicate = db.session.execute(
        select(WebhookSubscription).where(
            WebhookSubscription.topic == topic, WebhookSubscription.address == address
        )
    ).scalar_one_or_none()
    if duplicate is not None:
        raise SandboxError(
            400,
            f"Already subscribed: webhook {duplicate.id} sends {topic} to this address",
            {"webhook": ["a subscription for this topic and address exists"]},
        )
    subscription = WebhookSubscription(
        topic=topic, address=address, service_integration_id=webhook.get("service_integration_id")
    )
    db.session.add(subscription)
    db.session.flush()
    return subscription, warnings


def delete(webhook_id: int) -> None:
    subscription = db.session.get(WebhookSubscription, webhook_id)
    if subscription is None:
        raise SandboxError(404, f"Webhook {webhook_id} not found", {"webhook_id": ["not found"]})
    db.session.delete(subscription)
