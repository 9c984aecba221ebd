"""Malformed input on every customer-facing form: a clear message and a 4xx, never a 500,
never a partial write, and never markup echoed unescaped.

Each form case names one field and the values that are malformed *for that field*.
Free text (names, addresses) is different: people write in every script and some use
emoji, so there only empty, overlong and invisible-control-character input is
malformed; everything else is stored as typed and shown escaped, and is tested so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order, User, Voucher
from storefront.vouchers.service import generate_batch
from tests.conftest import SHIPPING_FORM, checkout_attempt, db_snapshot, product_id, text_of

MARKUP = "<script>alert(1)</script>"

BAD_VALUES = {
    "empty": "",
    "blank": "   ",
    "huge": "x" * 10_000,
    "huge-number": "9" * 10_000,
    "negative": "-1",
    "non-numeric": "abc",
    "full-width-digit": "５",
    "arabic-indic-digit": "٣",
    "emoji": "🦁",
    "rtl-marks": "\u200f\u202e5",  # right-to-left mark, then right-to-left override
    "markup": MARKUP,
    "sql": "' OR 1=1; DROP TABLE users;--",
    "null-byte": "5\x00",
}

# What free text may legitimately contain (see the module docstring).
FREE_TEXT = frozenset(
    {"negative", "non-numeric", "full-width-digit", "arabic-indic-digit", "emoji", "markup", "sql"}
)

QUANTITY_MESSAGES = (
    "Enter a quantity.",
    "Enter the quantity as a whole number",
    "Choose a quantity",
)
PRODUCT_MESSAGES = ("That product could not be found.",)
FREE_TEXT_MESSAGES = (
    "Enter the recipient's name.",
    "Enter a street address.",
    "Enter a city.",
    "Use at most",
    "Remove the invisible control characters from this field.",
)


@dataclass(frozen=True)
class FormCase:
    url: str
    field: str
    messages: tuple[str, ...]  # one of these explains the rejection
    valid: Callable[[Flask], dict]  # a valid submission for this app
    customer: bool = False  # log in as the seeded customer first
    in_cart: int = 0  # House Blends in the cart first
    accepts: frozenset[str] = frozenset()  # BAD_VALUES that are fine in this field


def _signup(app) -> dict:
    return {"email": "new@example.com", "password": "a-good-password-1", "name": "New Person"}


def _login(app) -> dict:
    return {"email": "customer@example.com", "password": "customer-password-1"}


def _cart_line(app) -> dict:
    return {"product_id": product_id(app, "house-blend"), "quantity": "2"}


def _code(app) -> dict:
    with app.app_context():
        batch = generate_batch(name="Bad input", amount_cents=500, count=1)
        code = db.session.execute(
            select(Voucher.code).where(Voucher.batch_id == batch.id)
        ).scalar_one()
    return {"code": code}


def _order(app) -> dict:
    return dict(SHIPPING_FORM)


CASES = {
    "signup-email": FormCase(
        "/signup",
        "email",
        ("Enter your email address.", "Enter a valid email address", "email address is too long"),
        _signup,
    ),
    "signup-password": FormCase(
        "/signup",
        "password",
        ("Choose a password.", "Use at least 10", "Use at most 128", "Mix letters"),
        _signup,
        # Long enough, letters and symbols: as passwords these are simply passwords.
        accepts=frozenset({"markup", "sql"}),
    ),
    "signup-name": FormCase(
        "/signup",
        "name",
        FREE_TEXT_MESSAGES,
        _signup,
        accepts=FREE_TEXT | {"empty", "blank"},  # the name is optional
    ),
    "login-email": FormCase(
        "/login",
        "email",
        ("Enter your email address.", "do not match an account", "too long", "control characters"),
        _login,
    ),
    "login-password": FormCase(
        "/login",
        "password",
        ("Enter your password.", "Use at most 128", "do not match an account"),
        _login,
    ),
    "add-product": FormCase("/cart/add", "product_id", PRODUCT_MESSAGES, _cart_line),
    "add-quantity": FormCase("/cart/add", "quantity", QUANTITY_MESSAGES, _cart_line),
    "update-product": FormCase(
        "/cart/update", "product_id", PRODUCT_MESSAGES, _cart_line, in_cart=1
    ),
    "update-quantity": FormCase(
        "/cart/update", "quantity", QUANTITY_MESSAGES, _cart_line, in_cart=1
    ),
    "remove-product": FormCase(
        "/cart/remove", "product_id", PRODUCT_MESSAGES, _cart_line, in_cart=1
    ),
    "discount-code": FormCase(
        "/checkout/discount",
        "code",
        ("Enter a discount code.", "too long to be one of our codes", "We don't recognise"),
        _code,
        customer=True,
        in_cart=1,
    ),
    "order-name": FormCase(
        "/checkout/", "name", FREE_TEXT_MESSAGES, _order, True, 1, accepts=FREE_TEXT
    ),
    "order-address": FormCase(
        "/checkout/", "address", FREE_TEXT_MESSAGES, _order, True, 1, accepts=FREE_TEXT
    ),
    "order-city": FormCase(
        "/checkout/", "city", FREE_TEXT_MESSAGES, _order, True, 1, accepts=FREE_TEXT
    ),
    "order-postcode": FormCase(
        "/checkout/",
        "postcode",
        ("Enter a postal code.", "Use at most 20", "Use letters, digits, spaces and dashes only."),
        _order,
        True,
        1,
        accepts=frozenset({"non-numeric"}),  # "ABC" is a shape we cannot rule out
    ),
    "order-country": FormCase(
        "/checkout/", "country", ("Choose a country.", "Not a valid choice"), _order, True, 1
    ),
    "order-payment": FormCase(
        "/checkout/",
        "payment_method",
        ("Choose how you would like to pay.", "Not a valid choice"),
        _order,
        True,
        1,
    ),
}


def prepare(app, client, auth, case: FormCase) -> dict:
    if case.customer:
        auth.login()
    if case.in_cart:
        client.post(
            "/cart/add",
            data={"product_id": product_id(app, "house-blend"), "quantity": case.in_cart},
        )
        client.get("/cart/")  # show (and so clear) the "Added ..." message
    return case.valid(app)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_malformed_input_is_refused_with_a_message_and_writes_nothing(
    app, client, auth, subtests, case
):
    data = prepare(app, client, auth, case)

    for name, value in BAD_VALUES.items():
        if name in case.accepts:
            continue
        # One app per form keeps this fast; each value is still its own report.
        with subtests.test(value=name):
            before = db_snapshot(app)

            response = client.post(case.url, data={**data, case.field: value})

            assert 400 <= response.status_code < 500
            page = text_of(response)
            assert any(message in page for message in case.messages), page
            assert "<script>alert" not in response.get_data(as_text=True)
            assert db_snapshot(app) == before


def test_a_refused_login_does_not_log_in(client, auth):
    auth.login(password="' OR 1=1; DROP TABLE users;--")

    assert client.get("/account/").status_code == 302


@pytest.mark.parametrize("value", sorted(FREE_TEXT), ids=sorted(FREE_TEXT))
def test_free_text_on_an_order_is_stored_as_typed_and_shown_escaped(app, client, auth, value):
    text = BAD_VALUES[value]
    data = prepare(app, client, auth, CASES["order-name"])

    response = client.post(
        "/checkout/",
        data={
            **data,
            "attempt": checkout_attempt(client),
            "name": text,
            "address": text,
            "city": text,
        },
    )

    assert response.status_code == 302
    with app.app_context():
        order = db.session.execute(select(Order)).scalar_one()
        assert (order.ship_name, order.ship_address, order.ship_city) == (text, text, text)
    page = client.get(f"/account/orders/{order.id}").get_data(as_text=True)
    assert str(escape(text)) in page
    assert "<script>alert" not in page


@pytest.mark.parametrize("value", sorted(FREE_TEXT), ids=sorted(FREE_TEXT))
def test_free_text_as_a_name_is_stored_as_typed_and_shown_escaped(app, client, value):
    text = BAD_VALUES[value]

    response = client.post("/signup", data={**_signup(app), "name": f"  {text} "})

    assert response.status_code == 302
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == "new@example.com")).scalar_one()
        assert user.name == text  # trimmed, otherwise as typed
    page = client.get("/account/").get_data(as_text=True)
    assert str(escape(text)) in page
    assert "<script>alert" not in page


@pytest.mark.parametrize("password", [MARKUP, BAD_VALUES["sql"]], ids=["markup", "sql"])
def test_markup_or_sql_as_a_password_is_just_a_password(client, auth, password):
    assert auth.signup(email="odd@example.com", password=password).status_code == 302
    auth.logout()

    assert auth.login(email="odd@example.com", password=password).status_code == 302


def test_a_postcode_that_is_only_letters_is_accepted_and_upper_cased(app, client, auth):
    data = prepare(app, client, auth, CASES["order-postcode"])

    form = {**data, "attempt": checkout_attempt(client), "postcode": "abc"}
    assert client.post("/checkout/", data=form).status_code == 302

    with app.app_context():
        assert db.session.execute(select(Order.ship_postcode)).scalar_one() == "ABC"


def test_an_oversized_request_body_is_refused(app, client):
    before = db_snapshot(app)

    response = client.post("/signup", data={**_signup(app), "name": "x" * (2 * 1024 * 1024)})

    assert response.status_code == 413
    assert db_snapshot(app) == before
