"""Tables of the sandbox (its own database, see `db.py`).

Money is kept as the decimal strings the Admin API exchanges ("12.50"): SQLite has
no decimal type and floats would round. Arithmetic happens on `Decimal`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loyaltylion_sandbox.db import UTCDateTime, db, utcnow


class Customer(db.Model):
    __tablename__ = "sandbox_customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The store's customer id (`customer_id` in requests, `merchant_id` in answers).
    merchant_id: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    # Enrolled = an account holder: `guest: false` was sent, or the SDK authenticated
    # them. Guests earn nothing (LoyaltyLion's documented rule for activities).
    enrolled: Mapped[bool] = mapped_column(default=False)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referral_code: Mapped[str] = mapped_column(String(32), unique=True)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_customers.id"))
    # The `referral_id` that made the referral, as received.
    referred_via: Mapped[str | None] = mapped_column(String(255))
    # What first made the sandbox aware of this customer ("$signup", "order", "sdk"...).
    source: Mapped[str] = mapped_column(String(32))
    # Set through PATCH /v2/customers/{merchant_id}. The birthday is "YYYY-MM-DD".
    birthday: Mapped[str | None] = mapped_column(String(10))
    # Blocked customers cannot claim rewards, and the SDK shows them 0 points.
    blocked: Mapped[bool] = mapped_column(default=False)
    # Email marketing consent as the Headless API reports it: None = "unknown" (never
    # told), "subscribed" after POST .../email_marketing/subscribe.
    email_marketing_consent: Mapped[str | None] = mapped_column(String(16))
    # An account: the merchant_ids of the guest customers linked to it by a $signup
    # with the same email, in link order (see linking.py). A guest: the account it
    # was linked to.
    linked_merchant_ids: Mapped[list] = mapped_column(JSON, default=list)
    linked_to_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_customers.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    referred_by: Mapped[Customer | None] = relationship(
        remote_side=[id], foreign_keys=[referred_by_id]
    )
    linked_to: Mapped[Customer | None] = relationship(remote_side=[id], foreign_keys=[linked_to_id])


class Activity(db.Model):
    __tablename__ = "sandbox_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("sandbox_customers.id"), index=True)
    merchant_id: Mapped[str | None] = mapped_column(String(255), index=True)
    state: Mapped[str] = mapped_column(String(16))
    guest: Mapped[bool]
    date: Mapped[str | None] = mapped_column(String(64))
    properties: Mapped[Any | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(255))
    user_agent: Mapped[str | None] = mapped_column(Text)
    referral_id: Mapped[str | None] = mapped_column(String(255))
    tracking_id: Mapped[str | None] = mapped_column(String(255))
    site_id: Mapped[str | None] = mapped_column(String(64))
    # The rule it matched ("signup", "custom_rule"; "" for none), which is
    # also the ledger kind, and what it is worth (fixed when received; 0 = nothing).
    rule: Mapped[str] = mapped_column(String(32), default="")
    points: Mapped[int] = mapped_column(default=0)
    # What the program made of it, for the dashboard ("awarded 200", "duplicate"...).
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship()


class Order(db.Model):
    __tablename__ = "sandbox_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(255), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("sandbox_customers.id"), index=True)
    customer_email: Mapped[str] = mapped_column(String(320))
    merchant_number: Mapped[str | None] = mapped_column(String(255))
    total: Mapped[str] = mapped_column(String(32))
    total_shipping: Mapped[str] = mapped_column(String(32))
    # None = not sent on create; treated as `total` once paid, else 0.
    total_paid: Mapped[str | None] = mapped_column(String(32))
    total_refunded: Mapped[str] = mapped_column(String(32), default="0.00")
    payment_status: Mapped[str] = mapped_column(String(32))
    refund_status: Mapped[str] = mapped_column(String(32), default="not_refunded")
    cancellation_status: Mapped[str] = mapped_column(String(32), default="not_cancelled")
    discount_codes: Mapped[list] = mapped_column(JSON, default=list)
    claimed_reward_ids: Mapped[list] = mapped_column(JSON, default=list)
    date: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(255))
    user_agent: Mapped[str | None] = mapped_column(Text)
    referral_id: Mapped[str | None] = mapped_column(String(255))
    tracking_id: Mapped[str | None] = mapped_column(String(255))
    guest: Mapped[bool | None]
    site_id: Mapped[str | None] = mapped_column(String(64))
    # Fixed when the order is received, so later settings changes or replays of an
    # update cannot change what it is worth: purchase points for the customer, and
    # referral points for their referrer if this is a referred customer's first order.
    purchase_points: Mapped[int] = mapped_column(default=0)
    referral_points: Mapped[int] = mapped_column(default=0)
    # Who earns the referral points (the customer's referrer when it was received),
    # kept on the order so that linking it to another account does not move them.
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_customers.id"))
    # Received from a customer who was not enrolled, so it earned nothing then; a
    # $signup with the same email may link it later (linking.py): `linked_at` says
    # when, `placed_by` the guest's merchant_id if the order moved to another account.
    guest_order: Mapped[bool] = mapped_column(default=False)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    placed_by: Mapped[str | None] = mapped_column(String(255))
    # Set by DELETE /_sandbox/orders/<merchant_id>: the order is hidden everywhere
    # and its merchant_id renamed, so the store can create it again (drift.py).
    forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    # How many accepted PUT updates it received (replays included).
    update_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])


class Reward(db.Model):
    __tablename__ = "sandbox_rewards"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    point_cost: Mapped[int]
    discount_amount: Mapped[str] = mapped_column(String(32))
    # "voucher": hands out a code from the pool. "free_shipping": a free-shipping code
    # from the pool (`discount_amount` is then the maximum shipping rate it covers,
    # "0.00" = no maximum). "custom": the store fulfils it when LoyaltyLion calls its
    # `rewards/store_fulfilment` webhook (see fulfilment.py).
    kind: Mapped[str] = mapped_column(String(16), default="voucher")
    # Custom rewards: the `reward_identifier` the merchant chose, sent in the webhook.
    identifier: Mapped[str | None] = mapped_column(String(255))


class RewardCode(db.Model):
    """One pre-generated voucher code in a reward's pool."""

    __tablename__ = "sandbox_reward_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("sandbox_rewards.id"), index=True)
    code: Mapped[str] = mapped_column(String(255), unique=True)
    # Set when the code is handed out by a claim.
    claimed_reward_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_claimed_rewards.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClaimedReward(db.Model):
    __tablename__ = "sandbox_claimed_rewards"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("sandbox_customers.id"), index=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("sandbox_rewards.id"))
    code: Mapped[str | None] = mapped_column(String(255), index=True)
    point_cost: Mapped[int]
    # "api" (Admin API) or "sdk" (the shopper clicked Claim).
    source: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_in_order: Mapped[str | None] = mapped_column(String(255))
    # Custom rewards only (None for vouchers): "pending" until the store answers the
    # fulfilment webhook with a 2xx, then "fulfilled" ("failed" if delivery gave up).
    fulfilment: Mapped[str | None] = mapped_column(String(16))
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship()
    reward: Mapped[Reward] = relationship()


class LedgerEntry(db.Model):
    """One immutable points transaction: a signed delta in one bucket (`state`).

    Balances are sums over these rows. A change of mind (an order is paid, refunded,
    cancelled; a review is declined) is recorded as new compensating rows, never by
    editing old ones: see `ledger.reconcile`.
    """

    __tablename__ = "sandbox_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("sandbox_customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    points: Mapped[int]
    state: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_orders.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_activities.id"), index=True)
    claimed_reward_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_claimed_rewards.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()


@event.listens_for(LedgerEntry, "before_update")
def _ledger_is_append_only(_mapper, _connection, target: LedgerEntry) -> None:
    raise RuntimeError(f"ledger entry {target.id} is immutable; append a new entry instead")


class WebhookDelivery(db.Model):
    """One webhook the sandbox sends to the store, and how delivering it went.

    `body` is the exact JSON text that is signed and POSTed. Retries send the same
    bytes, so the envelope `id` (`event_id`) stays the same and the store can
    de-duplicate on it.
    """

    __tablename__ = "sandbox_webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    topic: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    test: Mapped[bool] = mapped_column(default=False)
    # "pending" (sent again when due), "delivered" (a 2xx came back), "failed"
    # (SANDBOX_WEBHOOK_MAX_ATTEMPTS reached).
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # The store's last answer: its status (None when there was none) and body, or
    # why there was no answer (connection refused, timeout).
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_response: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The custom reward claim this webhook fulfils, if any.
    claimed_reward_id: Mapped[int | None] = mapped_column(
        ForeignKey("sandbox_claimed_rewards.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claimed_reward: Mapped[ClaimedReward | None] = relationship()


class WebhookSubscription(db.Model):
    """A subscription made with POST /v2/webhooks: `topic` events go to `address`."""

    __tablename__ = "sandbox_webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(Text)
    service_integration_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Setting(db.Model):
    __tablename__ = "sandbox_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class RequestLog(db.Model):
    """Every Admin API (and SDK) call as received, for the dashboard and tests.

    The Authorization header is never stored; only which scheme was used.
    """

    __tablename__ = "sandbox_request_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(1024), index=True)
    query: Mapped[str] = mapped_column(Text, default="")
    site_id: Mapped[str | None] = mapped_column(String(64))
    auth_scheme: Mapped[str] = mapped_column(String(32), default="none")
    request_body: Mapped[str] = mapped_column(Text, default="")
    # None when the connection was dropped on purpose (fault "drop").
    response_status: Mapped[int | None]
    response_body: Mapped[str] = mapped_column(Text, default="")
    # "valid", "invalid" (schema), "rejected" (auth, duplicate, not found...),
    # "fault" (injected), "n/a" (no body to validate).
    verdict: Mapped[str] = mapped_column(String(16))
    errors: Mapped[dict] = mapped_column(JSON, default=dict)
    # Not errors: things worth a look (unknown fields, odd totals, legacy auth).
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    duration_ms: Mapped[int] = mapped_column(default=0)
