"""Leaving the program does not corrupt points: a customer who closes their account
takes their own activity and profile events with them, but their orders are kept
records, and what happens to them later (a refund) still reaches LoyaltyLion, so the
points the order earned, and the referrer's reward for it, are taken back.
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


def test_a_refund_after_closing_is_sent_and_takes_back_the_referrers_points(app, client, auth):
    auth.signup(email="referrer@example.com")
    referrer_id = _customer_id(app, "referrer@example.com")
    drain(app, ahead=PAST_BACKOFF)
    code = sandbox_get(app, f"/_sandbox/customers/{referrer_id}")["customer"]["referral_id"]
    auth.logout()

    client.get(f"/?ll_ref_id={code}")
    auth.signup(email="friend@example.com", password="friend-password-1")
    friend_id = _customer_id(app, "friend@example.com")
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    response = place_order(client, payment_method="card")
    order_id = int(response.headers["Location"].rsplit("/", 1)[1])
    drain(app, ahead=PAST_BACKOFF)
    rewarded = _balances(app, referrer_id)["approved"]
    assert rewarded == 200 + 300  # signup, then the friend's first paid order

    closed = client.post("/account/close", data={"password": "friend-password-1", "confirm": "y"})
    assert closed.status_code == 302
    with app.app_context():
        orders.refund(db.session.get(Order, order_id))  # everything paid
    drain(app, ahead=PAST_BACKOFF)

    puts = sandbox_get(app, f"/_sandbox/requests?path=/v2/orders/{order_id}&method=PUT")
    [put] = puts["requests"]
    assert (put["verdict"], put["response_status"]) == ("valid", 204)
    assert '"refund_status":"refunded"' in put["request_body"].replace(" ", "")
    assert _balances(app, referrer_id)["approved"] == 200  # the referral reward is void
    friend = _balances(app, friend_id)
    assert (friend["approved"], friend["pending"]) == (200, 0)  # purchase points gone
