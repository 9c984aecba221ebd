"""The sandbox's own SQLAlchemy instance.

Deliberately separate from the shop's `storefront.extensions.db`: the sandbox stands
in for a remote service, so it must not share tables, sessions or a database with
the shop.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class SandboxBase(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=SandboxBase)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out.

    SQLite has no time zone support, so values are stored as naive UTC. They are
    stored to the millisecond, the precision the API shows (`iso`), so a timestamp
    read from an answer and sent back as a filter (`updated_at_max=...`) names the
    same instant.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC).replace(tzinfo=None)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with a `Z`, the way the Admin API formats timestamps."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def configure_sqlite(engine: Engine) -> None:
    """WAL and a busy timeout: the threaded server reads while another thread writes."""
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


def schema_is_outdated() -> bool:
    """True when an existing sandbox table lacks a column the models now define.

    The sandbox has no migrations: its data is fake and Reset wipes it anyway, so an
    outdated database is simply re-created (see `seed.init_database`).
    """
    inspector = inspect(db.engine)
    existing = set(inspector.get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name in existing:
            have = {column["name"] for column in inspector.get_columns(table.name)}
            if not {column.name for column in table.columns} <= have:
                return True
    return False
