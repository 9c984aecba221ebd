"""Tiers with points boundaries, as the Headless API describes them.

Shapes: `PointsTier`, `TierMembershipLifetime`, `TierProgressPoints` of
loyaltylion/typescript-headless-api-client src/types/schemas.ts
(https://developers.loyaltylion.com/headless-api/2025-06/configuration/get-configuration).

The rules are the sandbox's (the docs describe the shapes, not how a program is set
up), written down in docs/sandbox.md:

- The `tiers` program setting lists them: [{"name", "lower_bound"}...], the first at 0.
  Tier ids are positions (1, 2, 3...); each tier's upper bound is the next one's lower
  bound minus 1, the last has none.
- **Tier points** are the approved points a customer earned: every approved ledger row
  except reward claims, so spending points does not lower a tier; pending points do
  not count until approved; a refund or a removal does lower them.
- Membership is "lifetime" and follows the tier points as they are now: a customer is
  in the highest tier whose lower bound they reach (so a refund can move them down).
  `started_at` is when their tier points last reached that tier's lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from loyaltylion_sandbox import program_settings
from loyaltylion_sandbox.db import db, iso
from loyaltylion_sandbox.models import Customer, LedgerEntry


@dataclass(frozen=True)
class Tier:
    id: int
    name: str
    position: int
    lower_bound: int
    upper_bound: int | None


def configured() -> list[Tier] | None:
    """The program's tiers, lowest first; None when tiers are off (`tiers`: null)."""
    raw = program_settings.current().get("tiers")
    if not raw:
        return None
    tiers = []
    for index, entry in enumerate(raw):
        upper = raw[index + 1]["lower_bound"] - 1 if index + 1 < len(raw) else None
        tiers.append(Tier(index + 1, entry["name"], index + 1, entry["lower_bound"], upper))
    return tiers


def _counts_for_tiers():
    return (LedgerEntry.state == "approved") & (LedgerEntry.kind != "reward_claim")


def tier_points(customer: Customer) -> int:
    """Approved points earned (reward claims excluded): what tiers are measured in."""
    total = db.session.execute(
        select(
            func.coalesce(func.sum(case((_counts_for_tiers(), LedgerEntry.points), else_=0)), 0)
        ).where(LedgerEntry.customer_id == customer.id)
    ).scalar_one()
    return int(total)


def tier_for(points: int, tiers: list[Tier]) -> Tier:
    current = tiers[0]
    for tier in tiers:
        if points >= tier.lower_bound:
            current = tier
    return current


def tier_configuration() -> dict[str, Any] | None:
    """SiteConfiguration.tier_configuration: points tiers, no benefits, lifetime."""
    tiers = configured()
    if tiers is None:
        return None
    return {
        "boundary_mode": "points",
        "tiers": [
            {
                "id": tier.id,
                "name": tier.name,
                "position": tier.position,
                "hidden": False,
                "benefit_ids": [],
                "kind": "points",
                "lower_bound": tier.lower_bound,
                "upper_bound": tier.upper_bound,
            }
            for tier in tiers
        ],
        "tier_benefits": [],
        "membership": {"mode": "lifetime"},
    }


def _entered_at(customer: Customer, tier: Tier) -> datetime | None:
    """When the running tier points last went from below the tier's bound to at or above
    it (for the first tier: when the customer joined)."""
    if tier.lower_bound <= 0:
        return customer.enrolled_at or customer.created_at
    rows = db.session.execute(
        select(LedgerEntry.points, LedgerEntry.created_at)
        .where(LedgerEntry.customer_id == customer.id, _counts_for_tiers())
        .order_by(LedgerEntry.id)
    ).all()
    running, entered = 0, None
    for points, created_at in rows:
        before, running = running, running + points
        if before < tier.lower_bound <= running:
            entered = created_at
    return entered or customer.enrolled_at or customer.created_at


def membership(customer: Customer) -> dict[str, Any] | None:
    """CustomerEnrolled.tier_membership (None when tiers are off), with
    TierProgressPoints: lifetime, so nothing expires and nothing is forecast."""
    tiers = configured()
    if tiers is None:
        return None
    points = tier_points(customer)
    tier = tier_for(points, tiers)
    upgrade = next((t for t in tiers if t.position == tier.position + 1), None)
    return {
        "tier_id": tier.id,
        "started_at": iso(_entered_at(customer, tier)),
        "expires_at": None,
        "progress": {
            "kind": "points",
            "valid_until": None,
            "points_needed_for_renewal": None,
            "upgrade_tier_id": upgrade.id if upgrade else None,
            "points_needed_for_upgrade": upgrade.lower_bound - points if upgrade else None,
            "tier_points": {"now": points, "at_expiration": None},
            "forecasted_tier_id": None,
        },
    }


def current_tier_id(customer: Customer) -> int | None:
    tiers = configured()
    return tier_for(tier_points(customer), tiers).id if tiers else None
