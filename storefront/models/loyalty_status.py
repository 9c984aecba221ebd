from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storefront.extensions import db
from storefront.models._time import utcnow


class LoyaltySnapshot(db.Model):
    """A customer's points and tier as the loyalty program last reported them
    (LoyaltyLion's customers/update webhook; storefront/loyalty.py writes it)."""

    __tablename__ = "loyalty_snapshots"

    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    points_approved: Mapped[int]
    points_pending: Mapped[int]
    tier_name: Mapped[str | None] = mapped_column(String(100))
    # The program's own `updated_at` for the customer: a report older than the stored
    # one (webhooks can arrive out of order) is ignored.
    updated_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
