"""Guest checkout: an order without an account, what LoyaltyLion is told, who may see it,
and the one step from its confirmation to an account that takes it over."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from storefront.extensions import db
from storefront.loyalty import snapshot_of
from storefront.loyaltylion import OutboxEvent
from storefront.loyaltylion.models import KIND_ACTIVITY, KIND_ORDER_CREATE
from storefront.models import Order, User
from tests.conftest import SHIPPING_FORM, checkout_attempt, product_id, text_of

GUEST_EMAIL = "Guest.Shopper@Example.com"
PASSWORD = "a-good-password-1"


def fill_cart(client, app, slug: str = "house-blend") -> None:
    response = client.post("/cart/add", data={"product_id": product_id(app, slug), "quantity": 1})
    assert response.status_code == 302


def place_as_guest(client, app, email: str = GUEST_EMAIL, **overrides):
    fill_cart(client, app)
    attempt = checkout_attempt(client)
    assert attempt, "a guest gets the checkout page"
    return client.post(
        "/checkout/", data={**SHIPPING_FORM, "email": email, "attempt": attempt, **overrides}
    )


def only_order(app) -> Order:
    with app.app_context():
        order = db.session.execute(select(Order)).scalar_one()
        db.session.expunge(order)
        return order


def events(app, kind: str) -> list[dict]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxEvent).where(OutboxEvent.kind == kind).order_by(OutboxEvent.id)
        ).scalars()
        return [json.loads(row.payload) for row in rows]


def test_a_guest_checks_out_with_an_email_and_no_account(app, client):
    response = place_as_guest(client, app)

    order = only_order(app)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/checkout/confirmation/{order.id}"
    assert order.guest is True and order.customer_id is None
    assert order.customer_email == "guest.shopper@example.com"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert f"Order {order.number} is confirmed" in text_of(page)


def test_the_email_is_required_for_a_guest(app, client):
    response = place_as_guest(client, app, email="")

    assert response.status_code == 400
    assert "Enter your email address." in text_of(response)
    with app.app_context():
        assert db.session.execute(select(Order)).first() is None


def test_a_guest_double_submit_places_one_order(app, client):
    fill_cart(client, app)
    attempt = checkout_attempt(client)
    form = {**SHIPPING_FORM, "email": GUEST_EMAIL, "attempt": attempt}

    first = client.post("/checkout/", data=form)
    second = client.post("/checkout/", data=form)

    order = only_order(app)
    assert first.headers["Location"] == f"/checkout/confirmation/{order.id}"
    assert second.headers["Location"] == f"/checkout/confirmation/{order.id}"


def test_the_order_goes_to_loyaltylion_as_a_guests_under_a_guest_identity(app, client):
    place_as_guest(client, app)
    order = only_order(app)

    (create,) = events(app, KIND_ORDER_CREATE)

    # Create Order's `guest`; customer_id is required and the docs are silent on a
    # guest's, so one per order that cannot be an account's (storefront/loyalty.py).
    assert create["guest"] is True
    assert create["customer_id"] == f"guest-{order.id}"
    assert create["customer_email"] == "guest.shopper@example.com"
    assert events(app, KIND_ACTIVITY) == []  # no $signup for a guest


def test_a_guest_gets_no_sdk_customer_authentication(app, client):
    app.config.update(LOYALTYLION_TOKEN="site-token", LOYALTYLION_SECRET="site-secret-value")
    place_as_guest(client, app)
    order = only_order(app)

    html = client.get(f"/checkout/confirmation/{order.id}").get_data(as_text=True)

    block = re.search(r'id="loyaltylion-config">([^<]*)</script>', html)
    assert block, "the SDK is on the page"
    init = json.loads(block[1])["init"]
    assert init == {"token": app.config["LOYALTYLION_TOKEN"]}  # the site token only
    assert app.config["LOYALTYLION_SECRET"] not in html


def test_another_browser_cannot_open_a_guests_confirmation(app, client):
    place_as_guest(client, app)
    order = only_order(app)
    stranger = app.test_client()

    assert stranger.get(f"/checkout/confirmation/{order.id}").status_code == 404
    assert stranger.get(f"/account/orders/{order.id}").status_code in (302, 404)
    create = stranger.post(
        f"/checkout/confirmation/{order.id}/account",
        data={"email": GUEST_EMAIL, "password": PASSWORD},
    )
    assert create.status_code == 404
    with app.app_context():
        assert (
            db.session.execute(select(User).where(User.email == GUEST_EMAIL.lower())).first()
            is None
        )


def test_a_logged_in_customer_cannot_open_a_guests_confirmation(app, client, auth):
    place_as_guest(client, app)
    order = only_order(app)
    other = app.test_client()
    other.post("/login", data={"email": "customer@example.com", "password": "customer-password-1"})

    assert other.get(f"/checkout/confirmation/{order.id}").status_code == 404
    assert other.get(f"/account/orders/{order.id}").status_code == 404


def test_the_confirmation_invites_the_guest_with_the_email_filled_in(app, client):
    place_as_guest(client, app)
    order = only_order(app)

    page = client.get(f"/checkout/confirmation/{order.id}")

    html = page.get_data(as_text=True)
    assert "Earn points on this order" in text_of(page)
    assert 'value="guest.shopper@example.com"' in html
    assert f'action="/checkout/confirmation/{order.id}/account"' in html


def test_creating_the_account_adopts_the_order_and_sends_signup(app, client):
    place_as_guest(client, app)
    order = only_order(app)

    response = client.post(
        f"/checkout/confirmation/{order.id}/account",
        data={"email": "guest.shopper@example.com", "password": PASSWORD},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/account/orders/{order.id}"
    with app.app_context():
        user = db.session.execute(
            select(User).where(User.email == "guest.shopper@example.com")
        ).scalar_one()
        adopted = db.session.get(Order, order.id)
        assert adopted.customer_id == user.id and adopted.guest is True
        # LoyaltyLion still knows the order by the guest's identity: it links it to the
        # account on the $signup (linked_merchant_ids), by the email.
        assert snapshot_of(adopted).customer.id == f"guest-{order.id}"
        (signup,) = events(app, KIND_ACTIVITY)
        assert signup["name"] == "$signup" and signup["customer_id"] == str(user.id)
        assert signup["customer_email"] == "guest.shopper@example.com"
        assert signup["guest"] is False
    assert client.get(f"/account/orders/{order.id}").status_code == 200


def test_an_account_with_another_email_does_not_take_the_order(app, client):
    place_as_guest(client, app)
    order = only_order(app)

    response = client.post(
        f"/checkout/confirmation/{order.id}/account",
        data={"email": "someone.else@example.com", "password": PASSWORD},
    )

    assert response.status_code == 303
    assert only_order(app).customer_id is None


def test_an_email_with_an_account_already_is_told_to_log_in(app, client):
    place_as_guest(client, app, email="customer@example.com")
    order = only_order(app)

    response = client.post(
        f"/checkout/confirmation/{order.id}/account",
        data={"email": "customer@example.com", "password": PASSWORD},
    )

    assert response.status_code == 409
    assert "already exists: log in" in text_of(response)
    assert only_order(app).customer_id is None


def test_a_weak_password_is_refused_and_nothing_written(app, client):
    place_as_guest(client, app)
    order = only_order(app)

    response = client.post(
        f"/checkout/confirmation/{order.id}/account",
        data={"email": GUEST_EMAIL, "password": "short"},
    )

    assert response.status_code == 400
    assert "Use at least 10 characters." in text_of(response)
    with app.app_context():
        assert (
            db.session.execute(select(User).where(User.email == GUEST_EMAIL.lower())).first()
            is None
        )
