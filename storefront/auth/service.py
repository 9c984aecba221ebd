"""Opening an account: the user row and the events it announces, in one transaction."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from storefront import events
from storefront.extensions import db
from storefront.models import User
from storefront.shopper import RequestContext


class EmailTaken(ValueError):
    """An account with this email exists already (nothing was written)."""


def sign_up(
    *, email: str, password: str, name: str, newsletter: bool, context: RequestContext | None
) -> User:
    """Create the account and announce it (and a newsletter opt-in). Commits.

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
            announce(events.customer_signed_up, user=user, context=context)
            if newsletter:
                announce(events.newsletter_subscribed, user=user)
    except IntegrityError:
        raise EmailTaken(email) from None
    return user
