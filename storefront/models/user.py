from __future__ import annotations

from datetime import datetime

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

    @staticmethod
    def normalize_email(email: str) -> str:
        return email.strip().lower()

    def __repr__(self) -> str:
        return f"<User {self.id}>"
