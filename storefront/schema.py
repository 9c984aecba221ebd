"""The database schema: Alembic migrations (Flask-Migrate) for the shop's tables, with
the LoyaltyLion package's own migrations included as a second branch.

    flask --app storefront db upgrade heads     # what `make run` and `make serve` do
    flask --app storefront db migrate --head storefront@head -m "..."   # a shop change

`heads`, not `head`: the shop's history (branch `storefront`) and the package's
(branch `loyaltylion`) are two branches, each with its own head, so the package's
migrations can be copied with it into any store's Alembic setup.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from storefront.extensions import db, migrate
from storefront.loyaltylion import migrations as loyaltylion_migrations
from storefront.loyaltylion.models import Base as LoyaltyLionBase

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Every metadata the migrations manage (env.py compares the database against these).
METADATA = (db.metadata, LoyaltyLionBase.metadata)


@migrate.configure
def _include_package_migrations(config: Config) -> Config:
    """The shop's versions and the package's, read as one history."""
    locations = [str(MIGRATIONS / "versions"), str(loyaltylion_migrations.VERSIONS)]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(locations))
    return config


def create_tables() -> None:
    """Every table as the models describe it, with no migration history: the test
    suites' fast path (tests/test_migrations.py proves it equals the migrations')."""
    db.create_all()
    LoyaltyLionBase.metadata.create_all(db.engine)


def upgrade() -> None:
    """Bring the database to the newest revision of every branch (in an app context)."""
    import flask_migrate

    flask_migrate.upgrade(directory=str(MIGRATIONS), revision="heads")


def script_directory() -> ScriptDirectory:
    config = _include_package_migrations(Config(str(MIGRATIONS / "alembic.ini")))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def pending_revisions() -> set[str]:
    """The branch heads the database has not reached (in an app context)."""
    script = script_directory()
    heads = set(script.get_heads())
    quiet = logging.getLogger("alembic.runtime.migration")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # not "Context impl SQLiteImpl." at every start
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        quiet.setLevel(level)
    reached = {rev.revision for head in current for rev in script.iterate_revisions(head, "base")}
    return heads - reached


def warn_if_behind(app: Flask) -> None:
    with app.app_context():
        try:
            behind = pending_revisions()
        except (SQLAlchemyError, CommandError) as error:  # no database server yet, say
            log.warning("Could not read the database's schema revision: %s", error)
            return
        finally:
            db.session.remove()
        if behind:
            log.warning(
                "The database is not up to date (%s): run `flask --app storefront db "
                "upgrade heads` (make run and make serve do).",
                ", ".join(sorted(behind)),
            )
