"""JSON shapes of what the sandbox answers, modelled on the Admin API reference.

Fields the sandbox has no data for (tiers, tax, metadata...) are present with an
empty value so that clients parsing the documented shape do not trip over them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from loyaltylion_sandbox import program_settings
from loyaltylion_sandbox.constants import SIGNUP_ACTIVITY
from loyaltylion_sandbox.customers import balances, referral_url
from loyaltylion_sandbox.db import db, iso
from loyaltylion_sandbox.ledger import ledger, order_points
from loyaltylion_sandbox.models import (
    Activity,
    ClaimedReward,
    Customer,
    LedgerEntry,
    Order,
    Reward,
)
from loyaltylion_sandbox.orders import paid_amount
from loyaltylion_sandbox.rewards import all_rewards, claimed_rewards, stock


def customer_points(customer: Customer) -> dict[str, Any]:
    b = balances(customer)
    return {
        "id": customer.id,
        "merchant_id": customer.merchant_id,
        "email": customer.email,
        "points_pending": b.pending,
        "points_approved": b.approved,
        "points_spent": b.spent,
    }


# https://developers.loyaltylion.com/api-reference/v2/resources/customers/list-customers
def customer_resource(customer: Customer) -> dict[str, Any]:
    b = balances(customer)
    referrer = customer.referred_by
    rewards_claimed = db.session.execute(
        select(func.count(ClaimedReward.id)).where(ClaimedReward.customer_id == customer.id)
    ).scalar_one()
    return {
        "id": customer.id,
        "merchant_id": customer.merchant_id,
        "email": customer.email,
        "points_approved": b.approved,
        "points_pending": b.pending,
        "points_spent": b.spent,
        "properties": {},
        "metadata": {},
        "rewards_claimed": rewards_claimed,
        "blocked": customer.blocked,
        "guest": not customer.enrolled,
        "enrolled": customer.enrolled,
        "enrolled_at": iso(customer.enrolled_at),
        "referral_id": customer.referral_code,
        "referred_by": (
            {"id": referrer.id, "merchant_id": referrer.merchant_id} if referrer else None
        ),
        "loyalty_tier_membership": None,
        "insights_segment": None,
        "birthday": customer.birthday,
        "referral_url": referral_url(customer),
        "created_at": iso(customer.created_at),
        "updated_at": iso(customer.updated_at),
        # The guests a $signup with the same email linked to this account (linking.py).
        "linked_merchant_ids": list(customer.linked_merchant_ids or []),
    }


# https://developers.loyaltylion.com/api-reference/v2/resources/activities/list-activities
def activity_resource(activity: Activity) -> dict[str, Any]:
    # `rule` is always there; "When an activity is not linked to a rule, id and name will
    # be null". The sandbox has no rule ids: the activity's name stands in.
    linked = bool(activity.rule)
    return {
        "id": activity.id,
        "merchant_id": activity.merchant_id,
        "value": activity.points,
        "state": activity.state,
        "customer": customer_points(activity.customer),
        "created_at": iso(activity.created_at),
        "rule": {
            "id": None,
            "name": activity.name if linked else None,
            "title": activity.name if linked else None,
        },
    }


def _total_paid(order: Order) -> str:
    # Typed string: when the store left it out on create, what the sandbox takes as
    # paid (the total once paid, else 0).
    return f"{paid_amount(order):.2f}"


def _total_discounts(order: Order) -> str:
    total = sum((Decimal(entry["amount"]) for entry in order.discount_codes or []), Decimal("0"))
    return f"{total:.2f}"


# https://developers.loyaltylion.com/api-reference/v2/resources/orders/list-orders
def order_list_item(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "merchant_id": order.merchant_id,
        "merchant_number": order.merchant_number,
        "total": order.total,
        "total_tax": None,
        "total_shipping": order.total_shipping,
        "total_discounts": _total_discounts(order),
        "total_paid": _total_paid(order),
        "total_refunded": order.total_refunded,
        "payment_status": order.payment_status,
        "fulfillment_status": None,
        "refund_status": order.refund_status,
        "cancellation_status": order.cancellation_status,
        "metadata": {},
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
        "customer": customer_points(order.customer),
    }


# https://developers.loyaltylion.com/api-reference/v2/resources/orders/get-order
def order_detail(order: Order) -> dict[str, Any]:
    # The sandbox keeps the current state only, so payments/refunds are synthesised
    # as one entry each from total_paid / total_refunded.
    payments = []
    if order.total_paid is not None and Decimal(order.total_paid) > 0:
        payments.append(
            {"amount": order.total_paid, "created_at": iso(order.updated_at), "gateway": "sandbox"}
        )
    refunds = []
    if Decimal(order.total_refunded) > 0:
        refunds.append({"amount": order.total_refunded, "created_at": iso(order.updated_at)})
    return {
        "cancellation_status": order.cancellation_status,
        "merchant_id": order.merchant_id,
        "payment_status": order.payment_status,
        "refund_status": order.refund_status,
        "total_paid": _total_paid(order),
        "total_shipping": order.total_shipping,
        "total": order.total,
        "merchant_created_at": order.date or iso(order.created_at),
        "merchant_updated_at": iso(order.updated_at),
        "payments": payments,
        "refunds": refunds,
    }


def order_full(order: Order) -> dict[str, Any]:
    """Everything received for an order (control route and dashboard)."""
    return {
        **order_list_item(order),
        "customer_id": order.customer.merchant_id,
        "customer_email": order.customer_email,
        "discount_codes": order.discount_codes,
        "claimed_reward_ids": order.claimed_reward_ids,
        "date": order.date,
        "ip_address": order.ip_address,
        "user_agent": order.user_agent,
        "referral_id": order.referral_id,
        "tracking_id": order.tracking_id,
        "guest": order.guest,
        "site_id": order.site_id,
        "update_count": order.update_count,
        # Received from a guest; when a $signup linked it, and the guest it was placed as.
        "guest_order": order.guest_order,
        "linked_at": iso(order.linked_at),
        "placed_by": order.placed_by,
        "purchase_points": order.purchase_points,
        # What the purchase points stand at now, after payments, refunds, cancellation.
        "points": order_points(order),
        "referral_points": order.referral_points,
        "notes": order.notes,
    }


def reward_resource(reward: Reward) -> dict[str, Any]:
    if reward.kind == "custom":
        return {
            "id": reward.id,
            "title": reward.title,
            "description": reward.description,
            "point_cost": reward.point_cost,
            "method": "custom",
            "reward_identifier": reward.identifier,
            "discount_type": None,
            "discount_amount": None,
        }
    return {
        "id": reward.id,
        "title": reward.title,
        "description": reward.description,
        "point_cost": reward.point_cost,
        "method": reward.kind,
        "discount_type": "flat",
        "discount_amount": float(Decimal(reward.discount_amount)),
    }


# https://developers.loyaltylion.com/api-reference/v2/resources/customers/rewards/redeem-reward
def claimed_reward_resource(claimed: ClaimedReward) -> dict[str, Any]:
    if claimed.reward.kind == "custom":
        # No code: the store fulfils it when its webhook is answered with a 2xx.
        # `fulfilment_status` is the sandbox's own field (pending/fulfilled/failed).
        redeemable = {
            "redeemable_type": "custom",
            "code": None,
            "fulfilled": claimed.fulfilment == "fulfilled",
            "fulfilled_at": iso(claimed.fulfilled_at),
            "fulfilment_status": claimed.fulfilment,
            "expires_on": None,
            "used": claimed.used_at is not None,
            "used_at": iso(claimed.used_at),
        }
    else:
        # The voucher code sits on the redeemable, as for LoyaltyLion voucher rewards.
        redeemable = {
            "redeemable_type": "voucher",
            "code": claimed.code,
            "fulfilled": True,
            "fulfilled_at": iso(claimed.claimed_at),
            "expires_on": None,
            "used": claimed.used_at is not None,
            "used_at": iso(claimed.used_at),
        }
    return {
        "id": claimed.id,
        "claimed_at": iso(claimed.claimed_at),
        "point_cost": claimed.point_cost,
        "redeemable": redeemable,
        "reward": reward_resource(claimed.reward),
    }


def ledger_entry(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "points": entry.points,
        "state": entry.state,
        "order_id": entry.order_id,
        "activity_id": entry.activity_id,
        "claimed_reward_id": entry.claimed_reward_id,
        "reason": entry.reason,
        "created_at": iso(entry.created_at),
    }


def customer_full(customer: Customer) -> dict[str, Any]:
    """Balances + ledger + claims + activities (GET /_sandbox/customers/<merchant_id>)."""
    activities = db.session.execute(
        select(Activity).where(Activity.customer_id == customer.id).order_by(Activity.id)
    ).scalars()
    return {
        "customer": customer_resource(customer),
        "balances": balances(customer).as_dict(),
        "ledger": [ledger_entry(e) for e in ledger(customer)],
        "claimed_rewards": [claimed_reward_resource(c) for c in claimed_rewards(customer)],
        "activities": [
            {
                "id": a.id,
                "name": a.name,
                "merchant_id": a.merchant_id,
                "state": a.state,
                "points": a.points,
                "outcome": a.outcome,
                "created_at": iso(a.created_at),
            }
            for a in activities
        ],
    }


# ------------------------------------------------------------------------------- SDK


def program_rules() -> list[dict[str, Any]]:
    """ "Ways to earn", in the words a shopper reads."""
    program = program_settings.current()
    rules = [
        {"name": SIGNUP_ACTIVITY, "title": "Create an account", "points": program["signup_points"]},
        {
            "name": "purchase",
            "title": "Make a purchase",
            "points": program["purchase_points_per_unit"],
            "description": f"{program['purchase_points_per_unit']} points for every 1.00 spent",
        },
        {
            "name": "referral",
            "title": "Refer a friend",
            "points": program["referral_points"],
            "description": "When your friend's first order is paid",
        },
    ]
    for name, rule in program["custom_rules"].items():
        title = rule.get("title") or name.replace("_", " ").capitalize()
        rules.append({"name": name, "title": title, "points": rule["points"]})
    return [rule for rule in rules if rule["points"] > 0]


def program_rewards(customer: Customer | None) -> list[dict[str, Any]]:
    approved = balances(customer).approved if customer else 0
    items = []
    for reward in all_rewards():
        # Custom rewards have no pool: the store fulfils each claim.
        in_stock = reward.kind == "custom" or stock(reward.id).unused > 0
        if not in_stock:
            reason = "Out of stock"
        elif customer is None:
            reason = "Log in to claim"
        elif customer.blocked:
            reason = "Your account cannot claim rewards"
        elif approved < reward.point_cost:
            reason = f"You need {reward.point_cost - approved} more points"
        else:
            reason = None
        items.append(
            {
                "id": reward.id,
                "title": reward.title,
                "description": reward.description,
                "point_cost": reward.point_cost,
                "kind": reward.kind,
                "in_stock": in_stock,
                "can_claim": reason is None,
                "reason": reason,
            }
        )
    return items


_STATE_WORDS = {"approved": "Approved", "pending": "Pending", "void": "Removed"}


def history_title(entry: LedgerEntry) -> str:
    """What a shopper reads for one points-history row ("Order #1002", "Joined the
    program"); `reason` keeps the developer's wording for the dashboard. LoyaltyLion's
    own loyalty page words these its own way; the sandbox's are plain English."""
    if entry.kind == "signup":
        return "Joined the program"
    if entry.kind in ("purchase", "referral") and entry.order_id is not None:
        order = db.session.get(Order, entry.order_id)
        number = (order.merchant_number or order.merchant_id) if order else "?"
        label = f"Order #{number}" if entry.kind == "purchase" else "A friend you referred"
        return label if entry.points > 0 else f"{label}: refunded or cancelled"
    if entry.kind == "custom_rule" and entry.activity_id is not None:
        activity = db.session.get(Activity, entry.activity_id)
        rule = program_settings.current()["custom_rules"].get(activity.name if activity else "")
        return rule["title"] if rule else "Bonus points"
    if entry.kind == "reward_claim" and entry.claimed_reward_id is not None:
        claimed = db.session.get(ClaimedReward, entry.claimed_reward_id)
        return f"Claimed {claimed.reward.title}" if claimed else "Claimed a reward"
    if entry.kind == "points_added":
        return "Points from the store"
    if entry.kind == "points_removed":
        return "Points removed by the store"
    return entry.reason


def sdk_state(customer: Customer | None) -> dict[str, Any]:
    """What the browser SDK renders: the program, plus the customer's side if any."""
    state: dict[str, Any] = {
        "rules": program_rules(),
        "rewards": program_rewards(customer),
        "customer": None,
    }
    if customer is not None:
        # LoyaltyLion's SDK shows a blocked customer 0 points everywhere.
        points = balances(customer).as_dict()
        if customer.blocked:
            points = dict.fromkeys(points, 0)
        state["customer"] = {
            "merchant_id": customer.merchant_id,
            "email": customer.email,
            "blocked": customer.blocked,
            "points": points,
            "referral_url": referral_url(customer),
            "claimed_rewards": [
                {
                    "id": c.id,
                    "title": c.reward.title,
                    "kind": c.reward.kind,
                    "code": c.code,
                    "fulfilment": c.fulfilment,
                    "claimed_at": iso(c.claimed_at),
                    "used": c.used_at is not None,
                    "used_in_order": c.used_in_order,
                }
                for c in claimed_rewards(customer)
            ],
            "history": [
                {
                    "created_at": iso(e.created_at),
                    "points": e.points,
                    "state": e.state,
                    "status": _STATE_WORDS.get(e.state, e.state),
                    "kind": e.kind,
                    "title": history_title(e),
                    "reason": e.reason,
                }
                for e in ledger(customer, limit=50)
            ],
        }
    return state
