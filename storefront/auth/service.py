"""Opening an account: the user row and the events it announces, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from storefront import events
from storefront.extensions import db
from storefront.models import Order, User
from storefront.shopper import RequestContext


class EmailTaken(ValueError):
    """An account with this email exists already (nothing was written)."""


def sign_up(
    *,
    email: str,
    password: str,
    name: str,
    newsletter: bool,
    context: RequestContext | None,
    guest_order_ids: Iterable[int] = (),
) -> User:
    """Create the account and announce it (and a newsletter opt-in). Commits.

    `guest_order_ids`: guest orders this shopper placed (their session says so); those
    placed with this email become the account's, in the same transaction. LoyaltyLion
    links them itself, on the `$signup`, by the email (adopt_guest_orders).

    The email's uniqueness is the database's to enforce: of two signups racing with one
    address, exactly one gets the row, and the other raises EmailTaken."""
    user = User(
        email=User.normalize_email(email),
        name=name.strip(),
        newsletter_opt_in=newsletter,
        password_hash=generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        ),
    )
    try:
        with events.commit_announcing() as announce:
            db.session.add(user)
            db.session.flush()  # the id, for the events; a taken email fails here
            adopt_guest_orders(user, guest_order_ids)
            announce(events.customer_signed_up, user=user, context=context)
            if newsletter:
                announce(events.newsletter_subscribed, user=user)
    except IntegrityError:
        raise EmailTaken(email) from None
    return user


def adopt_guest_orders(user: User, order_ids: Iterable[int]) -> int:
    """Make these guest orders the new account's, where they were placed with its email
    and nobody has them yet (caller's transaction). Only orders the shopper's own
    session placed are offered: an email alone proves nothing (no one confirms it)."""
    ids = [order_id for order_id in order_ids if isinstance(order_id, int)][:MAX_ADOPTED]
    if not ids:
        return 0
    return db.session.execute(
        update(Order)
        .where(
            Order.id.in_(ids),
            Order.guest.is_(True),
            Order.customer_id.is_(None),
            Order.customer_email == user.email,
        )
        .values(customer_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount


# The guest orders a session remembers (checkout/routes.py keeps the newest).
MAX_ADOPTED = 10
