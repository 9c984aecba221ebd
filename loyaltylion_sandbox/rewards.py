"""Rewards: voucher code pools, claims, and codes coming back on orders.

Custom rewards have no pool: claiming one queues the store's fulfilment webhook
(fulfilment.py).

`import_codes(reward_id, codes)` is public (the CLI, the control route and the shop's
`make run` use it). Call it inside an app context of the sandbox app and commit:

    with sandbox_app.app_context():
        result = import_codes(1, ["SAVE5-AAAA", "SAVE5-BBBB"])
        db.session.commit()
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from loyaltylion_sandbox import fulfilment
from loyaltylion_sandbox.constants import (
    POOLED_REWARD_KINDS,
    REWARD_KINDS,
    SEED_CODE_PREFIX,
    SEED_CUSTOM_REWARD,
    SEED_REWARD,
)
from loyaltylion_sandbox.customers import balances
from loyaltylion_sandbox.db import db, utcnow
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.models import (
    ClaimedReward,
    Customer,
    LedgerEntry,
    Order,
    Reward,
    RewardCode,
)


@dataclass(frozen=True)
class ImportResult:
    reward_id: int
    added: int
    duplicates: int
    blank: int
    unused: int  # unused codes in the pool after the import

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Stock:
    total: int
    unused: int
    claimed: int
    used: int


def require_reward(reward_id: int) -> Reward:
    reward = db.session.get(Reward, reward_id)
    if reward is None:
        raise SandboxError(404, f"Reward {reward_id} not found", {"reward_id": ["not found"]})
    return reward


def create_reward(body: object) -> Reward:
    """POST /_sandbox/rewards: a voucher, free-shipping or custom reward (400 per field).
    For "free_shipping", `discount_amount` is the maximum shipping it covers ("0.00" =
    no maximum)."""
    errors: dict[str, list[str]] = {}
    data = body if isinstance(body, dict) else {}
    if not isinstance(body, dict):
        errors["body"] = ["must be a JSON object"]
    title, cost = data.get("title"), data.get("point_cost")
    kind = data.get("kind", "voucher")
    amount = data.get("discount_amount", "0.00")
    if not isinstance(title, str) or not title.strip():
        errors["title"] = ["is required (a non-empty string)"]
    if not isinstance(cost, int) or isinstance(cost, bool) or cost < 1:
        errors["point_cost"] = ["must be an integer >= 1"]
    if kind not in REWARD_KINDS:
        errors["kind"] = [f"must be one of {', '.join(REWARD_KINDS)}"]
    if not isinstance(amount, str) or not re.fullmatch(r"\d+(\.\d{1,2})?", amount):
        errors["discount_amount"] = ['must be a decimal string such as "5.00"']
    identifier = data.get("reward_identifier")
    if kind == "custom" and (not isinstance(identifier, str) or not identifier):
        errors["reward_identifier"] = ["is required for a custom reward"]
    if errors:
        raise SandboxError(400, "Invalid reward: " + ", ".join(errors), errors)
    reward = Reward(
        title=title.strip(),
        description=str(data.get("description", "")),
        point_cost=cost,
        discount_amount=amount,
        kind=kind,
        identifier=identifier if kind == "custom" else None,
    )
    db.session.add(reward)
    db.session.flush()
    return reward


def import_codes(reward_id: int, codes: list[str]) -> ImportResult:
    """Add voucher codes to a reward's pool, skipping blanks and duplicates.

    Codes are unique across all rewards, compared case-insensitively (checkouts
    usually treat codes that way); surrounding whitespace is dropped.
    """
    reward = require_reward(reward_id)
    if reward.kind not in POOLED_REWARD_KINDS:
        raise SandboxError(
            400,
            f"Reward {reward_id} ({reward.title}) is a {reward.kind} reward: it has no code "
            "pool (the store fulfils it through its webhook)",
            {"reward_id": ["not a voucher reward"]},
        )
    existing = {code.upper() for code in db.session.execute(select(RewardCode.code)).scalars()}
    added = duplicates = blank = 0
    for raw in codes:
        code = str(raw).strip()
        if not code:
            blank += 1
            continue
        if code.upper() in existing:
            duplicates += 1
            continue
        existing.add(code.upper())
        db.session.add(RewardCode(reward_id=reward_id, code=code))
        added += 1
    db.session.flush()
    return ImportResult(reward_id, added, duplicates, blank, stock(reward_id).unused)


def parse_code_csv(text: str) -> list[str]:
    """Codes from CSV text: a `code` header row then one code per line, or one code
    per line with no header at all.

    LoyaltyLion does not document its import file, so both are taken (sandbox
    choice): if no cell of the first row is `code` (any case), the first column of
    every row is a code. Other columns are ignored, so an export with extra columns
    works as long as one is named `code`. A UTF-8 BOM and blank lines are ignored.
    """
    rows = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if row]
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    if "code" in header:
        column = header.index("code")
        return [row[column] for row in rows[1:] if len(row) > column]
    return [row[0] for row in rows]


def codes(reward_id: int) -> list[dict[str, str]]:
    """The reward's pool in import order: "unused", "claimed" (handed out by a claim)
    or "used" (that claim's code came back on an order). A custom reward has none."""
    rows = db.session.execute(
        select(RewardCode.code, RewardCode.claimed_reward_id, ClaimedReward.used_at)
        .outerjoin(ClaimedReward, ClaimedReward.id == RewardCode.claimed_reward_id)
        .where(RewardCode.reward_id == reward_id)
        .order_by(RewardCode.id)
    ).all()
    return [
        {
            "code": code,
            "state": "unused" if claimed_id is None else "used" if used_at else "claimed",
        }
        for code, claimed_id, used_at in rows
    ]


def stock(reward_id: int) -> Stock:
    total, unused = db.session.execute(
        select(
            func.count(RewardCode.id),
            func.count(RewardCode.id).filter(RewardCode.claimed_reward_id.is_(None)),
        ).where(RewardCode.reward_id == reward_id)
    ).one()
    used = db.session.execute(
        select(func.count(ClaimedReward.id)).where(
            ClaimedReward.reward_id == reward_id, ClaimedReward.used_at.is_not(None)
        )
    ).scalar_one()
    return Stock(total=total, unused=unused, claimed=total - unused, used=used)


def claim_reward(customer: Customer, reward_id: int, source: str) -> ClaimedReward:
    """Spend points on a reward.

    A voucher reward hands out the next unused code of its pool; a custom reward
    queues its `rewards/store_fulfilment` webhook and stays pending until the store
    answers it. Blocked customer, too few approved points, empty pool -> 422 (the
    sandbox's choice: the request is well-formed but cannot be fulfilled).
    """
    reward = db.session.get(Reward, reward_id)
    if reward is None:
        raise SandboxError(422, f"No reward with id {reward_id}", {"reward_id": ["no such reward"]})
    if customer.blocked:
        raise SandboxError(
            422,
            f"Customer {customer.merchant_id} is blocked from the loyalty program",
            {"merchant_id": ["customer is blocked"]},
        )
    have = balances(customer).approved
    if have < reward.point_cost:
        raise SandboxError(
            422,
            f"Customer {customer.merchant_id} does not have enough points for "
            f"{reward.title!r} ({reward.point_cost} needed, {have} approved)",
            {"points": [f"needs {reward.point_cost} approved points, has {have}"]},
        )
    if reward.kind == "custom":
        claimed = _spend(customer, reward, source, code=None)
        fulfilment.queue_for_claim(claimed)
        return claimed
    code = db.session.execute(
        select(RewardCode)
        .where(RewardCode.reward_id == reward.id, RewardCode.claimed_reward_id.is_(None))
        .order_by(RewardCode.id)
        .limit(1)
    ).scalar_one_or_none()
    if code is None:
        raise SandboxError(
            422,
            f"Reward {reward.id} ({reward.title}) is out of stock: its voucher code pool is "
            f"empty. Import codes with POST /_sandbox/rewards/{reward.id}/codes.",
            {"reward_id": ["out of stock: no unused voucher codes left"]},
        )
    claimed = _spend(customer, reward, source, code=code.code)
    code.claimed_reward_id = claimed.id
    db.session.flush()
    return claimed


def _spend(customer: Customer, reward: Reward, source: str, code: str | None) -> ClaimedReward:
    """Record the claim and the points it spends (checked by the caller)."""
    claimed = ClaimedReward(
        customer_id=customer.id,
        reward_id=reward.id,
        code=code,
        point_cost=reward.point_cost,
        source=source,
    )
    db.session.add(claimed)
    db.session.flush()
    db.session.add(
        LedgerEntry(
            customer_id=customer.id,
            kind="reward_claim",
            points=-reward.point_cost,
            state="approved",
            claimed_reward_id=claimed.id,
            reason=f"Claimed {reward.title}",
        )
    )
    db.session.flush()
    return claimed


def fulfilment_counts(reward_id: int) -> dict[str, int]:
    """Claims of a custom reward by fulfilment state."""
    rows = db.session.execute(
        select(ClaimedReward.fulfilment, func.count(ClaimedReward.id))
        .where(ClaimedReward.reward_id == reward_id)
        .group_by(ClaimedReward.fulfilment)
    ).all()
    counts = {"pending": 0, "fulfilled": 0, "failed": 0}
    counts.update({state: n for state, n in rows if state})
    return counts


def mark_codes_used(order: Order) -> list[str]:
    """Codes in `discount_codes` (and `claimed_reward_ids`) mark claimed rewards used.

    Unknown codes are ignored, as LoyaltyLion documents; they show up as a note.
    """
    notes: list[str] = []
    for entry in order.discount_codes or []:
        code = entry["code"]
        claimed = db.session.execute(
            select(ClaimedReward).where(func.upper(ClaimedReward.code) == code.upper())
        ).scalar_one_or_none()
        if claimed is None:
            notes.append(f"discount code {code!r} is not a reward code (ignored)")
        else:
            _mark_used(claimed, order, notes)
    for claimed_id in order.claimed_reward_ids or []:
        claimed = db.session.get(ClaimedReward, claimed_id)
        if claimed is None or claimed.customer_id != order.customer_id:
            notes.append(f"claimed_reward_ids: {claimed_id} is not this customer's claimed reward")
        else:
            _mark_used(claimed, order, notes)
    return notes


def _mark_used(claimed: ClaimedReward, order: Order, notes: list[str]) -> None:
    if claimed.used_at is None:
        claimed.used_at = utcnow()
        claimed.used_in_order = order.merchant_id
    elif claimed.used_in_order != order.merchant_id:
        notes.append(
            f"reward code {claimed.code!r} was already used on order {claimed.used_in_order}"
        )


def claimed_rewards(customer: Customer) -> list[ClaimedReward]:
    return list(
        db.session.execute(
            select(ClaimedReward)
            .where(ClaimedReward.customer_id == customer.id)
            .order_by(ClaimedReward.id.desc())
        ).scalars()
    )


def all_rewards() -> list[Reward]:
    return list(db.session.execute(select(Reward).order_by(Reward.id)).scalars())


def seed(code_count: int) -> None:
    """The seeded rewards: "$5 off" (id 1) with `code_count` codes LLSBX-5OFF-0001...,
    and the custom "Free tote bag on your next order" (id 2)."""
    if db.session.get(Reward, SEED_REWARD["id"]) is None:
        db.session.add(Reward(**SEED_REWARD))
        db.session.flush()
        import_codes(
            SEED_REWARD["id"], [f"{SEED_CODE_PREFIX}{n:04d}" for n in range(1, code_count + 1)]
        )
    if db.session.get(Reward, SEED_CUSTOM_REWARD["id"]) is None:
        db.session.add(Reward(**SEED_CUSTOM_REWARD))
        db.session.flush()
