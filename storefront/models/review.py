from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.extensions import db
from storefront.models._time import utcnow
from storefront.models.catalog import Product
from storefront.models.user import User


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Review(db.Model):
    """A customer's product review. Shown once a store admin approves it; LoyaltyLion's
    `product_review` rule pays points that stay pending until the same moderation decision."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="review_rating_range"),
        # One review per customer and product, whatever races: each one earns points.
        UniqueConstraint("product_id", "customer_id", name="review_once_per_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    rating: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=ReviewStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    moderated_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship()
    customer: Mapped[User] = relationship()

    @property
    def merchant_id(self) -> str:
        """The `product_review` activity's merchant_id: how its state is changed later."""
        return f"review-{self.id}"
