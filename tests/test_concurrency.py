"""What a hurried shopper or two busy admins do at once, with real threads against the
shop served over real HTTP, on the test's real database (SQLite here, PostgreSQL in
`make test-postgres`): nothing is lost, nothing is doubled, nothing answers 500.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from loyaltylion_sandbox.server import start_server
from storefront.extensions import db
from storefront.loyaltylion import OutboxEvent
from storefront.models import CartItem, Order, Review
from storefront.seed import ADMIN_EMAIL, ADMIN_PASSWORD, CUSTOMER_EMAIL, CUSTOMER_PASSWORD
from tests.conftest import SHIPPING_FORM, product_id

SUBMITS = 4
_ATTEMPT = re.compile(r'name="attempt" type="hidden" value="([^"]+)"')


@pytest.fixture
def server(app):
    running = start_server(app, quiet=True)
    yield running
    running.shutdown()


def logged_in(server, email: str, password: str) -> requests.Session:
    http = requests.Session()
    response = http.post(
        f"{server.url}/login", data={"email": email, "password": password}, timeout=10
    )
    assert response.ok and "/login" not in response.url, response.text[:200]
    return http


def copy_of(http: requests.Session) -> requests.Session:
    """Another connection with the same cookies: a second tab, a double click."""
    twin = requests.Session()
    twin.cookies.update(http.cookies)
    return twin


def at_once(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Run the calls on their own threads, released together."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def post_at_once(sessions: list[requests.Session], url: str, data: dict) -> list[requests.Response]:
    """Each session posts the same form to `url`, all at once; answers not followed."""
    return at_once(
        [
            lambda http=http: http.post(url, data=data, allow_redirects=False, timeout=30)
            for http in sessions
        ]
    )


def count(app, query) -> int:
    with app.app_context():
        return db.session.execute(query).scalar_one()


ROUNDS = 10


def checkout_form(app, server, customer: requests.Session, **fields) -> dict:
    """Put a product in the customer's cart and fill in the checkout page's form."""
    customer.post(
        f"{server.url}/cart/add",
        data={"product_id": product_id(app, "house-blend"), "quantity": 2},
        timeout=10,
    )
    page = customer.get(f"{server.url}/checkout/", timeout=10).text
    return {**SHIPPING_FORM, "attempt": _ATTEMPT.search(page).group(1), **fields}


def test_simultaneous_place_order_submits_make_one_order(app, server):
    """Ten checkouts, each submitted four times at once: ten orders, and every
    submit lands on its own checkout's order, none on an error or the cart page."""
    customer = logged_in(server, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    for round_number in range(1, ROUNDS + 1):
        form = checkout_form(app, server, customer)
        tabs = [copy_of(customer) for _ in range(SUBMITS)]

        answers = post_at_once(tabs, f"{server.url}/checkout/", form)

        assert count(app, select(func.count()).select_from(Order)) == round_number
        with app.app_context():
            order_id = db.session.execute(select(func.max(Order.id))).scalar_one()
        assert [a.status_code in (302, 303) for a in answers] == [True] * SUBMITS
        assert {a.headers["Location"] for a in answers} == {f"/checkout/confirmation/{order_id}"}
        for answer in answers:  # one cookie jar for every tab, as in a browser
            customer.cookies.update(answer.cookies)
    creates = select(func.count()).where(OutboxEvent.kind == "order_create")
    assert count(app, creates) == ROUNDS  # LoyaltyLion hears of each order once


def test_the_same_checkout_submitted_again_later_shows_the_order_it_placed(app, server):
    customer = logged_in(server, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    form = checkout_form(app, server, customer)
    first = customer.post(f"{server.url}/checkout/", data=form, allow_redirects=False)
    again = customer.post(f"{server.url}/checkout/", data=form, allow_redirects=False)
    assert first.headers["Location"] == again.headers["Location"]
    assert count(app, select(func.count()).select_from(Order)) == 1


def _invoice_order(app, server) -> int:
    customer = logged_in(server, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    placed = customer.post(
        f"{server.url}/checkout/",
        data=checkout_form(app, server, customer, payment_method="invoice"),
        allow_redirects=False,
        timeout=10,
    )
    return int(placed.headers["Location"].rsplit("/", 1)[1])


def test_admins_recording_payments_at_once_lose_none_of_them(app, server):
    order_id = _invoice_order(app, server)
    admins = [logged_in(server, ADMIN_EMAIL, ADMIN_PASSWORD) for _ in range(SUBMITS)]
    payment = {"payment-amount": "1.00", "payment-submit": "Record payment"}

    answers = post_at_once(admins, f"{server.url}/admin/orders/{order_id}/payment", payment)

    assert [a.status_code for a in answers] == [302] * SUBMITS  # each told "Recorded"
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.total_paid_cents == 100 * SUBMITS  # and each one was
        updates = db.session.execute(
            select(OutboxEvent.payload)
            .where(OutboxEvent.kind == "order_update")
            .order_by(OutboxEvent.id)
        ).scalars()
        paid = [json.loads(payload)["total_paid"] for payload in updates]
    # LoyaltyLion is told each step, in the order they happened.
    assert paid == ["1.00", "2.00", "3.00", "4.00"]


def test_adding_one_product_at_once_adds_up_and_never_fails(app, server):
    customer = logged_in(server, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    tabs = [copy_of(customer) for _ in range(8)]
    house_blend = product_id(app, "house-blend")

    answers = post_at_once(
        tabs, f"{server.url}/cart/add", {"product_id": house_blend, "quantity": 1}
    )

    assert [a.status_code for a in answers] == [302] * 8
    with app.app_context():
        (item,) = db.session.execute(select(CartItem)).scalars()
        assert item.quantity == 8


def test_a_review_submitted_at_once_is_saved_and_paid_once(app, server):
    customer = logged_in(server, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    tabs = [copy_of(customer) for _ in range(SUBMITS)]
    review = {"rating": "5", "body": "Lovely beans."}

    answers = post_at_once(tabs, f"{server.url}/products/house-blend/reviews", review)

    assert all(a.status_code in (302, 303) for a in answers), [a.status_code for a in answers]
    assert count(app, select(func.count()).select_from(Review)) == 1
    activities = select(func.count()).where(OutboxEvent.kind == "activity")
    assert count(app, activities) == 1
