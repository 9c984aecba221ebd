"""The package's tables: the outbox (calls owed to LoyaltyLion), the webhook log (calls
LoyaltyLion made), the shared request budget (how fast every worker may call) and the
reconcile runs (how the two sides compared).

Their own declarative base, so this package works beside any SQLAlchemy app: the rows
still go through the app's session, in the app's transaction.
Customer ids are strings, whatever the store's own ids are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, Double, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


PENDING = "pending"
DELIVERING = "delivering"
DELIVERED = "delivered"
DEAD = "dead"
# A dead full-state event made pointless by a later one of its kind that was delivered
# (see outbox.FULL_STATE_KINDS): nothing to retry, and retrying would send stale state.
SUPERSEDED = "superseded"
# Done with: an event in either state holds nothing back.
SETTLED = (DELIVERED, SUPERSEDED)

# Which events a worker takes first: the live shop's, then a backfill's (backfill.py),
# so bringing years of history across never delays a signup or an order placed now.
PRIORITY_LIVE = 0
PRIORITY_BACKFILL = 1

KIND_ACTIVITY = "activity"
KIND_ACTIVITY_STATE = "activity_state"
KIND_ORDER_CREATE = "order_create"
KIND_ORDER_UPDATE = "order_update"
KIND_CUSTOMER_UPDATE = "customer_update"


class OutboxEvent(Base):
    """One API call owed to LoyaltyLion, written in the transaction of the change it
    describes. Events of one `stream` (an order, a customer) are delivered in id order."""

    __tablename__ = "loyaltylion_outbox"
    __table_args__ = (
        Index("ix_loyaltylion_outbox_due", "status", "next_attempt_at"),
        Index("ix_loyaltylion_outbox_stream", "stream", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The unit of ordering: events of one stream go in id order, and a dead one holds
    # back the later ones (see outbox.py for which events share a stream).
    stream: Mapped[str] = mapped_column(String(100))
    # Path parameter(s): the order's merchant_id, or "<activity name>/<merchant_id>".
    target: Mapped[str | None] = mapped_column(String(300))
    # The request body as JSON, snapshotted when the change happened.
    payload: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)

    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    # PRIORITY_LIVE or PRIORITY_BACKFILL: due heads are claimed lowest first.
    priority: Mapped[int] = mapped_column(SmallInteger, default=PRIORITY_LIVE)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A claim is a lease: a worker that dies mid-batch loses its claim when this passes.
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None]
    # Set when an attempt went out and got no clear answer (a read timeout, a 5xx):
    # LoyaltyLion may have recorded it. An activity is looked up before it is sent again.
    unconfirmed_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboxEvent {self.id} {self.kind} {self.stream} {self.status}>"


# -- webhooks LoyaltyLion sent ------------------------------------------------------------

WEBHOOK_RECEIVED = "received"  # stored and answered 2xx; processing comes next
WEBHOOK_PROCESSED = "processed"
WEBHOOK_IGNORED = "ignored"  # nothing to do: a test delivery, an unknown topic, a guest
WEBHOOK_FAILED = "failed"  # the error says why; the admin can retry
WEBHOOK_DONE = (WEBHOOK_PROCESSED, WEBHOOK_IGNORED)
# A `received` webhook is processed right after the answer. One still `received` after
# this long lost its processing (the process stopped, say): the admin may retry it.
WEBHOOK_STALLED_AFTER = timedelta(minutes=10)
# Marks a stored webhook that came without an envelope id (webhooks.record).
NO_ID_PREFIX = "no-id:"


class WebhookEvent(Base):
    """One webhook LoyaltyLion delivered, stored exactly once whatever the redeliveries."""

    __tablename__ = "loyaltylion_webhook_events"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # The envelope's `id`. Delivery is at-least-once; this constraint is what lets two
    # concurrent deliveries of one webhook insert (and so be processed) only once. A flat
    # body has no id: it gets a unique "no-id:..." key (webhooks.record says why).
    envelope_id: Mapped[str] = mapped_column(String(255), unique=True)
    topic: Mapped[str] = mapped_column(String(100))
    # The envelope's `created_at`: when LoyaltyLion sent it (None if unreadable).
    sent_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The verified request body exactly as received: processing and retries read it.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=WEBHOOK_RECEIVED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    processed_at: Mapped[datetime | None]
    # What processing concluded (processed/ignored), or why it failed.
    note: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # The store's customer id it concerned, set by the handler once known: forgetting
    # the customer erases the body.
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)

    @property
    def label(self) -> str:
        """How the admin's log names it: the envelope id, if it came with one."""
        return (
            "(no id: flat body)" if self.envelope_id.startswith(NO_ID_PREFIX) else self.envelope_id
        )

    @property
    def is_retryable(self) -> bool:
        if self.status == WEBHOOK_FAILED:
            return True
        stalled = utcnow() - self.received_at > WEBHOOK_STALLED_AFTER
        return self.status == WEBHOOK_RECEIVED and stalled

    def __repr__(self) -> str:
        return f"<WebhookEvent {self.id} {self.topic} {self.status}>"


# -- the request budget every delivery worker shares ---------------------------------------


class RateBudget(Base):
    """The next free request slot of one rate budget (ratelimit.SharedRatePacer). One row
    per budget: every worker process, on every machine using this database, takes its
    slots from it, so together they stay under LoyaltyLion's limit."""

    __tablename__ = "loyaltylion_rate_budget"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    # Unix time, in seconds, of the next request anyone may send.
    next_slot: Mapped[float] = mapped_column(Double)

    def __repr__(self) -> str:
        return f"<RateBudget {self.name} {self.next_slot}>"


# -- reconcile: the shop's orders against LoyaltyLion's ---------------------------------


class ReconcileRun(Base):
    """One `loyaltylion reconcile` run and what it found (reconcile.py); the admin's
    reconcile page shows the newest."""

    __tablename__ = "loyaltylion_reconcile_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    since: Mapped[datetime]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    checked: Mapped[int] = mapped_column(default=0)
    drifted: Mapped[int] = mapped_column(default=0)
    # Differences left to the queue: events not delivered yet will settle them.
    in_flight: Mapped[int] = mapped_column(default=0)
    # How many events `--fix` queued (0 without --fix).
    fixes_queued: Mapped[int] = mapped_column(default=0)
    fixed: Mapped[bool] = mapped_column(default=False)
    # The differences as JSON: [{"merchant_id", "problem", "details"}], the first
    # REPORT_MAX of them.
    report: Mapped[str] = mapped_column(Text, default="[]")

    def __repr__(self) -> str:
        return f"<ReconcileRun {self.id} {self.drifted} drifted>"
