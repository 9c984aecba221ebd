from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.extensions import db
from storefront.models._time import utcnow
from storefront.models.catalog import Product


class Gift(db.Model):
    """A free product granted to a customer (by a loyalty reward, say), put on their next
    order at $0.00 (storefront/gifts.py)."""

    __tablename__ = "gifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    # What the customer sees in their account, e.g. "Free tote bag".
    title: Mapped[str] = mapped_column(String(100))
    # What granted it, once: e.g. "loyaltylion-webhook:42". Unique, so a retried or
    # concurrent processing of the same grant cannot give a second gift.
    grant_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set together, once, by the conditional UPDATE in place_order's transaction.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    fulfilled_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship()
