"""JSON shapes of the Headless API (2025-06) answers, from the sandbox's own tables.

Every shape is a type of loyaltylion/typescript-headless-api-client src/types/schemas.ts
(named in each function's docstring) and is checked against the schemas in
headless_schemas/ by tests/sandbox/test_headless_api.py. The numbers are the ledger's,
the same the Admin API and the SDK stand-in show.

Sandbox choices (docs/sandbox.md, "Headless API"): rule ids are fixed for the built-in
rules (join_program 1, purchase 2, referral 3) and positional for custom rules (10, 11...
in the order of the `custom_rules` setting); every rule and reward has one variant per
tier, all alike (the sandbox's program does not vary by tier); nothing has a claim or
completion limit but a custom rule's "once" (count 1, no interval) and join_program.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from loyaltylion_sandbox import program_settings, tiers
from loyaltylion_sandbox.constants import (
    HEADLESS_CURRENCY,
    HEADLESS_LANGUAGE,
    HEADLESS_PROGRAM_NAME,
    POOLED_REWARD_KINDS,
)
from loyaltylion_sandbox.customers import balances, referral_url
from loyaltylion_sandbox.db import db, iso, utcnow
from loyaltylion_sandbox.models import (
    Activity,
    ClaimedReward,
    Customer,
    LedgerEntry,
    Order,
    Reward,
)
from loyaltylion_sandbox.resources import history_title
from loyaltylion_sandbox.rewards import all_rewards, claimed_rewards, stock

# Reward.kind -> the Headless reward kind.
REWARD_KIND = {
    "voucher": "cart_discount_voucher",
    "free_shipping": "free_shipping_voucher",
    "custom": "custom",
}
RULE_ID_JOIN, RULE_ID_PURCHASE, RULE_ID_REFERRAL, FIRST_CUSTOM_RULE_ID = 1, 2, 3, 10
# How many claimed rewards a customer carries: "The most recent 20 claimed rewards".
CLAIMED_REWARDS_SHOWN = 20
# How many history actions (sandbox choice: the types say "the most recent actions").
HISTORY_SHOWN = 50


def money(amount: Decimal | str) -> dict[str, Any]:
    """CurrencyAmount: a number (an integer when whole) and "$5" / "$2.50"."""
    value = Decimal(str(amount))
    whole = value == value.to_integral_value()
    return {
        "amount": int(value) if whole else float(value),
        "formatted": f"${int(value)}" if whole else f"${value:.2f}",
    }


def points_text(points: int) -> str:
    return f"{points:,} point{'s' if abs(points) != 1 else ''}"


# ------------------------------------------------------------------------------ rules


@dataclass(frozen=True)
class ProgramRule:
    id: int
    kind: str  # a RuleKind
    name: str  # the Admin API's activity name / the sandbox's rule key
    title: str
    points: int
    per_currency_unit: int | None
    once: bool
    properties: dict[str, Any] | None = None


def program_rules() -> list[ProgramRule]:
    """The ways to earn, from the program settings (rules worth 0 points are left out,
    as the SDK stand-in does). No birthday or pageview rule: the sandbox has neither."""
    program = program_settings.current()
    rules = [
        ProgramRule(RULE_ID_JOIN, "join_program", "$signup", "Join our program",
                    program["signup_points"], None, True),
        ProgramRule(RULE_ID_PURCHASE, "purchase", "purchase", "Make a purchase",
                    program["purchase_points_per_unit"], 1, False),
        # The sandbox pays a referrer on the referred customer's first paid order.
        ProgramRule(RULE_ID_REFERRAL, "referral", "referral", "Refer a friend",
                    program["referral_points"], None, False, {"trigger": "any_purchase"}),
    ]  # fmt: skip
    for index, (name, rule) in enumerate(program["custom_rules"].items()):
        title = rule.get("title") or name.replace("_", " ").capitalize()
        rules.append(
            ProgramRule(FIRST_CUSTOM_RULE_ID + index, "custom", name, title, rule["points"],
                        None, bool(rule.get("once")), {"name": name})
        )  # fmt: skip
    return [rule for rule in rules if rule.points > 0]


def find_rule(rule_id: int) -> ProgramRule | None:
    return next((rule for rule in program_rules() if rule.id == rule_id), None)


def _limit(rule: ProgramRule) -> dict[str, Any] | None:
    return {"count": 1, "interval": None} if rule.once else None


def _rule_variant(rule: ProgramRule, tier_id: int | None) -> dict[str, Any]:
    """Rule*.variants[] / CustomerAvailableRule*.variant."""
    short = points_text(rule.points) + (" per $1" if rule.per_currency_unit else "")
    return {
        "tier_id": tier_id,
        "title": rule.title,
        "enabled": True,
        "result": {
            "kind": "points",
            "per_currency_unit": rule.per_currency_unit,
            "points": rule.points,
        },
        "result_short_text": short,
    }


def _tier_ids() -> list[int | None]:
    configured = tiers.configured()
    return [tier.id for tier in configured] if configured else [None]


def _rule_base(rule: ProgramRule) -> dict[str, Any]:
    base: dict[str, Any] = {"id": rule.id, "limit": _limit(rule), "kind": rule.kind}
    if rule.properties is not None:
        base["properties"] = rule.properties
    return base


def rules_configuration() -> list[dict[str, Any]]:
    """SiteConfiguration.rules (RuleJoinProgram, RulePurchase, RuleReferral, RuleCustom)."""
    return [
        {**_rule_base(rule), "variants": [_rule_variant(rule, t) for t in _tier_ids()]}
        for rule in program_rules()
    ]


def rule_completions(customer: Customer, rule: ProgramRule) -> tuple[int, str | None]:
    """How often the customer completed the rule (earning points), and when last."""
    if rule.kind == "join_program":
        stmt = select(func.count(LedgerEntry.id), func.max(LedgerEntry.created_at)).where(
            LedgerEntry.customer_id == customer.id,
            LedgerEntry.kind == "signup",
            LedgerEntry.points > 0,
        )
        count, last = db.session.execute(stmt).one()
        return min(count, 1), iso(last)
    if rule.kind in ("purchase", "referral"):
        owner = Order.customer_id if rule.kind == "purchase" else Order.referrer_id
        worth = Order.purchase_points if rule.kind == "purchase" else Order.referral_points
        stmt = select(func.count(Order.id), func.max(Order.created_at)).where(
            owner == customer.id, worth > 0, Order.forgotten_at.is_(None)
        )
    else:
        stmt = select(func.count(Activity.id), func.max(Activity.created_at)).where(
            Activity.customer_id == customer.id,
            Activity.name == rule.name,
            Activity.points > 0,
        )
    count, last = db.session.execute(stmt).one()
    return int(count), iso(last)


def _completion_limit(rule: ProgramRule, count: int) -> dict[str, Any]:
    if not rule.once:
        return {"state": "no_limit"}
    if count >= 1:
        return {"state": "limit_reached_forever"}
    return {
        "state": "limit_not_reached",
        "interval": None,
        "allowed_completions_within_interval": 1,
        "completion_count_within_interval": count,
        "remaining_completions_within_interval": 1 - count,
    }


def customer_rules(customer: Customer) -> list[dict[str, Any]]:
    """CustomerEnrolled.available_rules (CustomerAvailableRule*)."""
    tier_id = tiers.current_tier_id(customer)
    found = []
    for rule in program_rules():
        count, last = rule_completions(customer, rule)
        found.append(
            {
                **_rule_base(rule),
                "variant": _rule_variant(rule, tier_id),
                "context": {
                    "last_completed_at": last,
                    "completion_count": count,
                    "completion_limit": _completion_limit(rule, count),
                },
            }
        )
    return found


# ---------------------------------------------------------------------------- rewards


def _reward_properties(reward: Reward) -> dict[str, Any]:
    if reward.kind == "custom":
        return {
            "fulfillment_method": "webhook",
            "fulfillment_webhook_url": program_settings.current()["webhook_url"],
        }
    if reward.kind == "free_shipping":
        return {"max_shipping": _max_shipping(reward)}
    return {
        "discount_type": "fixed",
        "discount": money(reward.discount_amount),
        "applies_to_order_type": "all",
        "recurring_cycle_limit": 1,
        "supports_active_subscriptions": False,
        "minimum_spend": None,
    }


def _max_shipping(reward: Reward) -> dict[str, Any] | None:
    return money(reward.discount_amount) if Decimal(reward.discount_amount) > 0 else None


def _reward_variant(reward: Reward, tier_id: int | None) -> dict[str, Any]:
    return {
        "tier_id": tier_id,
        "title": reward.title,
        "enabled": True,
        "cost": {"kind": "fixed", "points": reward.point_cost},
        "cost_text": points_text(reward.point_cost),
    }


def _reward_base(reward: Reward) -> dict[str, Any]:
    return {
        "id": reward.id,
        "limit": None,
        "kind": REWARD_KIND[reward.kind],
        "properties": _reward_properties(reward),
    }


def rewards_configuration() -> list[dict[str, Any]]:
    """SiteConfiguration.rewards (RewardCartDiscountVoucher, RewardFreeShippingVoucher,
    RewardCustom)."""
    return [
        {**_reward_base(r), "variants": [_reward_variant(r, t) for t in _tier_ids()]}
        for r in all_rewards()
        if r.kind in REWARD_KIND
    ]


def can_redeem(customer: Customer, reward: Reward, approved: int) -> dict[str, Any]:
    """RewardContextCanRedeem*: out of stock (an empty pool) first, then points."""
    if reward.kind in POOLED_REWARD_KINDS and stock(reward.id).unused == 0:
        return {"state": "out_of_stock"}
    if approved < reward.point_cost:
        return {
            "state": "insufficient_points",
            "additional_points_required": reward.point_cost - approved,
        }
    return {"state": "redeemable"}


def customer_rewards(customer: Customer) -> list[dict[str, Any]]:
    """CustomerEnrolled.available_rewards (CustomerAvailableReward*)."""
    approved = balances(customer).approved
    tier_id = tiers.current_tier_id(customer)
    found = []
    for reward in all_rewards():
        if reward.kind not in REWARD_KIND:
            continue
        count, last = db.session.execute(
            select(func.count(ClaimedReward.id), func.max(ClaimedReward.claimed_at)).where(
                ClaimedReward.customer_id == customer.id, ClaimedReward.reward_id == reward.id
            )
        ).one()
        found.append(
            {
                **_reward_base(reward),
                "variant": _reward_variant(reward, tier_id),
                "context": {
                    "can_redeem": can_redeem(customer, reward, approved),
                    "last_claimed_at": iso(last),
                    "claim_count": int(count),
                    "claim_limit": {"state": "no_limit"},
                },
            }
        )
    return found


def redeemable(claimed: ClaimedReward) -> dict[str, Any]:
    """The claimed reward's redeemable: the voucher code, or a custom reward's state."""
    reward = claimed.reward
    usage = "used" if claimed.used_at is not None else "not_used"
    if reward.kind == "custom":
        waiting = "Your reward is on its way" if claimed.fulfilment != "fulfilled" else None
        return {
            "usage_status": usage,
            "kind": "custom",
            "fulfilment_explanation": waiting,
            "fulfilled_at": iso(claimed.fulfilled_at),
        }
    return {
        "usage_status": usage,
        "kind": REWARD_KIND[reward.kind],
        "code": claimed.code,
        # The voucher's terms, as the reward offers them (its properties).
        **_reward_properties(reward),
        "expires_at": None,
        "used_at": iso(claimed.used_at),
    }


def claimed_reward(claimed: ClaimedReward) -> dict[str, Any]:
    """CustomerEnrolled.claimed_rewards[] (and the redeem answers' claimed_reward)."""
    return {
        "id": claimed.id,
        "claimed_at": iso(claimed.claimed_at),
        "reward_id": claimed.reward_id,
        "title": claimed.reward.title,
        "state": "approved",
        "source": {"kind": "points_redemption", "points_cost": claimed.point_cost},
        "redeemable": redeemable(claimed),
        "auto_refund_at": None,
    }


# ---------------------------------------------------------------------------- history


def _history_action(rows: list[LedgerEntry]) -> dict[str, Any] | None:
    """One CustomerHistoryAction* for one source of points (its ledger rows, oldest first):
    "a single action may cover multiple transactions"."""
    first = rows[0]
    sums = {
        state: sum(r.points for r in rows if r.state == state)
        for state in ("pending", "approved", "void")
    }
    live = sums["pending"] + sums["approved"]
    date_text = iso(first.created_at)
    label = history_title(first)
    if first.kind == "reward_claim":
        claimed = db.session.get(ClaimedReward, first.claimed_reward_id)
        if claimed is None or claimed.reward.kind not in REWARD_KIND:
            return None
        return {
            "kind": "redeemed_points_for_reward",
            "label": claimed.reward.title,
            "date": date_text,
            "points": sums["approved"],
            "points_text": points_text(sums["approved"]),
            "reward": {"id": claimed.reward_id, "kind": REWARD_KIND[claimed.reward.kind]},
            "claimed_reward_id": claimed.id,
            "state": "approved",
        }
    if first.kind == "points_added":
        return {
            "kind": "points_added", "label": label, "date": date_text,
            "points": first.points, "points_text": points_text(first.points),
            "points_will_expire_at": None, "state": "approved",
        }  # fmt: skip
    if first.kind == "points_removed":
        return {
            "kind": "points_removed", "label": label, "date": date_text,
            "points": first.points, "points_text": points_text(first.points),
            "state": "applied",
        }  # fmt: skip
    rule_id = _rule_id_for(first)
    if rule_id is None:
        return None
    if live > 0:
        state, points = ("approved" if sums["approved"] > 0 else "pending"), live
    else:
        activity = db.session.get(Activity, first.activity_id) if first.activity_id else None
        state = "declined" if activity is not None and activity.state == "declined" else "void"
        points = sums["void"]
    return {
        "kind": "earned_points_from_rule",
        "label": label,
        "date": date_text,
        "points": points,
        "points_text": points_text(points),
        "rule": rule_id,
        "points_will_approve_at": None,
        "points_will_expire_at": None,
        "state": state,
    }


def _rule_id_for(entry: LedgerEntry) -> dict[str, Any] | None:
    if entry.kind == "signup":
        return {"id": RULE_ID_JOIN, "kind": "join_program"}
    if entry.kind == "purchase":
        return {"id": RULE_ID_PURCHASE, "kind": "purchase"}
    if entry.kind == "referral":
        return {"id": RULE_ID_REFERRAL, "kind": "referral"}
    if entry.kind == "custom_rule" and entry.activity_id is not None:
        activity = db.session.get(Activity, entry.activity_id)
        names = list(program_settings.current()["custom_rules"])
        if activity is not None and activity.name in names:
            return {"id": FIRST_CUSTOM_RULE_ID + names.index(activity.name), "kind": "custom"}
        return {"id": 0, "kind": "custom"}  # a rule since removed from the settings
    return None


def history(customer: Customer) -> list[dict[str, Any]]:
    """CustomerEnrolled.history: newest first, one action per source of points."""
    rows = db.session.execute(
        select(LedgerEntry).where(LedgerEntry.customer_id == customer.id).order_by(LedgerEntry.id)
    ).scalars()
    groups: dict[tuple, list[LedgerEntry]] = {}
    for row in rows:
        key = (row.kind, row.order_id, row.activity_id, row.claimed_reward_id)
        if row.kind in ("points_added", "points_removed"):
            key = (row.kind, row.id)  # each manual adjustment is its own action
        groups.setdefault(key, []).append(row)
    actions = [_history_action(group) for group in groups.values()]
    ordered = sorted(
        zip(groups.values(), actions, strict=True), key=lambda pair: pair[0][0].id, reverse=True
    )
    return [action for _rows, action in ordered if action is not None][:HISTORY_SHOWN]


def activity_action(activity: Activity) -> dict[str, Any] | None:
    """The history action of one completed (custom) rule, for `actions` in answers."""
    rows = list(
        db.session.execute(
            select(LedgerEntry)
            .where(LedgerEntry.activity_id == activity.id)
            .order_by(LedgerEntry.id)
        ).scalars()
    )
    return _history_action(rows) if rows else None


# --------------------------------------------------------------------------- customer


def birthday(customer: Customer) -> dict[str, int] | None:
    if not customer.birthday:
        return None
    day = date.fromisoformat(customer.birthday)
    return {"month": day.month, "day": day.day, "year": day.year}


def next_birthday(customer: Customer) -> str | None:
    if not customer.birthday:
        return None
    born = date.fromisoformat(customer.birthday)
    today = utcnow().date()
    for year in (today.year, today.year + 1, today.year + 2):
        try:
            candidate = born.replace(year=year)
        except ValueError:  # 29 February in a common year: 1 March
            candidate = date(year, 3, 1)
        if candidate >= today:
            return candidate.isoformat()
    return None  # pragma: no cover


def _identity(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "merchant_id": customer.merchant_id,
        "email": customer.email or None,
        "first_name": None,
        "last_name": None,
    }


def customer_resource(customer: Customer) -> dict[str, Any]:
    """CustomerEnrolled | CustomerGuest | CustomerBlocked, by the customer's state."""
    if customer.blocked:
        return {**_identity(customer), "state": "blocked"}
    if not customer.enrolled:
        return {**_identity(customer), "state": "guest"}
    return enrolled_customer(customer)


def enrolled_customer(customer: Customer) -> dict[str, Any]:
    """CustomerEnrolled."""
    b = balances(customer)
    link = referral_url(customer)
    return {
        "state": "enrolled",
        **_identity(customer),
        "points_approved": b.approved,
        "points_pending": b.pending,
        "points_spent": b.spent,
        "enrolled_at": iso(customer.enrolled_at or customer.created_at),
        "tier_membership": tiers.membership(customer),
        "birthday": birthday(customer),
        "next_birthday": next_birthday(customer),
        "claimed_rewards": [
            claimed_reward(c) for c in claimed_rewards(customer)[:CLAIMED_REWARDS_SHOWN]
        ],
        "available_rewards": customer_rewards(customer),
        "available_rules": customer_rules(customer),
        "history": history(customer),
        "active_cart_redemptions": [],
        "email_marketing_consent": {"state": customer.email_marketing_consent or "unknown"},
        "sms_marketing_consent": {"state": "unknown"},
        # One link for every platform (sandbox choice: LoyaltyLion's differ per platform).
        "referral_urls": dict.fromkeys(
            ("direct", "facebook", "twitter", "email", "whatsapp", "device_share"), link
        ),
    }


def site_configuration(channel: str) -> dict[str, Any]:
    """SiteConfiguration."""
    return {
        "channel": channel,
        "currency": HEADLESS_CURRENCY,
        "language": HEADLESS_LANGUAGE,
        "program": {"name": HEADLESS_PROGRAM_NAME},
        "tier_configuration": tiers.tier_configuration(),
        "rules": rules_configuration(),
        "rewards": rewards_configuration(),
    }


def customer_envelope(customer: Customer, channel: str) -> dict[str, Any]:
    """CustomersGetCustomerResponseBody (initializeSession adds requested_cart_actions)."""
    return {
        "channel": channel,
        "currency": HEADLESS_CURRENCY,
        "language": HEADLESS_LANGUAGE,
        "customer": customer_resource(customer),
        "configuration": site_configuration(channel),
    }
