"""Sign up, log in, log out, through the test client."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from storefront.extensions import db
from storefront.models import User
from storefront.seed import CUSTOMER_EMAIL, CUSTOMER_PASSWORD
from tests.conftest import text_of

DUPLICATE_MESSAGE = "An account with this email already exists."
NO_MATCH_MESSAGE = "That email and password do not match an account."
UNSAFE_NEXT = ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]


def count_users(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(User.id))).scalar_one()


def is_logged_in(client) -> bool:
    """The account page answers 200 to a customer and redirects anyone else to log in."""
    return client.get("/account/").status_code == 200


def test_signup_creates_an_account_and_logs_in(app, client, auth):
    response = auth.signup(email="New.Person@Example.COM")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    page = client.get("/account/")
    assert page.status_code == 200
    # Emails are stored lower-cased, so they are unique whatever the case.
    assert "new.person@example.com" in text_of(page)


def test_signup_stores_the_password_hashed(app, auth):
    auth.signup(email="hashed@example.com", password="a-good-password-1")

    with app.app_context():
        user = db.session.execute(
            select(User).where(User.email == "hashed@example.com")
        ).scalar_one()
        assert "a-good-password-1" not in user.password_hash
        assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"])
        assert check_password_hash(user.password_hash, "a-good-password-1")


@pytest.mark.parametrize(
    "email", [CUSTOMER_EMAIL, "Customer@Example.com", " CUSTOMER@example.com "]
)
def test_signup_rejects_an_email_that_is_taken_in_any_case(app, auth, email):
    before = count_users(app)

    response = auth.signup(email=email)

    assert response.status_code == 409
    assert DUPLICATE_MESSAGE in text_of(response)
    assert count_users(app) == before


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "Use at least 10 characters."),
        ("onlyletterslong", "Mix letters with at least one digit or symbol."),
        ("1234567890123", "Mix letters with at least one digit or symbol."),
        ("x" * 120 + "-1234567890", "Use at most 128 characters."),
        ("rule@example.com", "Choose a password that is not your email address."),
    ],
)
def test_signup_rejects_a_weak_password_with_the_rule(app, auth, password, message):
    before = count_users(app)

    response = auth.signup(email="rule@example.com", password=password)

    assert response.status_code == 400
    assert message in text_of(response)
    assert count_users(app) == before


@pytest.mark.parametrize("email", ["", "not-an-email", "two@@example.com", "a@b"])
def test_signup_rejects_an_invalid_email(app, auth, email):
    before = count_users(app)

    response = auth.signup(email=email)

    assert response.status_code == 400
    page = text_of(response)
    assert "Enter a valid email address" in page or "Enter your email address." in page
    assert count_users(app) == before


def test_login_with_the_right_password_logs_in(client, auth):
    response = auth.login()

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    assert is_logged_in(client)


def test_login_email_is_case_insensitive(client, auth):
    response = auth.login(email="  Customer@Example.COM")

    assert response.status_code == 302
    assert is_logged_in(client)


@pytest.mark.parametrize(
    ("email", "password"),
    [(CUSTOMER_EMAIL, "wrong-password-1"), ("nobody@example.com", CUSTOMER_PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_login_failure_says_the_same_thing_either_way(client, auth, email, password):
    response = auth.login(email=email, password=password)

    assert response.status_code == 401
    assert NO_MATCH_MESSAGE in text_of(response)
    assert not is_logged_in(client)


def test_login_follows_a_relative_next(auth):
    response = auth.login(query_string={"next": "/cart/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/cart/"


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_login_ignores_a_next_that_leaves_the_site(auth, target):
    response = auth.login(query_string={"next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"


def test_signup_follows_a_relative_next(client):
    response = client.post(
        "/signup",
        query_string={"next": "/cart/"},
        data={"email": "next@example.com", "password": "a-good-password-1"},
    )

    assert response.headers["Location"] == "/cart/"


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_signup_ignores_a_next_that_leaves_the_site(client, target):
    response = client.post(
        "/signup",
        query_string={"next": target},
        data={"email": "next@example.com", "password": "a-good-password-1"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"


def test_login_page_redirects_a_customer_who_is_already_logged_in(client, auth):
    auth.login()

    response = client.get("/login", query_string={"next": "/cart/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/cart/"


def test_logout_refuses_get(client, auth):
    auth.login()

    response = client.get("/logout")

    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert is_logged_in(client)


def test_logout_by_post_logs_out(client, auth):
    auth.login()

    response = auth.logout()

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert not is_logged_in(client)


def test_account_page_requires_login_and_comes_back_after(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount%2F"

    response = client.post(
        response.headers["Location"],
        data={"email": CUSTOMER_EMAIL, "password": CUSTOMER_PASSWORD},
    )

    assert response.headers["Location"] == "/account/"
    assert is_logged_in(client)
