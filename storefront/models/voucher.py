from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.extensions import db
from storefront.models._time import utcnow


class VoucherBatch(db.Model):
    """A batch of single-use, fixed-amount codes, e.g. 500 x "$5 off" for one LoyaltyLion
    reward. The store admin downloads it as CSV and imports it into the reward."""

    __tablename__ = "voucher_batches"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="voucher_batch_amount_positive"),
        CheckConstraint("min_subtotal_cents >= 0", name="voucher_batch_min_subtotal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12), default="")
    amount_cents: Mapped[int]
    # The code only applies when merchandise reaches this subtotal (0 = any order).
    min_subtotal_cents: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    vouchers: Mapped[list[Voucher]] = relationship(back_populates="batch")


class Voucher(db.Model):
    __tablename__ = "vouchers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique by constraint: generation relies on it, redemption looks codes up by it.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("voucher_batches.id"), index=True)
    # Set together, exactly once, by the conditional UPDATE that redeems the code.
    used_at: Mapped[datetime | None]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    # Who LoyaltyLion gave the code to, from its `program_events/customer.claimed_reward`
    # webhook (storefront/loyalty.py): checkout offers a customer their unused codes.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None]

    batch: Mapped[VoucherBatch] = relationship(back_populates="vouchers")
