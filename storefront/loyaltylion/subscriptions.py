"""Webhook subscriptions: make LoyaltyLion post the topics this store handles to its URL.

https://developers.loyaltylion.com/api-reference/v2/webhooks/overview (subscribing)

`rewards/store_fulfilment` is the exception: it cannot be subscribed to through the
API; a custom reward sends it to the URL set on the reward in LoyaltyLion's admin
(https://developers.loyaltylion.com/api-reference/v2/webhooks/events/rewards-store-fulfilment).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .client import LoyaltyLionClient

# Set on the reward in LoyaltyLion's admin, never through the Webhook API.
MANAGED_TOPICS = ("rewards/store_fulfilment",)


@dataclass(frozen=True)
class Outcome:
    topic: str
    status: str  # "subscribed" | "already subscribed" | "set on the reward"
    webhook_id: int | None = None


def subscribe(client: LoyaltyLionClient, topics: Iterable[str], address: str) -> list[Outcome]:
    """Subscribe `address` to each topic it is not subscribed to yet (idempotent)."""
    existing = {(hook["topic"], hook["address"]): hook["id"] for hook in client.list_webhooks()}
    outcomes = []
    for topic in sorted(set(topics)):
        if topic in MANAGED_TOPICS:
            outcomes.append(Outcome(topic, "set on the reward"))
        elif (topic, address) in existing:
            outcomes.append(Outcome(topic, "already subscribed", existing[(topic, address)]))
        else:
            created = client.create_webhook(topic, address)
            outcomes.append(Outcome(topic, "subscribed", created.get("id")))
    return outcomes
