"""The webhook log, the gifts custom rewards grant, and each customer's loyalty status."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.extensions import db
from storefront.models import Product
from storefront.models._time import utcnow

# A `received` webhook is processed right after the answer. One still `received` after
# this long lost its processing (the process stopped, say): the admin may retry it.
STALLED_AFTER = timedelta(minutes=10)


class WebhookStatus(StrEnum):
    RECEIVED = "received"  # stored and answered 2xx; processing comes next
    PROCESSED = "processed"
    IGNORED = "ignored"  # nothing to do: a test delivery, an unknown topic, a guest
    FAILED = "failed"  # the error says why; the admin can retry


class WebhookEvent(db.Model):
    """One webhook LoyaltyLion delivered, stored exactly once whatever the redeliveries."""

    __tablename__ = "webhook_events"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # The envelope's `id`. Delivery is at-least-once; this constraint is what lets two
    # concurrent deliveries of one webhook insert (and so fulfil) only once. A flat body
    # has no id: it gets a unique "no-id:..." key (service.record_event says why).
    envelope_id: Mapped[str] = mapped_column(String(255), unique=True)
    topic: Mapped[str] = mapped_column(String(100))
    # The envelope's `created_at`: when LoyaltyLion sent it (None if unreadable).
    sent_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The verified request body exactly as received: processing and retries read it.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=WebhookStatus.RECEIVED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    processed_at: Mapped[datetime | None]
    # What processing concluded (processed/ignored), or why it failed.
    note: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # The shop customer it concerned, once known: closing the account erases the body.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    @property
    def label(self) -> str:
        """How the admin's log names it: the envelope id, if it came with one."""
        return "(no id: flat body)" if self.envelope_id.startswith("no-id:") else self.envelope_id

    @property
    def is_retryable(self) -> bool:
        if self.status == WebhookStatus.FAILED:
            return True
        return self.status == WebhookStatus.RECEIVED and utcnow() - self.received_at > STALLED_AFTER


class Gift(db.Model):
    """A free product a custom reward granted, put on the customer's next order at $0."""

    __tablename__ = "gifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    reward_identifier: Mapped[str] = mapped_column(String(100))
    # What the customer sees in their account, e.g. "Free tote bag".
    title: Mapped[str] = mapped_column(String(100))
    # One gift per webhook, enforced by the database: a retried or concurrent
    # processing of the same delivery cannot grant a second one.
    webhook_event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set together, once, by the conditional UPDATE in place_order's transaction.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    fulfilled_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship()


class LoyaltySnapshot(db.Model):
    """A customer's points and tier as LoyaltyLion last reported them (customers/update)."""

    __tablename__ = "loyalty_snapshots"

    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    points_approved: Mapped[int]
    points_pending: Mapped[int]
    tier_name: Mapped[str | None] = mapped_column(String(100))
    # LoyaltyLion's `updated_at` for the customer: a delivery older than the stored
    # one (webhooks can arrive out of order) is ignored.
    updated_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
