"""Checkout: pricing, discount codes, placing the order, and who may see it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from storefront import events, pricing
from storefront.checkout import service as checkout_service
from storefront.extensions import db
from storefront.models import Cart, CartItem, Order, OrderDiscount, Product, Voucher
from storefront.models._time import utcnow
from storefront.seed import CUSTOMER_EMAIL
from storefront.vouchers.service import generate_batch
from tests.conftest import (
    SHIPPING_FORM,
    checkout_attempt,
    place_order,
    product_id,
    text_of,
    user_id,
)

USED_MESSAGE = "has already been used."


def make_code(app, amount_cents: int = 500, **batch) -> str:
    """One fresh single-use code worth `amount_cents`."""
    with app.app_context():
        created = generate_batch(name="Test", amount_cents=amount_cents, count=1, **batch)
        return db.session.execute(
            select(Voucher.code).where(Voucher.batch_id == created.id)
        ).scalar_one()


def mark_used(app, code: str) -> None:
    """What another customer's order does to the code."""
    with app.app_context():
        db.session.execute(update(Voucher).where(Voucher.code == code).values(used_at=utcnow()))
        db.session.commit()


def fill_cart(client, app, *slugs: str) -> None:
    for slug in slugs:
        response = client.post(
            "/cart/add", data={"product_id": product_id(app, slug), "quantity": 1}
        )
        assert response.status_code == 302


def apply_code(client, code: str):
    return client.post("/checkout/discount", data={"code": code})


def total_shown(response) -> str:
    """The amount in the page's Total row."""
    match = re.search(r'data-testid="order-total">([^<]+)<', response.get_data(as_text=True))
    assert match, "no total on the page"
    return match.group(1)


def the_order(app) -> Order:
    """The one order in the database, with its lines and discounts loaded."""
    with app.app_context():
        return db.session.execute(
            select(Order).options(selectinload(Order.lines), selectinload(Order.discounts))
        ).scalar_one()


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def customer_cart(app, email: str = CUSTOMER_EMAIL) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(Product.slug, CartItem.quantity)
            .join(CartItem.product)
            .join(CartItem.cart)
            .where(Cart.user_id == user_id(app, email))
        )
        return dict(rows.tuples().all())


def session_code(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("discount_code")


@pytest.fixture
def shopper(app, client, auth):
    """The seeded customer, logged in, with one House Blend ($16.00) in the cart."""
    auth.login()
    fill_cart(client, app, "house-blend")
    return client


# Access ------------------------------------------------------------------------------


def test_logging_in_from_the_guest_checkout_comes_back_to_it(app, client):
    fill_cart(client, app, "house-blend")
    page = client.get("/checkout/")
    assert page.status_code == 200
    assert 'href="/login?next=/checkout/"' in page.get_data(as_text=True)

    response = client.post(
        "/login?next=%2Fcheckout%2F",
        data={"email": CUSTOMER_EMAIL, "password": "customer-password-1"},
    )

    assert response.headers["Location"] == "/checkout/"


def test_checkout_with_an_empty_cart_sends_the_shopper_back_to_the_cart(client, auth):
    auth.login()

    response = client.get("/checkout/", follow_redirects=True)

    assert response.request.path == "/cart/"
    assert "Your cart is empty." in text_of(response)


def test_a_customer_cannot_see_another_customers_order(app, shopper, auth):
    place_order(shopper)
    order_id = the_order(app).id
    assert shopper.get(f"/account/orders/{order_id}").status_code == 200
    auth.logout()
    auth.signup(email="someone-else@example.com")

    for url in (f"/account/orders/{order_id}", f"/checkout/confirmation/{order_id}"):
        response = shopper.get(url)
        assert response.status_code == 404, url
        assert "Order #" not in text_of(response)


# Pricing -----------------------------------------------------------------------------


def test_review_shows_the_total_without_a_code(shopper):
    response = shopper.get("/checkout/")

    assert response.status_code == 200
    assert total_shown(response) == "$20.95"  # $16.00 + $4.95 shipping


@pytest.mark.parametrize(
    ("slugs", "shipping", "total"),
    [
        (["hand-grinder"], "$4.95", "$78.95"),  # $74.00: just under the threshold
        (["gooseneck-kettle", "house-blend"], "Free", "$75.00"),  # exactly $75.00
        (["hand-grinder", "paper-filters"], "Free", "$80.00"),
    ],
)
def test_shipping_is_free_from_75_dollars(app, client, auth, slugs, shipping, total):
    auth.login()
    fill_cart(client, app, *slugs)

    response = client.get("/checkout/")

    assert f"Shipping {shipping}" in text_of(response)
    assert total_shown(response) == total


def test_free_shipping_is_judged_before_the_discount(app, client, auth):
    auth.login()
    fill_cart(client, app, "gooseneck-kettle", "house-blend")  # $75.00
    apply_code(client, make_code(app, 500))

    response = client.get("/checkout/")

    assert "Shipping Free" in text_of(response)
    assert total_shown(response) == "$70.00"


# Discount codes ----------------------------------------------------------------------


def test_applying_a_code_shows_the_discounted_total(app, shopper):
    code = make_code(app, 500)

    response = apply_code(shopper, code)

    assert response.status_code == 303
    assert response.headers["Location"] == "/checkout/#order-summary"
    page = shopper.get("/checkout/")
    assert f"Discount code {code} applied: you save $5.00." in text_of(page)
    assert "−$5.00" in text_of(page)
    assert total_shown(page) == "$15.95"  # $16.00 - $5.00 + $4.95


def test_codes_are_matched_ignoring_case_and_spaces(app, shopper):
    code = make_code(app, 500)

    response = apply_code(shopper, f"  {code.lower().replace('-', ' - ')} ")

    assert response.status_code == 303
    assert session_code(shopper) == code


def test_removing_the_code_restores_the_full_total(app, shopper):
    apply_code(shopper, make_code(app, 500))

    response = shopper.post("/checkout/discount/remove")

    assert response.status_code == 303
    page = shopper.get("/checkout/")
    assert "Discount code removed." in text_of(page)
    assert total_shown(page) == "$20.95"
    assert session_code(shopper) is None


def test_a_discount_never_takes_merchandise_below_zero(app, client, auth):
    auth.login()
    fill_cart(client, app, "paper-filters")  # $6.00
    apply_code(client, make_code(app, 5000))

    assert total_shown(client.get("/checkout/")) == "$4.95"  # shipping only
    place_order(client)

    order = the_order(app)
    assert (order.subtotal_cents, order.discount_cents, order.shipping_cents) == (600, 600, 495)
    assert order.total_cents == 495
    assert [(d.face_value_cents, d.amount_cents) for d in order.discounts] == [(5000, 600)]


def _unknown(app):
    return "NOPE-12345", "We don't recognise the discount code NOPE-12345."


def _used(app):
    code = make_code(app)
    mark_used(app, code)
    return code, f"The discount code {code} {USED_MESSAGE}"


def _expired(app):
    yesterday = utcnow() - timedelta(days=1)
    code = make_code(app, expires_at=yesterday)
    return code, f"The discount code {code} expired on {yesterday:%d %b %Y}."


def _below_minimum(app):
    code = make_code(app, min_subtotal_cents=50_00)
    return code, f"The discount code {code} needs a merchandise subtotal of at least $50.00."


@pytest.mark.parametrize("make", [_unknown, _used, _expired, _below_minimum])
def test_a_rejected_code_says_why(app, shopper, make):
    code, message = make(app)

    response = apply_code(shopper, code)

    assert response.status_code == 400
    assert message in text_of(response)
    assert total_shown(response) == "$20.95"
    assert session_code(shopper) is None


def test_a_code_on_an_empty_cart_is_refused(app, client, auth):
    auth.login()

    response = apply_code(client, make_code(app))

    assert response.status_code == 400
    assert "Add something to your cart before using a discount code." in text_of(response)
    assert session_code(client) is None


def test_an_applied_code_used_elsewhere_is_dropped_on_review(app, shopper):
    code = make_code(app)
    apply_code(shopper, code)
    mark_used(app, code)

    response = shopper.get("/checkout/")

    assert f"The discount code {code} {USED_MESSAGE}" in text_of(response)
    assert total_shown(response) == "$20.95"
    assert session_code(shopper) is None


# Placing the order -------------------------------------------------------------------


def test_paying_by_card_places_a_paid_order(app, shopper):
    response = place_order(shopper, payment_method="card")

    order = the_order(app)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/checkout/confirmation/{order.id}"
    assert order.payment_method == "card"
    assert order.payment_status == "paid"
    assert order.total_paid_cents == order.total_cents == 2095
    confirmation = shopper.get(response.headers["Location"])
    assert f"Order {order.number} is confirmed" in text_of(confirmation)
    assert "We've received your payment." in text_of(confirmation)


def test_paying_by_invoice_places_an_unpaid_order(app, shopper):
    response = place_order(shopper, payment_method="invoice")

    order = the_order(app)
    assert order.payment_method == "invoice"
    assert order.payment_status == "not_paid"
    assert order.total_paid_cents == 0
    confirmation = shopper.get(response.headers["Location"])
    assert "We'll email an invoice for $20.95." in text_of(confirmation)


def test_the_order_records_prices_code_shipping_and_the_shoppers_request(app, shopper):
    code = make_code(app, 500)
    apply_code(shopper, code)

    shopper.post(
        "/checkout/",
        data={**SHIPPING_FORM, "attempt": checkout_attempt(shopper), "postcode": " n1 9gu "},
        headers={"User-Agent": "TestBrowser/1.0"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )

    order = the_order(app)
    assert order.customer_id == user_id(app, CUSTOMER_EMAIL)
    assert order.customer_email == CUSTOMER_EMAIL
    assert (order.subtotal_cents, order.discount_cents) == (1600, 500)
    assert (order.shipping_cents, order.total_cents) == (495, 1595)
    assert [(line.product_name, line.unit_price_cents, line.quantity) for line in order.lines] == [
        ("House Blend Beans", 1600, 1)
    ]
    assert [(d.code, d.face_value_cents, d.amount_cents) for d in order.discounts] == [
        (code, 500, 500)
    ]
    assert (order.ip_address, order.user_agent) == ("203.0.113.7", "TestBrowser/1.0")
    assert (order.ship_name, order.ship_postcode, order.ship_country) == (
        "Ada Lovelace",
        "N1 9GU",
        "GB",
    )
    with app.app_context():
        voucher = db.session.execute(select(Voucher).where(Voucher.code == code)).scalar_one()
        assert voucher.order_id == order.id
        assert voucher.used_at is not None


def test_the_cart_is_empty_after_the_order(app, shopper):
    place_order(shopper)

    assert customer_cart(app) == {}
    assert session_code(shopper) is None
    assert "Your cart is empty." in text_of(shopper.get("/cart/"))


def test_a_code_used_since_it_was_applied_stops_the_order(app, shopper):
    code = make_code(app)
    apply_code(shopper, code)
    attempt = checkout_attempt(shopper)  # the page was open while the code was used
    mark_used(app, code)

    response = place_order(shopper, attempt=attempt)

    assert response.status_code == 409
    assert f"The discount code {code} {USED_MESSAGE}" in text_of(response)
    assert count_rows(app, Order) == 0
    assert customer_cart(app) == {"house-blend": 1}


def test_losing_the_race_for_a_code_after_the_check_writes_nothing(app, shopper, monkeypatch):
    """Another checkout redeems the code between this one's check and its UPDATE."""
    code = make_code(app)
    apply_code(shopper, code)
    attempt = checkout_attempt(shopper)
    real_check, real_redeem = pricing.check_code, checkout_service.redeem
    redeemed_for: list[int] = []

    def check_then_lose_the_race(*args, **kwargs):
        applied = real_check(*args, **kwargs)
        with db.engine.begin() as other_checkout:
            other_checkout.execute(
                update(Voucher).where(Voucher.code == code).values(used_at=utcnow())
            )
        return applied

    def redeem_and_record(applied, order_id, *args, **kwargs):
        redeemed_for.append(order_id)
        return real_redeem(applied, order_id, *args, **kwargs)

    monkeypatch.setattr(pricing, "check_code", check_then_lose_the_race)
    monkeypatch.setattr(checkout_service, "redeem", redeem_and_record)

    response = place_order(shopper, attempt=attempt)

    assert response.status_code == 409
    assert f"The discount code {code} {USED_MESSAGE}" in text_of(response)
    assert redeemed_for, "the order row was written before the code was redeemed"
    assert count_rows(app, Order) == 0
    assert count_rows(app, OrderDiscount) == 0
    assert customer_cart(app) == {"house-blend": 1}


def test_a_failure_after_the_order_is_written_rolls_everything_back(app, shopper):
    code = make_code(app)
    apply_code(shopper, code)

    def broken_subscriber(sender, **kwargs):
        raise RuntimeError("subscriber failed")

    with events.order_placed.connected_to(broken_subscriber), pytest.raises(RuntimeError):
        place_order(shopper)

    assert count_rows(app, Order) == 0
    assert customer_cart(app) == {"house-blend": 1}
    with app.app_context():
        voucher = db.session.execute(select(Voucher).where(Voucher.code == code)).scalar_one()
        assert voucher.used_at is None


def test_the_order_form_needs_the_shipping_details(app, shopper):
    response = place_order(shopper, name="", city="   ")

    assert response.status_code == 400
    assert "Enter the recipient's name." in text_of(response)
    assert "Enter a city." in text_of(response)
    assert count_rows(app, Order) == 0
    assert customer_cart(app) == {"house-blend": 1}
