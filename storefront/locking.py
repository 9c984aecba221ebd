"""Serialising changes to one row, the same way on PostgreSQL and SQLite."""

from __future__ import annotations

from sqlalchemy import inspect, update

from storefront.extensions import db


def lock_for_update(instance: object) -> None:
    """Hold the row's write lock until the transaction ends, then re-read the row.

    Two admins changing one order (or review) at once then run one after the other,
    and each decides on what the other left. The lock is a no-op UPDATE rather than
    SELECT ... FOR UPDATE: on PostgreSQL both lock the row, but SQLite ignores FOR UPDATE
    (two read-then-write transactions there lose one of the writes), while an UPDATE
    takes its database-wide write lock, waiting for a competing writer to commit.
    """
    state = inspect(instance)
    (key_column,) = state.mapper.primary_key
    (key,) = state.identity
    db.session.execute(
        update(state.mapper.class_)
        .where(key_column == key)
        .values({key_column.key: key_column})
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(instance)
