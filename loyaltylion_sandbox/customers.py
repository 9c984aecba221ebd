"""Customers: who they are, their balances, their referral codes and who referred them.

Runs inside an app context; committing is the caller's (see transactions.py).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import case, func, select

from loyaltylion_sandbox.db import db, utcnow
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.models import Customer, LedgerEntry


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


def apply_referral(customer: Customer, referral_id: str | None) -> str:
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
