"""Custom rewards: LoyaltyLion asks the store to fulfil them through a webhook.

https://developers.loyaltylion.com/docs/features/custom-rewards
https://developers.loyaltylion.com/api-reference/v2/webhooks/events/rewards-store-fulfilment

Claiming a custom reward spends the points and queues a `rewards/store_fulfilment`
webhook; the claim stays "pending" until the store answers it with a 2xx (see
`webhooks._record`). Saving a custom reward in LoyaltyLion sends a `test: true`
webhook to check the URL; `send_test_webhook` plays that part.
"""

from __future__ import annotations

from typing import Any

from loyaltylion_sandbox.constants import TEST_WEBHOOK_CUSTOMER, TOPIC_STORE_FULFILMENT
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.models import ClaimedReward, Customer, Reward, WebhookDelivery
from loyaltylion_sandbox.webhooks import queue


def payload(reward: Reward, customer: Customer | None, *, test: bool) -> dict[str, Any]:
    """The documented payload. `customer_merchant_id` is the store's id as a string:
    the docs type it as a number, but it is the same id the store sends everywhere
    else as a string."""
    who = (
        {
            "customer_id": customer.id,
            "customer_merchant_id": customer.merchant_id,
            "customer_email": customer.email,
        }
        if customer is not None
        else dict(TEST_WEBHOOK_CUSTOMER)
    )
    return {
        "test": test,
        "reward_id": reward.id,
        "reward_identifier": reward.identifier,
        **who,
    }


def queue_for_claim(claimed: ClaimedReward) -> WebhookDelivery:
    """The webhook that fulfils a claim (the claim is "pending" until it is answered)."""
    claimed.fulfilment = "pending"
    return queue(
        TOPIC_STORE_FULFILMENT,
        payload(claimed.reward, claimed.customer, test=False),
        claimed_reward_id=claimed.id,
    )


def send_test_webhook(reward: Reward, customer: Customer | None) -> WebhookDelivery:
    """A `test: true` webhook, as LoyaltyLion sends when a custom reward is saved.

    It fulfils nothing: the store must answer 2xx and do nothing else.
    """
    if reward.kind != "custom":
        raise SandboxError(
            400,
            f"Reward {reward.id} ({reward.title}) is a {reward.kind} reward: only custom "
            "rewards have a fulfilment webhook",
            {"reward_id": ["not a custom reward"]},
        )
    return queue(TOPIC_STORE_FULFILMENT, payload(reward, customer, test=True), test=True)
