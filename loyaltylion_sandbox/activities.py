"""Activities: what each earns under the program's rules, and their state changes.

https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
https://developers.loyaltylion.com/api-reference/v2/resources/activities/update-activity
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from loyaltylion_sandbox import program_settings
from loyaltylion_sandbox.constants import SIGNUP_ACTIVITY
from loyaltylion_sandbox.customers import apply_referral, enroll, ensure_customer
from loyaltylion_sandbox.db import db
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.ledger import reconcile
from loyaltylion_sandbox.linking import link_guests
from loyaltylion_sandbox.models import Activity, Customer, LedgerEntry

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
        note = apply_referral(customer, body.get("referral_id"))
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
    if name == SIGNUP_ACTIVITY and guest is False:
        # "Reward historic purchases": the guest orders of the same email (linking.py).
        notes += link_guests(customer)
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
    program = program_settings.current()
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
