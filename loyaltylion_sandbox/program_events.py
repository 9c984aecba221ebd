"""Program-event webhooks the sandbox sends when something happens in the program.

Only `program_events/customer.claimed_reward` so far: LoyaltyLion sends it when a
customer claims a voucher (or gift card) reward, to every address subscribed to the
topic, with the voucher code it handed out.
https://developers.loyaltylion.com/api-reference/v2/webhooks/events/program-events/customer-claimed-reward

Sandbox choices where the page is silent: the body is the usual envelope with the
fields under `payload` (as the other program events' examples show), and it is queued
in the same transaction as the claim, so a rolled-back claim sends nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from loyaltylion_sandbox import rewards, subscriptions, webhooks
from loyaltylion_sandbox.models import ClaimedReward, Customer
from loyaltylion_sandbox.resources import customer_resource

TOPIC_CLAIMED_REWARD = "program_events/customer.claimed_reward"


def claim(customer: Customer, reward_id: int, source: str) -> ClaimedReward:
    """Claim a reward (rewards.claim_reward) and announce it to the subscribers."""
    claimed = rewards.claim_reward(customer, reward_id, source=source)
    if claimed.code is not None:  # custom rewards have their own webhook (fulfilment.py)
        payload = claimed_reward_payload(claimed)
        for address in subscriptions.addresses_for(TOPIC_CLAIMED_REWARD):
            webhooks.queue(TOPIC_CLAIMED_REWARD, payload, url=address)
    return claimed


def _decimal_number(text: str) -> int | float:
    """ "5.00" -> 5, "2.50" -> 2.5: the page's "decimal value, e.g. $5 will be 5"."""
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def claimed_reward_payload(claimed: ClaimedReward) -> dict[str, Any]:
    """Every field the page lists; the gift-card ones are null for a voucher."""
    return {
        "customer": customer_resource(claimed.customer),
        "title": claimed.reward.title,
        "reward_type": "voucher",
        "discount_type": "flat",  # the sandbox's rewards are all fixed amounts
        "voucher_code": claimed.code,
        "discount_amount": _decimal_number(claimed.reward.discount_amount),
        "gift_card_last_characters": None,
        "currency": None,
        "initial_value": None,
        "balance": None,
    }
