"""The loyalty program: customers, rules and the append-only points ledger.

Everything here runs inside an app context and leaves committing to the caller
(which holds `runtime().write_lock`). Rewards and claims live in `rewards.py`.

How balances follow state: every source of points (an order's purchase points, a
referral, an activity) has a *target* -- how many points it should be worth right
now, pending or approved -- derived from its current state. `reconcile` compares
the target with what the ledger already holds for that source and appends only
the difference. Replaying the same order update therefore appends nothing.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import case, delete, func, select

from storefront.sandbox.constants import (
    DEFAULT_SETTINGS,
    DEFAULT_WEBHOOK_PATH,
    SIGNUP_ACTIVITY,
    WEBHOOK_SHAPES,
)
from storefront.sandbox.db import db, utcnow
from storefront.sandbox.errors import SandboxError
from storefront.sandbox.models import (
    Activity,
    ClaimedReward,
    Customer,
    LedgerEntry,
    Order,
    RequestLog,
    Reward,
    RewardCode,
    Setting,
    WebhookDelivery,
    WebhookSubscription,
)

# --------------------------------------------------------------------------- settings


def settings() -> dict[str, Any]:
    """Program settings: the defaults overlaid with what /_sandbox/settings stored."""
    merged = copy.deepcopy(DEFAULT_SETTINGS)
    for row in db.session.execute(select(Setting)).scalars():
        merged[row.key] = row.value
    if not merged["webhook_url"]:
        merged["webhook_url"] = default_webhook_url()
    if not merged["webhook_shape"]:
        merged["webhook_shape"] = current_app.config["SANDBOX_WEBHOOK_SHAPE"]
    return merged


def default_webhook_url() -> str:
    """SANDBOX_SHOP_WEBHOOK_URL, else <SANDBOX_SHOP_ORIGIN>/webhooks/loyaltylion."""
    config = current_app.config
    configured = (config.get("SANDBOX_SHOP_WEBHOOK_URL") or "").strip()
    return configured or config["SANDBOX_SHOP_ORIGIN"].rstrip("/") + DEFAULT_WEBHOOK_PATH


def update_settings(patch: Any) -> dict[str, Any]:
    """Validate and store a partial settings update; raises SandboxError(400)."""
    if not isinstance(patch, dict):
        raise SandboxError(400, "Settings must be a JSON object", {"body": ["must be an object"]})
    errors: dict[str, list[str]] = {}
    for key, value in patch.items():
        if key not in DEFAULT_SETTINGS:
            errors[key] = [f"unknown setting (known: {', '.join(DEFAULT_SETTINGS)})"]
        elif key == "custom_rules":
            problem = _custom_rules_problem(value)
            if problem:
                errors[key] = [problem]
        elif key == "webhook_url":
            if value is not None and not _is_http_url(value):
                errors[key] = ["must be an http(s) URL such as http://127.0.0.1:5000/..., or null"]
        elif key == "webhook_shape":
            if value is not None and value not in WEBHOOK_SHAPES:
                errors[key] = [f"must be one of {', '.join(WEBHOOK_SHAPES)}, or null"]
        elif not _is_count(value):
            errors[key] = ["must be an integer >= 0"]
    if errors:
        raise SandboxError(400, "Invalid settings: " + ", ".join(errors), errors)
    for key, value in patch.items():
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
    db.session.flush()
    return settings()


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# "only letters and '_' underscores can be used here, no numbers please!"
# https://help.loyaltylion.com/en/articles/1965598-activity-custom
_RULE_IDENTIFIER = re.compile(r"[A-Za-z_]+")
APPROVALS = ("immediate", "trigger")


def _custom_rules_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return (
            'must be an object like {"newsletter_signup": {"points": 50, "once": true, '
            '"approval": "immediate"}}'
        )
    for name, rule in value.items():
        if not _RULE_IDENTIFIER.fullmatch(name or ""):
            return f"{name!r}: a custom rule identifier has only letters and '_'"
        if not isinstance(rule, dict) or not _is_count(rule.get("points")):
            return f"{name!r}: needs an integer 'points' >= 0"
        if not isinstance(rule.get("once", False), bool):
            return f"{name!r}: 'once' must be a boolean"
        if rule.get("approval", "immediate") not in APPROVALS:
            return f"{name!r}: 'approval' must be one of {', '.join(APPROVALS)}"
        if not isinstance(rule.get("title", ""), str):
            return f"{name!r}: 'title' must be a string"
    return None


# ------------------------------------------------------------------------- customers


@dataclass(frozen=True)
class Balances:
    approved: int
    pending: int
    spent: int
    lifetime: int

    def as_dict(self) -> dict[str, int]:
        return {
            "approved": self.approved,
            "pending": self.pending,
            "spent": self.spent,
            "lifetime": self.lifetime,
        }


def balances(customer: Customer) -> Balances:
    """Derived from the ledger: nothing else stores a balance."""
    approved_sum = func.coalesce(
        func.sum(case((LedgerEntry.state == "approved", LedgerEntry.points), else_=0)), 0
    )
    pending_sum = func.coalesce(
        func.sum(case((LedgerEntry.state == "pending", LedgerEntry.points), else_=0)), 0
    )
    spent_sum = func.coalesce(
        func.sum(case((LedgerEntry.kind == "reward_claim", -LedgerEntry.points), else_=0)), 0
    )
    approved, pending, spent = db.session.execute(
        select(approved_sum, pending_sum, spent_sum).where(LedgerEntry.customer_id == customer.id)
    ).one()
    # Lifetime as LoyaltyLion defines it: approved + pending + spent (+ expired,
    # which the sandbox never produces).
    return Balances(approved, pending, spent, approved + pending + spent)


def get_customer(merchant_id: str) -> Customer | None:
    return db.session.execute(
        select(Customer).where(Customer.merchant_id == merchant_id)
    ).scalar_one_or_none()


def require_customer(merchant_id: str) -> Customer:
    customer = get_customer(merchant_id)
    if customer is None:
        raise SandboxError(
            404,
            f"Customer {merchant_id} not found: send a $signup activity or an order first",
            {"merchant_id": ["not found"]},
        )
    return customer


def _new_referral_code() -> str:
    alphabet = string.ascii_uppercase + string.digits
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(8))
        taken = db.session.execute(
            select(Customer.id).where(Customer.referral_code == code)
        ).first()
        if not taken:
            return code


def ensure_customer(merchant_id: str, email: str, source: str) -> Customer:
    """The customer with this store id, created on first sight; email: latest wins."""
    customer = get_customer(merchant_id)
    if customer is None:
        customer = Customer(
            merchant_id=merchant_id,
            email=email,
            source=source,
            referral_code=_new_referral_code(),
        )
        db.session.add(customer)
        db.session.flush()
    elif email and customer.email != email:
        customer.email = email
    return customer


def update_customer(customer: Customer, changes: dict[str, Any]) -> list[str]:
    """PATCH /v2/customers/{merchant_id}: `birthday` and/or `blocked` (schema-checked)."""
    if "birthday" in changes:
        customer.birthday = changes["birthday"]
    if "blocked" in changes:
        customer.blocked = changes["blocked"]
    if not {"birthday", "blocked"} & set(changes):
        return ["customer has neither birthday nor blocked: nothing to update"]
    return []


def enroll(customer: Customer) -> None:
    if not customer.enrolled:
        customer.enrolled = True
        customer.enrolled_at = utcnow()


def referral_url(customer: Customer) -> str:
    origin = current_app.config["SANDBOX_SHOP_ORIGIN"].rstrip("/")
    return f"{origin}/?ll_ref_id={customer.referral_code}"


def _has_orders(customer: Customer) -> bool:
    stmt = select(Order.id).where(Order.customer_id == customer.id).limit(1)
    return db.session.execute(stmt).first() is not None


def _apply_referral(customer: Customer, referral_id: str | None) -> str:
    """Record who referred `customer` (first touch wins). Returns a note for the log."""
    if not referral_id:
        return ""
    referrer = db.session.execute(
        select(Customer).where(Customer.referral_code == referral_id)
    ).scalar_one_or_none()
    if referrer is None:
        return f"referral_id {referral_id!r} matches no customer's referral code"
    if referrer.id == customer.id:
        return "self-referral ignored"
    if customer.referred_by_id is not None:
        if customer.referred_by_id == referrer.id:
            return f"referred by {referrer.merchant_id}"
        return "already referred by another customer (first touch wins)"
    customer.referred_by_id = referrer.id
    customer.referred_via = referral_id
    return f"referred by {referrer.merchant_id}"


# ---------------------------------------------------------------------------- ledger


def _current(customer_id: int, kind: str, order_id: int | None, activity_id: int | None):
    stmt = select(LedgerEntry.state, func.sum(LedgerEntry.points)).where(
        LedgerEntry.customer_id == customer_id, LedgerEntry.kind == kind
    )
    stmt = stmt.where(
        LedgerEntry.order_id.is_(None) if order_id is None else LedgerEntry.order_id == order_id
    )
    stmt = stmt.where(
        LedgerEntry.activity_id.is_(None)
        if activity_id is None
        else LedgerEntry.activity_id == activity_id
    )
    sums = dict(db.session.execute(stmt.group_by(LedgerEntry.state)).all())
    return int(sums.get("pending", 0)), int(sums.get("approved", 0)), int(sums.get("void", 0))


def reconcile(
    customer_id: int,
    kind: str,
    *,
    pending: int,
    approved: int,
    reason: str,
    order_id: int | None = None,
    activity_id: int | None = None,
) -> list[LedgerEntry]:
    """Append the ledger rows that bring one source of points to its target.

    The `void` bucket records points that were granted and later taken away
    (refund, cancellation, declined review); it only grows and counts in no balance.
    """
    cur_pending, cur_approved, cur_void = _current(customer_id, kind, order_id, activity_id)
    removed = max(0, (cur_pending + cur_approved) - (pending + approved))
    targets = (
        ("pending", pending, cur_pending),
        ("approved", approved, cur_approved),
        ("void", cur_void + removed, cur_void),
    )
    rows = [
        LedgerEntry(
            customer_id=customer_id,
            kind=kind,
            points=new - old,
            state=state,
            order_id=order_id,
            activity_id=activity_id,
            reason=reason,
        )
        for state, new, old in targets
        if new != old
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


# ------------------------------------------------------------------------ activities

# Rule keys stored on Activity.rule; they are also the ledger kinds.
_RULE_SIGNUP, _RULE_CUSTOM = "signup", "custom_rule"


def _activity_target(activity: Activity) -> tuple[int, int]:
    points = activity.points
    if points <= 0 or activity.state in ("declined", "void"):
        return 0, 0
    return (0, points) if activity.state == "approved" else (points, 0)


def record_activity(body: dict[str, Any], site_id: str | None) -> tuple[Activity, list[str]]:
    """POST /v2/activities. Always recorded; what it earns depends on the rules.
    https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
    """
    warnings: list[str] = []
    name = body["name"]
    customer = ensure_customer(
        str(body["customer_id"]),
        body["customer_email"],
        source=name if name == SIGNUP_ACTIVITY else "activity",
    )
    # `guest` "The default is true"; guests earn nothing from activities and "will not
    # receive those points retroactively after signing up to the program".
    guest = body.get("guest", True)
    if "guest" not in body:
        warnings.append(
            'guest was not sent and defaults to true: send "guest": false for account holders'
        )
    if guest is False:
        enroll(customer)
    if "state" in body:
        # "This field is no longer supported and will be ignored. Tracked activities will
        # have an initial state according to the matching rule."
        warnings.append("state is no longer supported and was ignored: the rule decides it")

    activity = Activity(
        name=name,
        customer_id=customer.id,
        merchant_id=body.get("merchant_id"),
        state="approved",
        guest=guest,
        date=body.get("date"),
        properties=body.get("properties"),
        ip_address=body.get("ip_address"),
        user_agent=body.get("user_agent"),
        referral_id=body.get("referral_id"),
        tracking_id=body.get("tracking_id"),
        site_id=site_id,
    )
    notes: list[str] = []
    if name == SIGNUP_ACTIVITY:
        note = _apply_referral(customer, body.get("referral_id"))
        if note:
            notes.append(note)
    if activity.merchant_id and _earlier_with_merchant_id(name, activity.merchant_id):
        # The docs promise no de-duplication on merchant_id: a re-sent activity counts
        # again (a rule's own limit aside). So must the shop never re-send one blindly.
        notes.append("same name and merchant_id as an earlier activity: counted again")

    rule, points, state = _rule_for(name, customer, notes)
    activity.rule = rule
    activity.points = points
    activity.state = state
    db.session.add(activity)
    db.session.flush()
    if points > 0:
        pending, approved = _activity_target(activity)
        reconcile(
            customer.id,
            rule,
            pending=pending,
            approved=approved,
            activity_id=activity.id,
            reason=f"{name} ({activity.state})",
        )
        notes.insert(0, f"worth {points} points ({activity.state})")
    activity.outcome = "; ".join(notes)
    return activity, warnings


def _earlier_with_merchant_id(name: str, merchant_id: str) -> Activity | None:
    return db.session.execute(
        select(Activity)
        .where(Activity.name == name, Activity.merchant_id == merchant_id)
        .order_by(Activity.id)
        .limit(1)
    ).scalar_one_or_none()


def _rule_for(name: str, customer: Customer, notes: list[str]) -> tuple[str, int, str]:
    """(ledger kind, points, initial state) the activity earns; explains a 0 in `notes`.

    The initial state is the rule's: a custom rule's approval method is "Immediate"
    (approved) or "Trigger" (pending until approved through Update Activity).
    https://help.loyaltylion.com/en/articles/1965598-activity-custom
    """
    program = settings()
    if name == SIGNUP_ACTIVITY:
        rule, points, state = _RULE_SIGNUP, program["signup_points"], "approved"
        already = db.session.execute(
            select(LedgerEntry.id)
            .where(LedgerEntry.customer_id == customer.id, LedgerEntry.kind == _RULE_SIGNUP)
            .limit(1)
        ).first()
        if already:
            notes.append("duplicate $signup: nothing awarded twice")
            return rule, 0, state
    elif name in program["custom_rules"]:
        config = program["custom_rules"][name]
        rule, points = _RULE_CUSTOM, config["points"]
        state = "pending" if config.get("approval") == "trigger" else "approved"
        if config.get("once"):
            earlier = db.session.execute(
                select(Activity.id)
                .where(
                    Activity.customer_id == customer.id,
                    Activity.name == name,
                    Activity.points > 0,
                )
                .limit(1)
            ).first()
            if earlier:
                notes.append(f"{name} pays out once per customer: nothing awarded")
                return rule, 0, state
    else:
        hint = (
            "the sandbox's only built-in activity is $signup"
            if name.startswith("$")
            else "configure it under custom_rules"
        )
        notes.append(f"no rule named {name!r} ({hint}): recorded, nothing awarded")
        return "", 0, "approved"
    if not customer.enrolled:
        notes.append('guest activity: nothing awarded (send "guest": false for account holders)')
        return rule, 0, state
    return rule, points, state


def set_activity_state(name: str, merchant_id: str, state: str) -> list[Activity]:
    """PUT /v2/activities/{name}/{merchant_id}: approve, decline or void. Every activity
    with that name and merchant_id moves (a re-sent one too).
    https://developers.loyaltylion.com/api-reference/v2/resources/activities/update-activity
    """
    activities = list(
        db.session.execute(
            select(Activity)
            .where(Activity.name == name, Activity.merchant_id == merchant_id)
            .order_by(Activity.id)
        ).scalars()
    )
    if not activities:
        raise SandboxError(
            404,
            f"No {name} activity with merchant_id {merchant_id}: "
            "create it with POST /v2/activities (with that merchant_id) first",
            {"merchant_id": ["not found"]},
        )
    for activity in activities:
        activity.state = state
        if activity.points > 0:
            pending, approved = _activity_target(activity)
            reconcile(
                activity.customer_id,
                activity.rule,
                pending=pending,
                approved=approved,
                activity_id=activity.id,
                reason=f"{name} {merchant_id}: {state}",
            )
    return activities


# ---------------------------------------------------------------------------- orders


def _money(value: str | None) -> Decimal:
    return Decimal(value) if value is not None else Decimal("0")


def _paid_amount(order: Order) -> Decimal:
    if order.total_paid is not None:
        return _money(order.total_paid)
    # Not sent on create: a paid order is taken as paid in full.
    return _money(order.total) if order.payment_status == "paid" else Decimal("0")


def purchase_points_for(total: str, total_shipping: str) -> int:
    """Points for (total - total_shipping), per whole currency unit."""
    return _points_for_spend(_money(total) - _money(total_shipping))


def _points_for_spend(spend: Decimal) -> int:
    rate = settings()["purchase_points_per_unit"]
    units = int(spend.to_integral_value(rounding=ROUND_FLOOR)) if spend > 0 else 0
    return units * rate


def _purchase_target(order: Order) -> tuple[int, int]:
    """What the order's purchase points are worth now, (pending, approved).

    Refunds take off the points for the amount refunded, not a share of them: "Customer
    A refunds one of the two items. LoyaltyLion deducts ($10 * 1 point/dollar)"; a full
    refund removes them all.
    https://help.loyaltylion.com/en/articles/1965601-refunds-and-returns-on-purchased-products
    The sandbox counts the refund against the spend the points were earned on (total
    minus shipping), whole units, so what is left earns what the same spend would earn
    in a new order.
    """
    base = order.purchase_points
    if base <= 0 or order.cancellation_status == "cancelled":
        return 0, 0
    if order.refund_status == "refunded":
        kept = 0
    else:
        spend = _money(order.total) - _money(order.total_shipping)
        kept = min(base, _points_for_spend(spend - _money(order.total_refunded)))
    return (0, kept) if order.payment_status == "paid" else (kept, 0)


def _referral_target(order: Order) -> tuple[int, int]:
    # The referrer earns once the referred customer's first order is paid, and
    # loses it again if that order is cancelled or fully refunded.
    if order.referral_points <= 0:
        return 0, 0
    if (
        order.payment_status != "paid"
        or order.cancellation_status == "cancelled"
        or order.refund_status == "refunded"
    ):
        return 0, 0
    return 0, order.referral_points


def _order_reason(order: Order) -> str:
    parts = [order.payment_status.replace("_", " ")]
    if order.refund_status != "not_refunded":
        parts.append(f"{order.refund_status.replace('_', ' ')} {order.total_refunded}")
    if order.cancellation_status == "cancelled":
        parts.append("cancelled")
    return f"Order {order.merchant_number or order.merchant_id}: " + ", ".join(parts)


def _reconcile_order(order: Order) -> None:
    reason = _order_reason(order)
    pending, approved = _purchase_target(order)
    reconcile(
        order.customer_id,
        "purchase",
        pending=pending,
        approved=approved,
        order_id=order.id,
        reason=reason,
    )
    if order.referral_points > 0:
        customer = db.session.get(Customer, order.customer_id)
        if customer is not None and customer.referred_by_id is not None:
            pending, approved = _referral_target(order)
            reconcile(
                customer.referred_by_id,
                "referral",
                pending=pending,
                approved=approved,
                order_id=order.id,
                reason=f"Referred {customer.merchant_id}: first order ({reason})",
            )


def order_points(order: Order) -> dict[str, int]:
    """What the order's purchase points stand at now (the ledger for this order)."""
    pending, approved, void = _current(order.customer_id, "purchase", order.id, None)
    return {"pending": pending, "approved": approved, "void": void}


def get_order(merchant_id: str) -> Order | None:
    return db.session.execute(
        select(Order).where(Order.merchant_id == merchant_id)
    ).scalar_one_or_none()


def create_order(body: dict[str, Any], site_id: str | None) -> tuple[Order, list[str]]:
    """POST /v2/orders. A second create for the same merchant_id changes nothing."""
    merchant_id = body["merchant_id"]
    if get_order(merchant_id) is not None:
        raise SandboxError(
            400,
            f"An order with merchant_id {merchant_id} already exists",
            {"merchant_id": ["already exists"]},
        )
    warnings: list[str] = []
    customer = ensure_customer(body["customer_id"], body["customer_email"], source="order")
    # No documented default for `guest` on orders: left out = an account holder.
    guest = body.get("guest")
    if guest is not True:
        enroll(customer)
    first_order = not _has_orders(customer)
    notes = []
    if first_order:
        note = _apply_referral(customer, body.get("referral_id"))
        if note:
            notes.append(note)
    elif body.get("referral_id"):
        notes.append("referral_id ignored: not the customer's first order")

    order = Order(
        merchant_id=merchant_id,
        customer_id=customer.id,
        customer_email=body["customer_email"],
        merchant_number=body.get("merchant_number") or body.get("number"),
        total=body["total"],
        total_shipping=body["total_shipping"],
        total_paid=body.get("total_paid"),
        payment_status=body["payment_status"],
        discount_codes=body.get("discount_codes", []),
        claimed_reward_ids=body.get("claimed_reward_ids", []),
        date=body.get("date"),
        ip_address=body.get("ip_address"),
        user_agent=body.get("user_agent"),
        referral_id=body.get("referral_id"),
        tracking_id=body.get("tracking_id"),
        guest=guest,
        site_id=site_id,
    )
    order.purchase_points = (
        purchase_points_for(order.total, order.total_shipping) if customer.enrolled else 0
    )
    if not customer.enrolled:
        notes.append("guest order: no points")
    order.referral_points = (
        settings()["referral_points"] if first_order and customer.referred_by_id else 0
    )
    order.notes = "; ".join(notes)
    db.session.add(order)
    db.session.flush()

    warnings += _order_warnings(order)
    from storefront.sandbox.rewards import mark_codes_used  # rewards imports program

    warnings += mark_codes_used(order)
    _reconcile_order(order)
    return order, warnings


def update_order(merchant_id: str, body: dict[str, Any]) -> tuple[Order, list[str]]:
    """PUT /v2/orders/{merchant_id}: the order's whole current state, idempotent."""
    order = get_order(merchant_id)
    if order is None:
        raise SandboxError(
            404,
            f"Order {merchant_id} not found: create it with POST /v2/orders first",
            {"merchant_id": ["not found"]},
        )
    fields = (
        "payment_status",
        "refund_status",
        "cancellation_status",
        "total_paid",
        "total_refunded",
    )
    changed = any(getattr(order, name) != body[name] for name in fields)
    for name in fields:
        setattr(order, name, body[name])
    order.update_count += 1
    if changed:
        order.updated_at = utcnow()
    db.session.flush()
    _reconcile_order(order)
    return order, _order_warnings(order)


def _order_warnings(order: Order) -> list[str]:
    """Contract-valid but suspicious states, shown in the request log."""
    warnings = []
    paid, refunded = _paid_amount(order), _money(order.total_refunded)
    if _money(order.total_shipping) > _money(order.total):
        warnings.append("total_shipping is larger than total (total includes shipping)")
    if refunded > paid:
        warnings.append(f"total_refunded {order.total_refunded} exceeds total paid {paid}")
    if order.refund_status == "refunded" and refunded == 0:
        warnings.append("refund_status is 'refunded' but total_refunded is 0")
    if order.refund_status == "not_refunded" and refunded > 0:
        warnings.append("total_refunded is set but refund_status is 'not_refunded'")
    if (
        order.payment_status == "paid"
        and order.total_paid is not None
        and paid < _money(order.total)
    ):
        warnings.append(f"payment_status is 'paid' but total_paid {paid} < total {order.total}")
    return warnings


# ---------------------------------------------------------------------- manual points


def add_points(customer: Customer, points: int, reason: str | None) -> LedgerEntry:
    entry = LedgerEntry(
        customer_id=customer.id,
        kind="points_added",
        points=points,
        state="approved",
        reason=reason or "Points added through the Admin API",
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def remove_points(customer: Customer, points: int, reason: str | None) -> LedgerEntry:
    have = balances(customer).approved
    if points > have:
        raise SandboxError(
            422,
            f"Customer {customer.merchant_id} has only {have} approved points",
            {"points": [f"cannot remove {points}: only {have} approved points"]},
        )
    entry = LedgerEntry(
        customer_id=customer.id,
        kind="points_removed",
        points=-points,
        state="approved",
        reason=reason or "Points removed through the Admin API",
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def ledger(customer: Customer, limit: int | None = None) -> list[LedgerEntry]:
    stmt = (
        select(LedgerEntry)
        .where(LedgerEntry.customer_id == customer.id)
        .order_by(LedgerEntry.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.execute(stmt).scalars())


# ------------------------------------------------------------------------ reset/seed


def wipe() -> None:
    """Delete every row (children first), including the request log."""
    for model in (
        WebhookDelivery,
        WebhookSubscription,
        RewardCode,
        LedgerEntry,
        ClaimedReward,
        Order,
        Activity,
        Customer,
        Reward,
        Setting,
        RequestLog,
    ):
        db.session.execute(delete(model))
    db.session.flush()
