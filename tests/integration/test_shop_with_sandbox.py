"""What the shop sends passes the sandbox's strict contract, and the program follows.

Signups and a whole order lifecycle go from the shop, through the outbox and real
HTTP, into the sandbox: every call must be valid and accepted, and the customer's
points must follow the order's state.
"""

from __future__ import annotations

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order, User
from storefront.orders import service as orders
from tests.conftest import place_order, product_id
from tests.delivery import PAST_BACKOFF, drain
from tests.integration.conftest import sandbox_get


def _customer_id(app, email: str) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.email == email)).scalar_one()


def _balances(app, customer_id: int) -> dict:
    return sandbox_get(app, f"/_sandbox/customers/{customer_id}")["balances"]


def test_every_call_the_shop_makes_is_valid_and_accepted(app, client, auth):
    auth.signup(email="strict@example.com")
    client.post(
        "/cart/add", data={"product_id": product_id(app, "gooseneck-kettle"), "quantity": 1}
    )
    response = place_order(client, payment_method="invoice")
    order_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        order = db.session.get(Order, order_id)
        # Before LoyaltyLion has the order, an edit goes into its waiting create.
        orders.edit_order(order, {order.lines[0].id: 2}, shipping_cents=0)
    drain(app, ahead=PAST_BACKOFF)
    with app.app_context():
        order = db.session.get(Order, order_id)
        orders.record_payment(order, 5000)
        orders.record_payment(order, order.balance_due_cents)
        orders.refund(order, 2500)
        orders.cancel(order)
    drain(app, ahead=PAST_BACKOFF)

    log = sandbox_get(app, "/_sandbox/requests")["requests"]
    assert [(e["method"], e["path"]) for e in reversed(log)] == [
        ("POST", "/v2/activities"),
        ("POST", "/v2/orders"),
    ] + [("PUT", f"/v2/orders/{order_id}")] * 5
    assert {e["verdict"] for e in log} == {"valid"}
    assert all(200 <= e["response_status"] < 300 for e in log)
    final = sandbox_get(app, f"/_sandbox/orders/{order_id}")
    assert "cancelled" in str(final)


def test_points_follow_signup_payment_and_refund(app, client, auth):
    auth.signup(email="points@example.com")
    customer_id = _customer_id(app, "points@example.com")
    drain(app, ahead=PAST_BACKOFF)
    after_signup = _balances(app, customer_id)
    assert after_signup["approved"] > 0  # the signup rule

    client.post("/cart/add", data={"product_id": product_id(app, "hand-grinder"), "quantity": 1})
    response = place_order(client, payment_method="invoice")  # $74.00 + $4.95 shipping
    order_id = int(response.headers["Location"].rsplit("/", 1)[1])
    drain(app, ahead=PAST_BACKOFF)
    unpaid = _balances(app, customer_id)
    assert unpaid["pending"] > 0
    assert unpaid["approved"] == after_signup["approved"]

    with app.app_context():
        order = db.session.get(Order, order_id)
        orders.record_payment(order, order.balance_due_cents)
    drain(app, ahead=PAST_BACKOFF)
    paid = _balances(app, customer_id)
    assert paid["pending"] == 0
    assert paid["approved"] == after_signup["approved"] + unpaid["pending"]

    with app.app_context():
        orders.refund(db.session.get(Order, order_id), 3700)  # half the merchandise
    drain(app, ahead=PAST_BACKOFF)
    refunded = _balances(app, customer_id)
    assert after_signup["approved"] < refunded["approved"] < paid["approved"]

    drain(app, ahead=PAST_BACKOFF)  # replaying nothing changes nothing
    assert _balances(app, customer_id) == refunded
