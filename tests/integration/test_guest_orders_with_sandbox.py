"""A guest's order over real HTTP to the sandbox, and the account made from it: the
sandbox links the guest to the account (linked_merchant_ids) and pays the order's
points then ("Reward historic purchases")."""

from __future__ import annotations

from storefront.extensions import db
from storefront.models import Order
from tests.conftest import SHIPPING_FORM, checkout_attempt, product_id, user_id
from tests.delivery import PAST_BACKOFF, drain

PASSWORD = "a-good-password-1"


# -- a guest's order, then an account -------------------------------------------------


def test_a_guest_order_earns_its_points_once_the_guest_makes_an_account(app, client, sandbox):
    client.post("/cart/add", data={"product_id": product_id(app, "hand-grinder"), "quantity": 1})
    placed = client.post(
        "/checkout/",
        data={**SHIPPING_FORM, "email": "walk.in@example.com", "attempt": checkout_attempt(client)},
    )
    order_id = int(placed.headers["Location"].rsplit("/", 1)[1])
    drain(app, ahead=PAST_BACKOFF)

    guest_id = f"guest-{order_id}"
    as_guest = sandbox.get(f"/_sandbox/customers/{guest_id}")
    assert as_guest["balances"]["approved"] == 0  # a guest's order earns nothing yet
    assert sandbox.get(f"/_sandbox/orders/{order_id}")["guest"] is True

    joined = client.post(
        f"/checkout/confirmation/{order_id}/account",
        data={"email": "walk.in@example.com", "password": PASSWORD},
    )
    assert joined.status_code == 303
    drain(app, ahead=PAST_BACKOFF)

    account_id = user_id(app, "walk.in@example.com")
    account = sandbox.list_customer(str(account_id))
    # The docs' way to relate them: the account's linked_merchant_ids.
    assert account["linked_merchant_ids"] == [guest_id]
    signup_points = sandbox.get("/_sandbox/settings")["settings"]["signup_points"]
    # $74.00 of merchandise, paid: its purchase points, on top of the signup's.
    assert account["points_approved"] > signup_points
    assert client.get(f"/account/orders/{order_id}").status_code == 200

    # A refund of the guest order now takes the points from the account.
    from storefront.orders import service as orders

    with app.app_context():
        orders.refund(db.session.get(Order, order_id))
    drain(app, ahead=PAST_BACKOFF)
    assert sandbox.list_customer(str(account_id))["points_approved"] == signup_points
