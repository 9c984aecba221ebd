"""The customer's loyalty status as LoyaltyLion reports it (`customers/update`).

The account page shows it beside the SDK's live points: it works without JavaScript and
says when LoyaltyLion last told us.
https://developers.loyaltylion.com/api-reference/v2/webhooks/events/customers-update
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import delete, update

from storefront.extensions import db
from storefront.models import User
from storefront.webhooks.models import LoyaltySnapshot, WebhookEvent
from storefront.webhooks.service import (
    Outcome,
    ProcessingError,
    handles,
    ignored,
    merchant_id_of,
    parse_timestamp,
    processed,
)


@handles("customers/update")
def record_customer_update(event: WebhookEvent, payload: dict[str, Any]) -> Outcome:
    # The payload is {"customer": <the Customers API's customer object>}.
    customer = payload.get("customer")
    if not isinstance(customer, dict):
        raise ProcessingError("the payload has no `customer` object")
    if customer.get("merchant_id") in (None, ""):
        return ignored("A guest (no merchant_id): no shop account to update.")
    user = db.session.get(User, merchant_id_of(customer["merchant_id"]))
    if user is None or user.closed_at is not None:
        return ignored(f"No open shop account with id {customer['merchant_id']}.")
    event.customer_id = user.id
    updated_at = parse_timestamp(customer.get("updated_at")) or event.sent_at or event.received_at
    snapshot = db.session.get(LoyaltySnapshot, user.id)
    if snapshot is not None and snapshot.updated_at > updated_at:
        return ignored("Older than the status already stored (deliveries can arrive out of order).")
    if snapshot is None:
        snapshot = LoyaltySnapshot(customer_id=user.id)
        db.session.add(snapshot)
    snapshot.points_approved = _points(customer, "points_approved")
    snapshot.points_pending = _points(customer, "points_pending")
    snapshot.tier_name = _tier_name(customer)
    snapshot.updated_at = updated_at
    return processed(f"Customer {user.id}: {snapshot.points_approved} points.")


def _points(customer: dict[str, Any], key: str) -> int:
    value = customer.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProcessingError(f"`customer.{key}` must be a whole number, not {value!r}")
    return value


def _tier_name(customer: dict[str, Any]) -> str | None:
    # Programs without tiers send no membership (or null).
    membership = customer.get("loyalty_tier_membership")
    tier = membership.get("loyalty_tier") if isinstance(membership, dict) else None
    name = tier.get("name") if isinstance(tier, dict) else None
    return name[:100] if isinstance(name, str) and name else None


def snapshot_for(customer_id: int) -> LoyaltySnapshot | None:
    return db.session.get(LoyaltySnapshot, customer_id)


ERASED_BODY = json.dumps({"erased": "The customer closed their account."})


def forget_customer(_app: Flask, user_id: int, **_: Any) -> None:
    """events.customer_closed: erase what webhooks told us about them, in the closing
    transaction. The gifts stay: they hold no personal data and belong to order records."""
    db.session.execute(delete(LoyaltySnapshot).where(LoyaltySnapshot.customer_id == user_id))
    db.session.execute(
        update(WebhookEvent).where(WebhookEvent.customer_id == user_id).values(body=ERASED_BODY)
    )
