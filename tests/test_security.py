"""Security helpers, and the 500 page that must leave the database session clean."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from storefront.extensions import db
from storefront.models import User
from storefront.security import printable_text, safe_next_url
from storefront.seed import CUSTOMER_EMAIL
from tests.conftest import text_of

FRIENDLY_500 = "Sorry, something went wrong on our side. Nothing was charged; please try again."


@pytest.fixture
def app_config(app_config):
    # TESTING re-raises view errors into the test; these tests need the real 500 page.
    return {**app_config, "PROPAGATE_EXCEPTIONS": False}


@pytest.mark.parametrize(
    "target", ["/", "/account/", "/checkout/", "/cart/?from=nav#summary", "/products/lion-tee"]
)
def test_safe_next_url_keeps_paths_on_this_site(target):
    assert safe_next_url(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "http://evil.example/account/",
        "https:/evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "account/",
        " //evil.example",
        "/\t/evil.example",
        "/account/\r\nSet-Cookie: x=1",
    ],
)
def test_safe_next_url_refuses_anything_that_could_leave_the_site(target):
    assert safe_next_url(target) is None


class _Field:
    def __init__(self, data):
        self.data = data


@pytest.mark.parametrize("text", ["Ada Lovelace", "محمد علي", "Zoë 🦁", "O'Brien; DROP", ""])
def test_printable_text_accepts_any_script_and_emoji(text):
    printable_text(None, _Field(text))


@pytest.mark.parametrize("text", ["Ada\x00", "line\nbreak", "tab\there", "\u202eevil", "\u2066x"])
def test_printable_text_refuses_control_characters(text):
    with pytest.raises(ValueError, match="invisible control characters"):
        printable_text(None, _Field(text))


def test_an_unhandled_error_shows_the_friendly_page_and_rolls_back(app, client):
    seen_after_handler = {}

    @app.route("/boom")
    def boom():
        db.session.add(
            User(email="half-written@example.com", password_hash=generate_password_hash("x"))
        )
        db.session.flush()  # the row is in the transaction, not yet committed
        raise RuntimeError("the view failed half-way")

    @app.after_request
    def look_at_the_session(response):
        # The same session and transaction the view used: a flushed row would show here.
        seen_after_handler["user"] = db.session.execute(
            select(User).where(User.email == "half-written@example.com")
        ).scalar_one_or_none()
        return response

    response = client.get("/boom")

    assert response.status_code == 500
    page = text_of(response)
    assert "Something went wrong" in page
    assert FRIENDLY_500 in page
    assert "Back to the shop" in page  # the shop's layout, not a bare error
    assert "RuntimeError" not in page
    assert seen_after_handler["user"] is None
    with app.app_context():
        assert (
            db.session.execute(
                select(User).where(User.email == "half-written@example.com")
            ).scalar_one_or_none()
            is None
        )


def test_the_500_page_renders_even_after_a_failed_flush(app, client, auth):
    """A failed flush leaves the session unusable until rollback; the error page itself
    queries the database (a customer's cart badge), so it only renders after a rollback."""

    @app.route("/duplicate")
    def duplicate():
        db.session.add(User(email=CUSTOMER_EMAIL, password_hash="x"))
        db.session.flush()  # IntegrityError: the email is taken
        return "unreachable"

    auth.login()
    response = client.get("/duplicate")

    assert response.status_code == 500
    assert FRIENDLY_500 in text_of(response)


def test_the_500_answer_is_json_for_json_clients(app, client):
    @app.route("/boom.json")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom.json", headers={"Accept": "application/json"})

    assert response.status_code == 500
    assert response.get_json() == {"error": {"message": FRIENDLY_500}}
