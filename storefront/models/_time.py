from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, the same on SQLite (no time zones) and PostgreSQL `timestamp`."""
    return datetime.now(UTC).replace(tzinfo=None)
