"""The migrations (migrations/ and storefront/loyaltylion/migrations/) against a real
database: SQLite here, PostgreSQL under `make test-postgres`.

The suites build their tables with `create_tables()` (fast); these tests are what make
that honest: upgrading an empty database gives exactly the models, and a database made
by `create_all` before migrations existed upgrades in place with its rows kept.
"""

from __future__ import annotations

import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import MetaData, inspect

from storefront import create_app
from storefront.extensions import db
from storefront.loyalty import customer_of, loyaltylion
from storefront.models import User
from storefront.schema import METADATA, create_tables, pending_revisions, upgrade, warn_if_behind
from storefront.seed import CUSTOMER_EMAIL, seed_demo_data
from tests.conftest import TEST_CONFIG, _drop_everything, db_snapshot, dispose


@pytest.fixture
def empty_app(database_uri) -> Flask:
    """The app on a database with no tables at all (a server database is emptied)."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri})
    _drop_everything(app)
    yield app
    dispose(app)


HEADS = {"storefront_0003", "loyaltylion_0002"}


def differences(app: Flask) -> list:
    """What autogenerate would write: the database against every model."""
    models = MetaData()
    for metadata in METADATA:
        for table in metadata.tables.values():
            table.to_metadata(models)
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, models)


def table_names(app: Flask) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_upgrading_an_empty_database_gives_exactly_the_models(empty_app):
    with empty_app.app_context():
        assert pending_revisions() == HEADS
        upgrade()
        assert pending_revisions() == set()
    assert differences(empty_app) == []
    expected = {table for metadata in METADATA for table in metadata.tables}
    assert table_names(empty_app) == expected | {"alembic_version"}


def test_upgrading_twice_changes_nothing(empty_app):
    with empty_app.app_context():
        upgrade()
        seed_demo_data()
        before = db_snapshot(empty_app)
        upgrade()
    assert db_snapshot(empty_app) == before
    assert differences(empty_app) == []


def test_a_database_made_by_create_all_upgrades_in_place_with_its_data(empty_app):
    # What `main` did before migrations: the tables straight from the models, then use.
    with empty_app.app_context():
        create_tables()
        seed_demo_data()
        user = db.session.execute(db.select(User).filter_by(email=CUSTOMER_EMAIL)).scalar_one()
        loyaltylion.record_signup(customer_of(user))
        db.session.commit()
    shop_rows = db_snapshot(empty_app)
    assert sum(len(rows) for rows in shop_rows.values()) > 0

    with empty_app.app_context():
        assert pending_revisions() == HEADS
        upgrade()
        assert pending_revisions() == set()
        events = loyaltylion.session.execute(db.text("SELECT kind FROM loyaltylion_outbox"))
        assert [kind for (kind,) in events] == ["activity"]
    assert db_snapshot(empty_app) == shop_rows
    assert differences(empty_app) == []


def test_a_table_missing_from_an_old_database_is_created(empty_app):
    # The rate budget arrived with the migrations: a create_all database from before
    # it has every other table, and gains that one.
    with empty_app.app_context():
        create_tables()
        db.session.execute(db.text("DROP TABLE loyaltylion_rate_budget"))
        db.session.commit()
        upgrade()
    assert "loyaltylion_rate_budget" in table_names(empty_app)
    assert differences(empty_app) == []


def test_the_app_says_at_start_up_when_the_database_is_behind(empty_app, caplog):
    with caplog.at_level(logging.WARNING, logger="storefront.schema"):
        warn_if_behind(empty_app)
    assert "flask --app storefront db upgrade heads" in caplog.text
    assert "loyaltylion_0002" in caplog.text and "storefront_0003" in caplog.text

    with empty_app.app_context():
        upgrade()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="storefront.schema"):
        warn_if_behind(empty_app)
    assert caplog.text == ""


def test_the_shop_and_the_package_are_two_branches_with_one_head_each(empty_app):
    from storefront.schema import script_directory

    script = script_directory()
    labels = {rev.revision: rev.branch_labels for rev in script.walk_revisions()}
    assert labels["storefront_0001"] == {"storefront"}
    assert labels["loyaltylion_0001"] == {"loyaltylion"}
    assert set(script.get_heads()) == HEADS


def test_a_database_at_the_first_revisions_upgrades_with_its_rows_kept(empty_app):
    import flask_migrate

    from storefront.schema import MIGRATIONS

    def counts() -> dict[str, int]:
        return {
            table: db.session.execute(db.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("users", "products", "orders", "loyaltylion_outbox")
        }

    with empty_app.app_context():
        for revision in ("storefront_0001", "loyaltylion_0001"):
            flask_migrate.upgrade(directory=str(MIGRATIONS), revision=revision)
        assert pending_revisions() == HEADS
        # Rows as the first revisions knew them (the models have moved on: plain SQL).
        db.session.execute(
            db.text(
                "INSERT INTO users (email, name, password_hash, is_admin, created_at, "
                "newsletter_opt_in, login_generation) VALUES ('a@example.com', '', 'x', "
                ":no, '2026-01-01', :no, 0)"
            ),
            {"no": False},
        )
        db.session.execute(
            db.text(
                "INSERT INTO orders (customer_id, customer_email, ship_name, ship_address, "
                "ship_city, ship_postcode, ship_country, subtotal_cents, discount_cents, "
                "shipping_cents, total_cents, total_paid_cents, total_refunded_cents, "
                "payment_method, payment_status, refund_status, cancellation_status, "
                "created_at, updated_at) VALUES (1, 'a@example.com', 'A', '1 St', 'C', "
                "'P1', 'GB', 1000, 0, 0, 1000, 1000, 0, 'card', 'paid', 'not_refunded', "
                "'not_cancelled', '2026-01-01', '2026-01-01')"
            )
        )
        db.session.execute(
            db.text(
                "INSERT INTO loyaltylion_outbox (kind, stream, payload, status, attempts, "
                "next_attempt_at, created_at) VALUES ('activity', 'customer:1', '{}', "
                "'pending', 0, '2026-01-01', '2026-01-01')"
            )
        )
        db.session.commit()
        before = counts()
        # End the reading transaction: on PostgreSQL its table locks would keep the
        # upgrade's ALTER TABLE waiting for ever.
        db.session.remove()

        upgrade()
        assert pending_revisions() == set()
        assert counts() == before
        guest = db.session.execute(db.text("SELECT guest FROM orders")).scalar_one()
        priority = db.session.execute(db.text("SELECT priority FROM loyaltylion_outbox"))
        assert guest in (0, False)  # every earlier order had an account
        assert priority.scalar_one() == 0  # what was queued is live
        db.session.remove()
    assert differences(empty_app) == []
