from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storefront.extensions import db
from storefront.models._time import utcnow


class User(UserMixin, db.Model):
    """A customer or a store admin.

    `id` is the customer's identity everywhere, LoyaltyLion included: stable, unique and
    never reused (AUTOINCREMENT on SQLite; accounts are anonymised, never deleted).
    """

    __tablename__ = "users"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Consent to the newsletter (a LoyaltyLion custom rule pays points for it).
    newsletter_opt_in: Mapped[bool] = mapped_column(default=False)
    birthday: Mapped[date | None]
    # Set when the customer closed their account: personal data is erased then, the
    # row (and so the customer id) stays for the orders the law says we keep.
    closed_at: Mapped[datetime | None]
    # Part of the id the session and remember cookies carry (get_id): logging out
    # bumps it, so a copy of either cookie stops working everywhere, server-side.
    login_generation: Mapped[int] = mapped_column(default=0)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in inactive users
        return self.closed_at is None

    def get_id(self) -> str:
        """Flask-Login's "alternative token": the id and the login generation."""
        return f"{self.id}:{self.login_generation}"

    def end_sessions(self) -> None:
        """Every session and remember cookie issued so far stops working."""
        self.login_generation = (self.login_generation or 0) + 1

    @staticmethod
    def normalize_email(email: str) -> str:
        return email.strip().lower()

    def __repr__(self) -> str:
        return f"<User {self.id}>"
