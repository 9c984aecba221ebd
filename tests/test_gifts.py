"""Free gifts from the "Free tote bag on your next order" custom reward: shown in the
account, added to the next order (and only that one) as a $0.00 line, in checkout's
single transaction; plus the loyalty status customers/update leaves on the account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.checkout import service as checkout
from storefront.extensions import db
from storefront.models import Cart, CartItem, Gift, Order, User
from storefront.seed import CUSTOMER_EMAIL
from storefront.shopper import RequestContext
from tests.conftest import place_order, product_id, text_of, user_id
from tests.test_webhooks import SECRET, customer_update_body, deliver, reward_body

TOTE = "Lion & Co. Tote Bag"


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "LOYALTYLION_SECRET": SECRET}


@pytest.fixture
def customer_id(app) -> int:
    return user_id(app, CUSTOMER_EMAIL)


@pytest.fixture
def gifted(app, client, customer_id) -> int:
    """The demo customer claimed the free tote bag: LoyaltyLion's webhook arrived."""
    assert deliver(client, reward_body(customer_id)).status_code == 200
    return customer_id


def add_to_cart(app, client, slug: str = "house-blend", quantity: int = 1):
    item = {"product_id": product_id(app, slug), "quantity": quantity}
    assert client.post("/cart/add", data=item).status_code == 302


def orders_of(app, customer_id) -> list[tuple[Order, list[tuple[str, int]]]]:
    """Each order with its lines as (name, unit price)."""
    with app.app_context():
        orders = db.session.execute(
            select(Order).where(Order.customer_id == customer_id).order_by(Order.id)
        ).scalars()
        return [
            (order, [(line.product_name, line.unit_price_cents) for line in order.lines])
            for order in orders
        ]


def gifts_of(app, customer_id) -> list[Gift]:
    with app.app_context():
        return list(
            db.session.execute(select(Gift).where(Gift.customer_id == customer_id)).scalars()
        )


def test_the_gift_lands_on_the_next_order_as_a_zero_line_and_only_once(app, client, auth, gifted):
    auth.login()
    add_to_cart(app, client, "house-blend")  # $16.00
    checkout_page = text_of(client.get("/checkout/"))
    assert f"Free gift: {TOTE} $0.00" in checkout_page

    response = place_order(client)
    assert response.status_code == 302
    confirmation = text_of(client.get(response.headers["Location"]))
    assert f"Free gift: {TOTE} $0.00" in confirmation

    ((order, lines),) = orders_of(app, gifted)
    assert lines == [("House Blend Beans", 1600), (TOTE, 0)]
    # The gift changes no money: subtotal and total are the bean's price plus shipping.
    assert order.subtotal_cents == 1600
    assert order.total_cents == 1600 + app.config["SHIPPING_FLAT_CENTS"]
    (gift,) = gifts_of(app, gifted)
    assert gift.order_id == order.id and gift.fulfilled_at is not None

    # The next order carries no gift.
    add_to_cart(app, client, "paper-filters")
    assert "Free gift" not in text_of(client.get("/checkout/"))
    place_order(client)
    _, (_, second) = orders_of(app, gifted)
    assert second == [("Paper Filters (100)", 600)]
    assert len(gifts_of(app, gifted)) == 1


def test_the_order_page_shows_the_gift_line(app, client, auth, gifted):
    auth.login()
    add_to_cart(app, client)
    place_order(client)
    ((order, _),) = orders_of(app, gifted)
    page = text_of(client.get(f"/account/orders/{order.id}"))
    assert f"Free gift: {TOTE} $0.00" in page
    assert "1 × House Blend Beans $16.00" in page


def test_a_checkout_that_fails_keeps_the_gift_for_the_next_order(app, gifted, monkeypatch):
    def broken_empty_cart(cart):
        raise RuntimeError("database hiccup")

    # Fails after the gift was claimed, inside place_order's transaction.
    monkeypatch.setattr(checkout, "empty_cart", broken_empty_cart)
    with app.test_request_context():
        cart = Cart(
            user_id=gifted, items=[CartItem(product_id=product_id(app, "house-blend"), quantity=1)]
        )
        db.session.add(cart)
        db.session.commit()
        with pytest.raises(RuntimeError):
            checkout.place_order(
                customer=db.session.get(User, gifted),
                cart=cart,
                code=None,
                shipping=checkout.ShippingDetails("Ada", "12 Row", "London", "N1 9GU", "GB"),
                payment_method="card",
                context=RequestContext(ip_address=None, user_agent=None),
                attempt="gift-test-attempt-0001",
            )
    (gift,) = gifts_of(app, gifted)
    assert gift.order_id is None and gift.fulfilled_at is None
    assert orders_of(app, gifted) == []


def test_the_account_page_shows_the_gift_and_the_loyalty_status(app, client, auth, gifted):
    deliver(client, customer_update_body(gifted))
    auth.login()
    page = text_of(client.get("/account/"))
    assert "Free tote bag — will be added to your next order" in page
    assert (
        "Loyalty status from LoyaltyLion: 500 points (20 pending), Bronze tier, "
        "updated 20 Nov 2026" in page
    )


def test_the_account_page_shows_neither_before_any_webhook(app, client, auth):
    auth.login()
    page = text_of(client.get("/account/"))
    assert "will be added to your next order" not in page
    assert "Loyalty status from LoyaltyLion" not in page


def test_the_gift_leaves_the_account_page_once_on_an_order(app, client, auth, gifted):
    auth.login()
    add_to_cart(app, client)
    place_order(client)
    assert "will be added to your next order" not in text_of(client.get("/account/"))


def test_the_gift_product_is_not_sold(app, client, auth):
    tote = product_id(app, "lion-tote-bag")
    assert TOTE not in text_of(client.get("/"))
    assert client.get("/products/lion-tote-bag").status_code == 404
    auth.login()
    client.post("/cart/add", data={"product_id": tote, "quantity": 1})
    assert TOTE not in text_of(client.get("/cart/"))
