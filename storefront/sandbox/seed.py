"""Creating, seeding and resetting the sandbox's database."""

from __future__ import annotations

from flask import Flask

from storefront.sandbox import program, rewards
from storefront.sandbox.db import db, schema_is_outdated
from storefront.sandbox.runtime import runtime


def init_database(app: Flask) -> None:
    """Create missing tables and seed the program if it has never been seeded.

    A database made by an older sandbox (a table misses a column) is dropped and
    re-created: sandbox data is disposable.
    """
    with app.app_context():
        if schema_is_outdated():
            app.logger.warning("LoyaltyLion sandbox: database schema changed; re-creating it")
            db.drop_all()
        db.create_all()
        rewards.seed(int(app.config["SANDBOX_SEED_CODES"]))
        db.session.commit()


def reset_everything(app: Flask) -> None:
    """Wipe every table and re-seed; also clear faults and rate-limit windows.

    Needs an app context (a request or `app.app_context()`).
    """
    state = runtime()
    with state.write_lock:
        try:
            program.wipe()
            rewards.seed(int(app.config["SANDBOX_SEED_CODES"]))
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    state.faults.clear()
    state.limiter.reset()
