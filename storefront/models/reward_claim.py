from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storefront.extensions import db
from storefront.models._time import utcnow

CLAIM_PENDING = "pending"  # the Headless API is being asked
CLAIM_DONE = "done"  # claimed: `code` is the voucher code
CLAIM_UNCONFIRMED = "unconfirmed"  # asked, and no answer came: it may have happened


class RewardClaim(db.Model):
    """One press of "Claim" in the headless Rewards page (storefront/rewards/claims.py).

    `attempt` is the random token of the form that was submitted, unique: a double click
    or a resubmitted form finds the claim already made and shows its code again, rather
    than spending the customer's points twice."""

    __tablename__ = "reward_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reward_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(16), default=CLAIM_PENDING)
    code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
