"""Single-use codes under a race: many customers place orders with one code at once.

Each thread has its own test client (its own cookies, so its own logged-in customer)
and they all use the fixture's file-based SQLite database, as real workers would.
"""

from __future__ import annotations

import html
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Cart, CartItem, Order, OrderDiscount, Voucher
from storefront.vouchers.service import generate_batch
from tests.conftest import place_order, product_id, text_of, user_id

RACERS = 8


def racer_email(n: int) -> str:
    return f"racer{n}@example.com"


def cart_quantities(app, email: str) -> list[int]:
    with app.app_context():
        return list(
            db.session.execute(
                select(CartItem.quantity)
                .join(CartItem.cart)
                .where(Cart.user_id == user_id(app, email))
            ).scalars()
        )


def test_only_one_of_many_simultaneous_orders_gets_the_code(app):
    with app.app_context():
        batch = generate_batch(name="Race", amount_cents=500, count=1)
        code = db.session.execute(
            select(Voucher.code).where(Voucher.batch_id == batch.id)
        ).scalar_one()
    house_blend = product_id(app, "house-blend")
    clients = []
    for n in range(RACERS):
        client = app.test_client()
        signup = {"email": racer_email(n), "password": "a-good-password-1"}
        assert client.post("/signup", data=signup).status_code == 302
        item = {"product_id": house_blend, "quantity": 1}
        assert client.post("/cart/add", data=item).status_code == 302
        assert client.post("/checkout/discount", data={"code": code}).status_code == 303
        clients.append(client)

    start = threading.Barrier(RACERS, timeout=30)

    def checkout(client):
        start.wait()  # every thread submits at the same moment
        response = place_order(client)
        return response.status_code, html.unescape(text_of(response))

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(checkout, clients))

    statuses = [status for status, _ in results]
    assert all(status < 500 for status in statuses), statuses
    winners = [n for n, status in enumerate(statuses) if status == 302]
    losers = [n for n in range(RACERS) if n not in winners]
    assert len(winners) == 1, statuses
    for n in losers:
        status, page = results[n]
        assert status == 409
        assert f"The discount code {code} has already been used." in page
        assert cart_quantities(app, racer_email(n)) == [1]  # untouched
    assert cart_quantities(app, racer_email(winners[0])) == []

    with app.app_context():
        order = db.session.execute(select(Order)).scalar_one()  # the losers wrote nothing
        assert order.customer_email == racer_email(winners[0])
        assert order.discount_cents == 500
        discount = db.session.execute(select(OrderDiscount)).scalar_one()
        assert (discount.order_id, discount.code) == (order.id, code)
        voucher = db.session.execute(select(Voucher).where(Voucher.code == code)).scalar_one()
        assert voucher.order_id == order.id
