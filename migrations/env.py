"""Alembic's environment for the shop (Flask-Migrate runs it: `flask --app storefront db
...`). The database is the app's; the history is the shop's versions/ plus the
LoyaltyLion package's (storefront/schema.py adds their location); autogenerate compares
against both sets of models."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from storefront.schema import METADATA

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    # Only when nothing set logging up (the app does, outside debug): never replace
    # the app's own configuration.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

engine = current_app.extensions["migrate"].db.engine
target_metadata = list(METADATA)


def _skip_empty_autogenerate(context_, revision, directives):
    """`flask db migrate` with no model change writes no empty revision."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    """`flask db upgrade --sql`: print the SQL instead of running it."""
    context.configure(
        url=engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # Flask-Migrate's options, render_as_batch among them (SQLite cannot ALTER most
    # things: a later migration rebuilds the table instead).
    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("process_revision_directives", _skip_empty_autogenerate)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            **options,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
