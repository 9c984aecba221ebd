"""CSRF protection, switched on: a form without its token is refused and writes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import CartItem, Order, User
from storefront.seed import CUSTOMER_EMAIL, CUSTOMER_PASSWORD
from tests.conftest import SHIPPING_FORM, checkout_attempt, product_id, text_of

EXPIRED_MESSAGE = "The form was out of date or missing its security token."


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def csrf_token(client, url: str) -> str:
    """The token from a form on the page at `url`, as a browser would submit it."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def log_in(client) -> None:
    response = client.post(
        "/login",
        data={
            "email": CUSTOMER_EMAIL,
            "password": CUSTOMER_PASSWORD,
            "csrf_token": csrf_token(client, "/login"),
        },
    )
    assert response.status_code == 302


def test_add_to_cart_without_the_token_is_refused(app, client):
    response = client.post(
        "/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1}
    )

    assert response.status_code == 400
    assert "Your session expired" in text_of(response)
    assert EXPIRED_MESSAGE in text_of(response)
    assert count(app, CartItem) == 0


def test_add_to_cart_with_the_token_works(app, client):
    token = csrf_token(client, "/products/house-blend")

    response = client.post(
        "/cart/add",
        data={"product_id": product_id(app, "house-blend"), "quantity": 1, "csrf_token": token},
    )

    assert response.status_code == 302
    assert count(app, CartItem) == 1


def test_a_token_from_another_session_is_refused(app, client):
    stolen = csrf_token(app.test_client(), "/products/house-blend")
    client.get("/products/house-blend")  # this shopper has a session of their own

    response = client.post(
        "/cart/add",
        data={"product_id": product_id(app, "house-blend"), "quantity": 1, "csrf_token": stolen},
    )

    assert response.status_code == 400
    assert count(app, CartItem) == 0


def test_signup_without_the_token_is_refused(app, client):
    before = count(app, User)

    response = client.post(
        "/signup", data={"email": "csrf@example.com", "password": "a-good-password-1"}
    )

    assert response.status_code == 400
    assert EXPIRED_MESSAGE in text_of(response)
    assert count(app, User) == before


def test_login_with_and_without_the_token(client):
    credentials = {"email": CUSTOMER_EMAIL, "password": CUSTOMER_PASSWORD}

    refused = client.post("/login", data=credentials)
    assert refused.status_code == 400
    assert client.get("/account/").status_code == 302

    log_in(client)
    assert client.get("/account/").status_code == 200


def test_placing_an_order_without_the_token_is_refused(app, client):
    log_in(client)
    client.post(
        "/cart/add",
        data={
            "product_id": product_id(app, "house-blend"),
            "quantity": 1,
            "csrf_token": csrf_token(client, "/products/house-blend"),
        },
    )

    refused = client.post("/checkout/", data=SHIPPING_FORM)
    assert refused.status_code == 400
    assert EXPIRED_MESSAGE in text_of(refused)
    assert count(app, Order) == 0
    assert count(app, CartItem) == 1

    placed = client.post(
        "/checkout/",
        data={
            **SHIPPING_FORM,
            "csrf_token": csrf_token(client, "/checkout/"),
            "attempt": checkout_attempt(client),
        },
    )
    assert placed.status_code == 302
    assert count(app, Order) == 1


def test_logout_without_the_token_keeps_the_customer_logged_in(client):
    log_in(client)

    refused = client.post("/logout")
    assert refused.status_code == 400
    assert client.get("/account/").status_code == 200

    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/")})
    assert client.get("/account/").status_code == 302


def test_a_guest_order_and_its_account_need_the_token(app, client):
    token = csrf_token(client, "/products/house-blend")
    client.post(
        "/cart/add",
        data={"product_id": product_id(app, "house-blend"), "quantity": 1, "csrf_token": token},
    )
    guest_order = {**SHIPPING_FORM, "email": "guest.csrf@example.com"}

    refused = client.post("/checkout/", data={**guest_order, "attempt": checkout_attempt(client)})
    assert refused.status_code == 400 and count(app, Order) == 0

    placed = client.post(
        "/checkout/",
        data={
            **guest_order,
            "attempt": checkout_attempt(client),
            "csrf_token": csrf_token(client, "/checkout/"),
        },
    )
    assert placed.status_code == 302 and count(app, Order) == 1
    confirmation = placed.headers["Location"]
    users = count(app, User)

    response = client.post(
        f"{confirmation}/account",
        data={"email": "guest.csrf@example.com", "password": "a-good-password-1"},
    )

    assert response.status_code == 400
    assert EXPIRED_MESSAGE in text_of(response)
    assert count(app, User) == users
    joined = client.post(
        f"{confirmation}/account",
        data={
            "email": "guest.csrf@example.com",
            "password": "a-good-password-1",
            "csrf_token": csrf_token(client, confirmation),
        },
    )
    assert joined.status_code == 303 and count(app, User) == users + 1


def test_claiming_a_reward_without_the_token_is_refused(app, client):
    """The headless Rewards page's Claim button (LOYALTYLION_UI=headless)."""
    app.config["LOYALTYLION_UI"] = "headless"
    log_in(client)
    response = client.post("/rewards/claim", data={"reward_id": 1, "attempt": "a" * 24})
    assert response.status_code == 400
    assert EXPIRED_MESSAGE in text_of(response)
    with app.app_context():
        from storefront.models import RewardClaim

        assert count(app, RewardClaim) == 0
