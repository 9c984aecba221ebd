"""Custom rules and leaving the program: newsletter opt-in, reviews with moderation,
birthday, and closing an account (what the outbox is asked to send, or not)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.loyaltylion.models import OutboxEvent
from storefront.models import Cart, Order, Review, User
from storefront.orders import service as orders
from tests.conftest import place_order, product_id, text_of, user_id


def _events(app, kind=None) -> list[tuple[str, str | None, dict]]:
    with app.app_context():
        query = select(OutboxEvent).order_by(OutboxEvent.id)
        if kind:
            query = query.where(OutboxEvent.kind == kind)
        return [
            (e.kind, e.target, json.loads(e.payload)) for e in db.session.execute(query).scalars()
        ]


def _activity_names(app) -> list[str]:
    return [payload["name"] for _, _, payload in _events(app, "activity")]


def test_newsletter_opt_in_at_signup_sends_one_newsletter_signup(app, auth):
    auth.signup(email="news@example.com", newsletter="y")
    assert _activity_names(app) == ["$signup", "newsletter_signup"]
    newsletter = _events(app, "activity")[1][2]
    assert newsletter["merchant_id"] == f"newsletter-{user_id(app, 'news@example.com')}"
    assert newsletter["guest"] is False


def test_newsletter_opt_in_from_the_account_sends_one(app, client, auth):
    auth.login()
    client.post("/account/preferences", data={"newsletter": "y", "birthday": ""})
    client.post("/account/preferences", data={"newsletter": "y", "birthday": ""})  # no change
    assert _activity_names(app) == ["newsletter_signup"]


def test_signup_without_opt_in_sends_no_newsletter_signup(app, auth):
    auth.signup(email="quiet@example.com")
    assert _activity_names(app) == ["$signup"]


def test_birthday_is_sent_as_a_customer_update(app, client, auth):
    auth.login()
    response = client.post("/account/preferences", data={"birthday": "1990-04-23"})
    assert response.status_code == 302
    ((kind, target, payload),) = _events(app, "customer_update")
    assert target == str(user_id(app, "customer@example.com"))
    assert payload == {"customer": {"birthday": "1990-04-23"}}


def test_clearing_a_birthday_sends_nothing_and_says_so(app, client, auth):
    # LoyaltyLion's Update Customer takes a birthday string and never null: there is no
    # documented way to clear one, so nothing is sent and the shopper is told.
    auth.login()
    client.post("/account/preferences", data={"birthday": "1990-04-23"})
    response = client.post("/account/preferences", data={"birthday": ""}, follow_redirects=True)
    assert response.status_code == 200
    assert [payload for _, _, payload in _events(app, "customer_update")] == [
        {"customer": {"birthday": "1990-04-23"}}
    ]
    page = text_of(response)
    assert "Your birthday was removed from your account" in page
    assert "Our rewards program keeps the last birthday you gave it" in page
    assert "clearing it does not remove it from our rewards program" in text_of(
        client.get("/account/")
    )


def test_bad_birthdays_are_refused_with_a_message(app, client, auth):
    auth.login()
    for value in ["2999-01-01", "not a date", "1800-01-01", "<script>"]:
        response = client.post("/account/preferences", data={"birthday": value})
        assert response.status_code == 400
        assert b"birthday" in response.data.lower()
    assert _events(app, "customer_update") == []


def _review(client, slug="house-blend", rating="5", body="Lovely chocolatey cup, every morning."):
    return client.post(f"/products/{slug}/reviews", data={"rating": rating, "body": body})


def test_a_review_sends_a_pending_review_activity(app, client, auth):
    auth.login()
    response = _review(client)
    assert response.status_code == 302
    with app.app_context():
        review = db.session.execute(select(Review)).scalar_one()
        assert review.status == "pending"
        review_id = review.id
    (event,) = [e for e in _events(app, "activity") if e[2]["name"] == "product_review"]
    assert event[2]["merchant_id"] == f"review-{review_id}"
    # Not shown until approved.
    assert b"Lovely chocolatey cup" not in client.get("/products/house-blend").data


def test_one_review_per_customer_and_product(app, client, auth):
    auth.login()
    _review(client)
    _review(client, body="Changed my mind, it is even better.")
    with app.app_context():
        assert db.session.execute(select(func.count(Review.id))).scalar_one() == 1


def test_bad_reviews_are_refused(app, client, auth):
    auth.login()
    for rating, body in [
        ("6", "A perfectly fine review."),
        ("5", "short"),
        ("5", "x" * 2001),
        ("", "No rating given here."),
        ("5", "Bad \x00 byte in here"),
    ]:
        assert _review(client, rating=rating, body=body).status_code == 400
    with app.app_context():
        assert db.session.execute(select(func.count(Review.id))).scalar_one() == 0


def test_approve_and_decline_send_the_matching_state(app, client, auth):
    auth.login()
    _review(client, slug="house-blend")
    _review(client, slug="ethiopia-guji")
    auth.logout()
    auth.login_admin()
    with app.app_context():
        first, second = db.session.execute(select(Review.id).order_by(Review.id)).scalars()
    assert (
        client.post(f"/admin/reviews/{first}/moderate", data={"approve": "Approve"}).status_code
        == 302
    )
    assert (
        client.post(f"/admin/reviews/{second}/moderate", data={"decline": "Decline"}).status_code
        == 302
    )
    states = _events(app, "activity_state")
    assert states == [
        ("activity_state", f"product_review/review-{first}", {"state": "approved"}),
        ("activity_state", f"product_review/review-{second}", {"state": "declined"}),
    ]
    # A decision is final: no second state change.
    client.post(f"/admin/reviews/{first}/moderate", data={"decline": "Decline"})
    assert len(_events(app, "activity_state")) == 2
    assert b"Lovely chocolatey cup" in client.get("/products/house-blend").data


def test_moderation_is_for_admins_only(app, client, auth):
    auth.login()
    _review(client)
    with app.app_context():
        review_id = db.session.execute(select(Review.id)).scalar_one()
    assert client.get("/admin/reviews").status_code == 403
    assert (
        client.post(f"/admin/reviews/{review_id}/moderate", data={"approve": "1"}).status_code
        == 403
    )


def test_closing_an_account_erases_the_customer_and_keeps_their_orders_flowing(app, client, auth):
    auth.signup(email="leaving@example.com", newsletter="y")
    leaving_id = user_id(app, "leaving@example.com")
    client.post("/account/preferences", data={"newsletter": "y", "birthday": "1985-02-02"})
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    place_order(client, payment_method="card")
    client.post("/cart/add", data={"product_id": product_id(app, "lion-tee"), "quantity": 1})
    assert [kind for kind, _, _ in _events(app)] == [
        "activity",  # $signup
        "activity",  # newsletter_signup
        "customer_update",  # birthday
        "order_create",
    ]

    response = client.post("/account/close", data={"password": "a-good-password-1", "confirm": "y"})
    assert response.status_code == 302

    with app.app_context():
        user = db.session.get(User, leaving_id)
        assert user.closed_at is not None
        assert "leaving" not in user.email
        assert (user.name, user.birthday, user.newsletter_opt_in) == ("", None, False)
        order = db.session.execute(
            select(Order).where(Order.customer_id == leaving_id)
        ).scalar_one()
        assert order.total_cents > 0  # the record the law needs stays
        assert "leaving" not in order.customer_email
        assert "Ada" not in order.ship_name and "Analytical" not in order.ship_address
        assert order.ip_address is None and order.user_agent is None
        assert db.session.execute(select(Cart).where(Cart.user_id == leaving_id)).first() is None

    # Their own activities and profile are no longer owed to LoyaltyLion; the order is,
    # without the browser details that identified them.
    ((kind, _, create),) = _events(app)
    assert kind == "order_create"
    assert "ip_address" not in create and "user_agent" not in create
    assert create["merchant_id"] == str(order.id)

    # A refund after closure still reaches LoyaltyLion: it takes back the points the
    # order earned (and a referrer's reward for it).
    with app.app_context():
        orders.refund(db.session.get(Order, order.id), 100)
    ((_, target, update),) = _events(app, "order_update")
    assert target == str(order.id)
    assert (update["refund_status"], update["total_refunded"]) == ("partially_refunded", "1.00")

    # They cannot log in any more, with the old email or any other.
    assert auth.login("leaving@example.com", "a-good-password-1").status_code == 401
    assert client.get("/account/").status_code == 302


def test_closing_needs_the_password_and_the_confirmation(app, client, auth):
    auth.login()
    assert (
        client.post("/account/close", data={"password": "wrong", "confirm": "y"}).status_code == 400
    )
    assert (
        client.post("/account/close", data={"password": "customer-password-1"}).status_code == 400
    )
    with app.app_context():
        assert db.session.get(User, user_id(app, "customer@example.com")).closed_at is None


def test_the_review_rule_is_a_setting(app, client, auth):
    # The identifier of the custom rule the merchant created in LoyaltyLion.
    app.config["LOYALTYLION_REVIEW_RULE"] = "write_a_review"
    auth.login()
    _review(client)
    names = _activity_names(app)
    assert names == ["write_a_review"]
