"""Guest orders linked to the account that signs up with the same email.

"LoyaltyLion tracks all guest orders made within the configured timeframe [...]
When a customer creates an account, they'll automatically receive loyalty points for
those past purchases" (setting "Reward historic purchases").
https://help.loyaltylion.com/en/articles/11060322-give-points-for-previous-guest-purchases

The help centre does not say how a guest is matched to the account, nor what the
guest's `customer_id` is. Sandbox choices, all in docs/sandbox.md:

- a `$signup` with `"guest": false` links every not-enrolled customer whose email is
  the account's, compared case-insensitively (and the account's own guest orders);
- their merchant_ids go into the account's `linked_merchant_ids`; the guest
  customers stay, not enrolled, with `linked_to` set;
- their guest orders move to the account, so later updates move the account's points;
- each earns the purchase points of the current rate, as if an account holder had
  placed it, unless the setting is off or the order is older than
  `historic_purchases_days` (by its `date`, else when it was received);
- referral points stay as received: the referrer the order was received with, if
  any, keeps earning from it; linking pays no new referral.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from loyaltylion_sandbox import program_settings
from loyaltylion_sandbox.db import db, utcnow
from loyaltylion_sandbox.models import Customer, Order
from loyaltylion_sandbox.orders import purchase_points_for, reconcile_order


def _guests_with_email(account: Customer) -> list[Customer]:
    """Not-enrolled customers with the account's email, not linked to someone else."""
    return list(
        db.session.execute(
            select(Customer)
            .where(
                func.lower(Customer.email) == account.email.lower(),
                Customer.id != account.id,
                Customer.enrolled.is_(False),
                or_(Customer.linked_to_id.is_(None), Customer.linked_to_id == account.id),
            )
            .order_by(Customer.id)
        ).scalars()
    )


def _placed_at(order: Order) -> datetime:
    """The order's own `date` when it sent one, else when the sandbox received it."""
    if order.date:
        try:
            return datetime.fromisoformat(order.date)
        except ValueError:
            pass
    return order.created_at


def link_guests(account: Customer) -> list[str]:
    """Link the guest customers and orders of `account`'s email to it (see the module
    docstring); returns notes for the $signup's outcome."""
    guests = _guests_with_email(account)
    owners = [account.id, *(guest.id for guest in guests)]
    orders = list(
        db.session.execute(
            select(Order)
            .where(
                Order.customer_id.in_(owners),
                Order.guest_order.is_(True),
                Order.linked_at.is_(None),
                Order.forgotten_at.is_(None),
            )
            .order_by(Order.id)
        ).scalars()
    )
    linked = list(account.linked_merchant_ids or [])
    for guest in guests:
        guest.linked_to_id = account.id
        if guest.merchant_id not in linked:
            linked.append(guest.merchant_id)
    if linked != (account.linked_merchant_ids or []):
        account.linked_merchant_ids = linked  # a new list, so the JSON column is saved

    program = program_settings.current()
    days = program["historic_purchases_days"]
    oldest = utcnow() - timedelta(days=days) if days is not None else None
    notes = []
    for order in orders:
        previous = order.customer
        if previous.id != account.id:
            order.placed_by = previous.merchant_id
            order.customer = account
        order.linked_at = order.updated_at = utcnow()
        if not program["reward_historic_purchases"]:
            outcome = "no points (reward_historic_purchases is off)"
        elif oldest is not None and _placed_at(order) < oldest:
            outcome = f"no points (older than {days} days)"
        else:
            order.purchase_points = purchase_points_for(order.total, order.total_shipping)
            outcome = f"worth {order.purchase_points} points"
        note = f"linked to {account.merchant_id} on $signup: {outcome}"
        order.notes = "; ".join(part for part in (order.notes, note) if part)
        db.session.flush()
        reconcile_order(order)
        notes.append(f"guest order {order.merchant_id} linked: {outcome}")
    return notes
