"""The cart: add, change quantity, remove, server-side prices, and the guest-to-customer merge."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from storefront.cart.service import MAX_QUANTITY
from storefront.extensions import db
from storefront.models import Cart, CartItem, Order, Product
from storefront.seed import CUSTOMER_EMAIL
from tests.conftest import place_order, product_id, text_of, user_id


def add(client, app, slug: str, quantity: int | str = 1, **extra):
    return client.post(
        "/cart/add",
        data={"product_id": product_id(app, slug), "quantity": quantity, **extra},
    )


def set_quantity(client, app, slug: str, quantity: int | str):
    return client.post(
        "/cart/update", data={"product_id": product_id(app, slug), "quantity": quantity}
    )


def guest_cart_id(client) -> int | None:
    with client.session_transaction() as session:
        return session.get("cart_id")


def lines(app, *, cart_id: int | None = None, email: str | None = None) -> dict[str, int]:
    """{product slug: quantity} for a guest cart (by id) or a customer's cart (by email)."""
    query = select(Product.slug, CartItem.quantity).join(CartItem.product).join(CartItem.cart)
    if email is not None:
        query = query.where(Cart.user_id == user_id(app, email))
    else:
        query = query.where(Cart.id == cart_id)
    with app.app_context():
        return dict(db.session.execute(query).tuples().all())


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_add_puts_the_product_in_the_cart(app, client):
    response = add(client, app, "house-blend", 2)

    assert response.status_code == 302
    assert response.headers["Location"] == "/cart/"
    assert lines(app, cart_id=guest_cart_id(client)) == {"house-blend": 2}
    page = text_of(client.get("/cart/"))
    assert "Added House Blend Beans to your cart." in page
    assert "House Blend Beans" in page
    assert "$32.00" in page


def test_adding_the_same_product_twice_sums_the_quantities(app, client):
    add(client, app, "house-blend", 2)
    add(client, app, "house-blend", 3)

    assert lines(app, cart_id=guest_cart_id(client)) == {"house-blend": 5}


def test_update_changes_the_quantity(app, client):
    add(client, app, "house-blend")

    response = set_quantity(client, app, "house-blend", 4)

    assert response.status_code == 302
    assert lines(app, cart_id=guest_cart_id(client)) == {"house-blend": 4}
    assert "Your cart was updated." in text_of(client.get("/cart/"))


def test_quantity_zero_removes_the_line(app, client):
    add(client, app, "house-blend")
    add(client, app, "lion-tee")

    set_quantity(client, app, "house-blend", 0)

    assert lines(app, cart_id=guest_cart_id(client)) == {"lion-tee": 1}


def test_remove_takes_the_line_out(app, client):
    add(client, app, "house-blend")
    add(client, app, "lion-tee")

    response = client.post("/cart/remove", data={"product_id": product_id(app, "lion-tee")})

    assert response.status_code == 302
    assert lines(app, cart_id=guest_cart_id(client)) == {"house-blend": 1}
    assert "The item was removed from your cart." in text_of(client.get("/cart/"))


@pytest.mark.parametrize("url", ["/cart/update", "/cart/remove"])
def test_changing_a_product_that_is_not_in_the_cart_is_refused(app, client, url):
    add(client, app, "house-blend")

    response = client.post(url, data={"product_id": product_id(app, "lion-tee"), "quantity": 2})

    assert response.status_code == 400
    assert "That item is not in your cart." in text_of(response)
    assert lines(app, cart_id=guest_cart_id(client)) == {"house-blend": 1}


def test_an_unknown_product_cannot_be_added(app, client):
    response = client.post("/cart/add", data={"product_id": 999_999, "quantity": 1})

    assert response.status_code == 400
    assert "That product is no longer available." in text_of(response)
    assert count_rows(app, CartItem) == 0


def test_an_inactive_product_cannot_be_added(app, client):
    with app.app_context():
        db.session.execute(
            update(Product).where(Product.slug == "lion-tee").values(is_active=False)
        )
        db.session.commit()

    response = add(client, app, "lion-tee")

    assert response.status_code == 400
    assert "That product is no longer available." in text_of(response)
    assert count_rows(app, CartItem) == 0


def test_prices_come_from_the_server_not_the_form(app, client, auth):
    auth.login()

    add(client, app, "house-blend", 2, price="0.01", price_cents="1", unit_price_cents="1")
    assert "$32.00" in text_of(client.get("/cart/"))
    place_order(client)

    with app.app_context():
        order = db.session.execute(select(Order)).scalar_one()
        assert [(line.unit_price_cents, line.quantity) for line in order.lines] == [(1600, 2)]
        assert order.subtotal_cents == 3200


@pytest.mark.parametrize("quantity", [MAX_QUANTITY + 1, 1_000_000])
def test_adding_more_than_the_maximum_at_once_is_refused(app, client, quantity):
    response = add(client, app, "house-blend", quantity)

    assert response.status_code == 400
    assert f"Choose a quantity from 1 to {MAX_QUANTITY}." in text_of(response)
    assert count_rows(app, CartItem) == 0


def test_adding_again_is_capped_at_the_maximum(app, client):
    add(client, app, "house-blend", 60)
    add(client, app, "house-blend", 60)

    assert lines(app, cart_id=guest_cart_id(client)) == {"house-blend": MAX_QUANTITY}


def test_updating_above_the_maximum_is_refused(app, client):
    add(client, app, "house-blend", 2)

    response = set_quantity(client, app, "house-blend", MAX_QUANTITY + 1)

    assert response.status_code == 400
    assert f"Choose a quantity from 0 to {MAX_QUANTITY}." in text_of(response)
    assert lines(app, cart_id=guest_cart_id(client)) == {"house-blend": 2}


def test_the_guest_cart_follows_the_shopper_into_their_account_on_login(app, client, auth):
    add(client, app, "house-blend", 2)

    auth.login()

    assert lines(app, email=CUSTOMER_EMAIL) == {"house-blend": 2}
    assert guest_cart_id(client) is None
    assert count_rows(app, Cart) == 1
    assert "House Blend Beans" in text_of(client.get("/cart/"))


def test_the_guest_cart_follows_the_shopper_into_a_new_account_on_signup(app, client, auth):
    add(client, app, "lion-tee")

    auth.signup(email="fresh@example.com")

    assert lines(app, email="fresh@example.com") == {"lion-tee": 1}
    assert count_rows(app, Cart) == 1


def test_the_guest_cart_merges_into_an_existing_customer_cart(app, client, auth):
    auth.login()
    add(client, app, "house-blend", 1)
    add(client, app, "paper-filters", MAX_QUANTITY - 1)
    auth.logout()
    add(client, app, "house-blend", 2)
    add(client, app, "paper-filters", 5)
    add(client, app, "lion-tee", 1)

    auth.login()

    assert lines(app, email=CUSTOMER_EMAIL) == {
        "house-blend": 3,
        "paper-filters": MAX_QUANTITY,
        "lion-tee": 1,
    }
    assert count_rows(app, Cart) == 1  # the guest cart is gone


def test_an_empty_guest_cart_leaves_the_customer_cart_alone(app, client, auth):
    auth.login()
    add(client, app, "house-blend", 1)
    auth.logout()
    add(client, app, "lion-tee")
    client.post("/cart/remove", data={"product_id": product_id(app, "lion-tee")})

    auth.login()

    assert lines(app, email=CUSTOMER_EMAIL) == {"house-blend": 1}
    assert count_rows(app, Cart) == 1
