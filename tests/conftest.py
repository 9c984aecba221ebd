"""Fixtures in the style of the Flask tutorial: `app`, `client`, `runner`, plus helpers.

Each test gets its own SQLite file (not :memory:) so that tests with threads see one
database, as a real deployment would.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, select

from storefront import create_app
from storefront.extensions import db
from storefront.models import Product, User
from storefront.schema import create_tables
from storefront.seed import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CUSTOMER_EMAIL,
    CUSTOMER_PASSWORD,
    seed_demo_data,
)

# Suites log in and sign up far more often than a person could; the limits themselves
# are tested with their real values in tests/test_rate_limits.py.
RELAXED_RATE_LIMITS = {
    "LOGIN_RATE_LIMIT": "10000 per minute",
    "LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute",
    "SIGNUP_RATE_LIMIT": "10000 per minute",
    "DISCOUNT_CODE_RATE_LIMIT": "10000 per minute",
}

TEST_CONFIG = {
    **RELAXED_RATE_LIMITS,
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "SECRET_KEY": "test-secret-key",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    # Fast hashing keeps the suite quick; production uses werkzeug's scrypt default.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "LOYALTYLION_API_KEY": "",
    "LOYALTYLION_TOKEN": "",
    "LOYALTYLION_SECRET": "",
}


@pytest.fixture
def database_uri(tmp_path) -> str:
    """A SQLite file per test, or, with TEST_DATABASE_URL set (`make test-postgres`),
    that database, emptied before each test."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app_config(database_uri) -> dict:
    """Override in a test module to change settings before the app is built."""
    return {"SQLALCHEMY_DATABASE_URI": database_uri}


def _drop_everything(app: Flask) -> None:
    """Every table in the database, whatever created it: reflected rather than taken
    from the models, so tables an older version of the code left behind go too."""
    with app.app_context():
        db.session.remove()
        existing = MetaData()
        existing.reflect(db.engine)
        existing.drop_all(db.engine)


def build_app(config: dict) -> Flask:
    """The app on a clean, seeded database (a server database is emptied first). The
    tables come straight from the models, which tests/test_migrations.py proves equal
    to what the migrations make."""
    app = create_app(config)
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _drop_everything(app)
    with app.app_context():
        create_tables()
        seed_demo_data()
    return app


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(app_config) -> Iterator[Flask]:
    app = build_app({**TEST_CONFIG, **app_config})
    yield app
    dispose(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client: FlaskClient):
        self._client = client

    def signup(self, email: str = "new@example.com", password: str = "a-good-password-1", **extra):
        return self._client.post(
            "/signup", data={"email": email, "password": password, "name": "New Person", **extra}
        )

    def login(self, email: str = CUSTOMER_EMAIL, password: str = CUSTOMER_PASSWORD, **params):
        return self._client.post("/login", data={"email": email, "password": password}, **params)

    def login_admin(self):
        return self.login(ADMIN_EMAIL, ADMIN_PASSWORD)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def product_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return db.session.execute(select(Product.id).where(Product.slug == slug)).scalar_one()


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.email == email)).scalar_one()


SHIPPING_FORM = {
    "name": "Ada Lovelace",
    "address": "12 Analytical Row",
    "city": "London",
    "postcode": "N1 9GU",
    "country": "GB",
    "payment_method": "card",
}


_ATTEMPT = re.compile(r'name="attempt" type="hidden" value="([^"]*)"')


def checkout_attempt(client: FlaskClient) -> str:
    """The token the checkout page issues for this checkout (one order per token); ""
    when there is no checkout page to open (a guest, an empty cart)."""
    match = _ATTEMPT.search(client.get("/checkout/").get_data(as_text=True))
    return match.group(1) if match else ""


def place_order(client: FlaskClient, **overrides):
    """Open the checkout page and submit its form (the cart must already hold
    something), as a shopper does."""
    attempt = overrides.pop("attempt", None) or checkout_attempt(client)
    return client.post("/checkout/", data={**SHIPPING_FORM, "attempt": attempt, **overrides})


def db_snapshot(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table: the proof that a refused form wrote nothing."""
    with app.app_context():
        return {
            table.name: [
                tuple(row)
                for row in db.session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def text_of(response) -> str:
    """The response body as text: tags stripped, entities decoded, whitespace folded."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
