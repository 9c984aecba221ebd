from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.extensions import db
from storefront.models._time import utcnow

# The status vocabularies are LoyaltyLion's own (PUT /v2/orders), so the shop's order
# state maps onto the API without translation tables.


class PaymentStatus(StrEnum):
    NOT_PAID = "not_paid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"


class RefundStatus(StrEnum):
    NOT_REFUNDED = "not_refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class CancellationStatus(StrEnum):
    NOT_CANCELLED = "not_cancelled"
    CANCELLED = "cancelled"


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("subtotal_cents >= 0", name="order_subtotal_nonnegative"),
        CheckConstraint("discount_cents >= 0", name="order_discount_nonnegative"),
        CheckConstraint("discount_cents <= subtotal_cents", name="order_discount_le_subtotal"),
        CheckConstraint("shipping_cents >= 0", name="order_shipping_nonnegative"),
        CheckConstraint("total_paid_cents >= 0", name="order_paid_nonnegative"),
        CheckConstraint("total_refunded_cents >= 0", name="order_refunded_nonnegative"),
        CheckConstraint("total_refunded_cents <= total_paid_cents", name="order_refund_le_paid"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a guest's order until the guest creates an account from its confirmation
    # page (auth/service.sign_up adopts it).
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A copy taken at checkout: what the customer gave for this order.
    customer_email: Mapped[str] = mapped_column(String(254))
    # Placed without an account. Stays true once adopted: LoyaltyLion received it as a
    # guest's order, under the guest's identity (loyalty.snapshot_of).
    guest: Mapped[bool] = mapped_column(default=False)
    ship_name: Mapped[str] = mapped_column(String(100))
    ship_address: Mapped[str] = mapped_column(String(200))
    ship_city: Mapped[str] = mapped_column(String(100))
    ship_postcode: Mapped[str] = mapped_column(String(20))
    ship_country: Mapped[str] = mapped_column(String(2))

    subtotal_cents: Mapped[int]
    discount_cents: Mapped[int] = mapped_column(default=0)
    shipping_cents: Mapped[int]
    total_cents: Mapped[int]
    total_paid_cents: Mapped[int] = mapped_column(default=0)
    total_refunded_cents: Mapped[int] = mapped_column(default=0)

    payment_method: Mapped[str] = mapped_column(String(20))  # "card" | "invoice"
    payment_status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.NOT_PAID)
    refund_status: Mapped[str] = mapped_column(String(20), default=RefundStatus.NOT_REFUNDED)
    cancellation_status: Mapped[str] = mapped_column(
        String(20), default=CancellationStatus.NOT_CANCELLED
    )

    # What the shopper's request looked like (loyalty programs use both for fraud checks).
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(400))

    # The checkout attempt that placed it (the checkout form's token): unique, so one
    # attempt makes at most one order however often it is submitted.
    checkout_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    discounts: Mapped[list[OrderDiscount]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderDiscount.id"
    )

    @property
    def number(self) -> str:
        """The human order number shown to the customer (LoyaltyLion's merchant_number)."""
        return str(1000 + self.id)

    @property
    def is_cancelled(self) -> bool:
        return self.cancellation_status == CancellationStatus.CANCELLED

    @property
    def balance_due_cents(self) -> int:
        return max(self.total_cents - self.total_paid_cents, 0)

    @property
    def refundable_cents(self) -> int:
        return self.total_paid_cents - self.total_refunded_cents


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="order_line_quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    # Copies taken at checkout, so later catalogue edits never rewrite history.
    product_name: Mapped[str] = mapped_column(String(120))
    unit_price_cents: Mapped[int]
    quantity: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def line_total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


class OrderDiscount(db.Model):
    """A discount code used on the order and the amount it took off."""

    __tablename__ = "order_discounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    # What the code is worth, and what it took off this order (less if merchandise
    # was cheaper than the code; an edit recomputes it).
    face_value_cents: Mapped[int]
    amount_cents: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="discounts")
