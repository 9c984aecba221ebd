"""Changes a customer makes to their own account: preferences, and leaving."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import delete, update
from werkzeug.security import generate_password_hash

from storefront import events
from storefront.extensions import db
from storefront.models import Cart, CartItem, LoyaltySnapshot, Order, User
from storefront.models._time import utcnow

ERASED = "[erased]"


def update_preferences(user: User, *, newsletter: bool, birthday: date | None) -> None:
    """Save newsletter consent and birthday; tell integrations what changed. Commits."""
    subscribed_now = newsletter and not user.newsletter_opt_in
    birthday_changed = birthday != user.birthday
    with events.commit_announcing() as announce:
        user.newsletter_opt_in = newsletter
        user.birthday = birthday
        if subscribed_now:
            announce(events.newsletter_subscribed, user=user)
        if birthday_changed:
            announce(events.customer_updated, user=user)


def close_account(user: User) -> None:
    """Erase the customer's personal data and stop all loyalty events for them. Commits.

    The row stays, with its id, because orders refer to it and the law makes us keep
    order records (amounts, dates, items); everything that identifies the person goes.
    Deleting their data at LoyaltyLion is requested through LoyaltyLion's support.
    """
    user_id = user.id
    with events.commit_announcing() as announce:
        user.email = f"closed-{user_id}@invalid"  # unique, and no one's address
        user.name = ""
        user.password_hash = generate_password_hash(secrets.token_urlsafe(32))  # no login
        user.newsletter_opt_in = False
        user.birthday = None
        user.closed_at = utcnow()
        user.end_sessions()
        db.session.execute(
            update(Order)
            .where(Order.customer_id == user_id)
            .values(
                customer_email=user.email,
                ship_name=ERASED,
                ship_address=ERASED,
                ship_city=ERASED,
                ship_postcode=ERASED,
                ip_address=None,
                user_agent=None,
            )
            .execution_options(synchronize_session=False)
        )
        cart_ids = db.session.execute(db.select(Cart.id).where(Cart.user_id == user_id)).scalars()
        for cart_id in list(cart_ids):
            db.session.execute(delete(CartItem).where(CartItem.cart_id == cart_id))
            db.session.execute(delete(Cart).where(Cart.id == cart_id))
        # What the loyalty program told us about them goes too.
        db.session.execute(delete(LoyaltySnapshot).where(LoyaltySnapshot.customer_id == user_id))
        announce(events.customer_closed, user_id=user_id)
