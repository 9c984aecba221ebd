"""Creating, seeding and resetting the sandbox's database."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import delete

from loyaltylion_sandbox import rewards
from loyaltylion_sandbox.db import db, schema_is_outdated
from loyaltylion_sandbox.models import (
    Activity,
    ClaimedReward,
    Customer,
    LedgerEntry,
    Order,
    RequestLog,
    Reward,
    RewardCode,
    Setting,
    WebhookDelivery,
    WebhookSubscription,
)
from loyaltylion_sandbox.runtime import runtime
from loyaltylion_sandbox.transactions import writing


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
    with writing():
        wipe()
        rewards.seed(int(app.config["SANDBOX_SEED_CODES"]))
    state.faults.clear()
    state.limiter.reset()


def wipe() -> None:
    """Delete every row (children first), including the request log."""
    for model in (
        WebhookDelivery,
        WebhookSubscription,
        RewardCode,
        LedgerEntry,
        ClaimedReward,
        Order,
        Activity,
        Customer,
        Reward,
        Setting,
        RequestLog,
    ):
        db.session.execute(delete(model))
    db.session.flush()
