"""What an order allows, in one place: the service refuses with these reasons, and the
admin's order page offers exactly the actions they allow (and says why not).

Each rule reads the order as it is; the service asks again under the order's row lock,
so a page that was right when rendered cannot let a stale action through.
"""

from __future__ import annotations

from dataclasses import dataclass

from storefront.models import Order

ACTIONS = ("edit", "payment", "refund", "cancel")


def refusal(order: Order, action: str) -> str | None:
    """Why `action` is not possible on the order now; None when it is."""
    if action == "edit":
        if order.is_cancelled:
            return f"Order {order.number} is cancelled: it cannot be edited."
        if order.total_refunded_cents:
            return "An order with refunds cannot be edited."
        return None
    if action == "payment":
        if order.is_cancelled:
            return f"Order {order.number} is cancelled: it cannot take a payment."
        # A refund does not close the order: a partly refunded invoice can still collect
        # its balance (the refund status is recomputed against the new total paid).
        if order.balance_due_cents == 0:
            return f"Order {order.number} is already paid in full."
        return None
    if action == "refund":
        if order.refundable_cents > 0:
            return None
        if order.total_paid_cents == 0:
            return "Nothing to refund: no payment has been taken."
        return "Everything paid has already been refunded."
    if action == "cancel":
        return f"Order {order.number} is already cancelled." if order.is_cancelled else None
    raise ValueError(f"unknown order action {action!r}")


@dataclass(frozen=True)
class AvailableActions:
    """For the order page: which actions it offers, and the reason for each it does not."""

    refusals: dict[str, str | None]

    def allows(self, action: str) -> bool:
        return self.refusals[action] is None

    def why_not(self, action: str) -> str | None:
        return self.refusals[action]

    @property
    def edit(self) -> bool:
        return self.allows("edit")

    @property
    def payment(self) -> bool:
        return self.allows("payment")

    @property
    def refund(self) -> bool:
        return self.allows("refund")

    @property
    def cancel(self) -> bool:
        return self.allows("cancel")


def available_actions(order: Order) -> AvailableActions:
    return AvailableActions({action: refusal(order, action) for action in ACTIONS})
