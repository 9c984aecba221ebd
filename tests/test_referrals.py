"""Referral and email tracking ids: captured on landing, sent with the signup and the
first order, then cleared (storefront/loyaltylion/referrals.py)."""

import json

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.loyalty import loyaltylion, snapshot_of
from storefront.loyaltylion.models import OutboxEvent
from storefront.loyaltylion.referrals import COOKIE_NAME
from storefront.models import Order
from storefront.orders import service as orders
from tests.conftest import place_order, product_id


def _payloads(app, kind):
    with app.app_context():
        rows = db.session.execute(
            select(OutboxEvent.payload).where(OutboxEvent.kind == kind).order_by(OutboxEvent.id)
        ).scalars()
        return [json.loads(row) for row in rows]


def _buy(app, client):
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    return place_order(client)


def test_ids_from_the_landing_page_go_on_the_signup_and_the_first_order(app, client, auth):
    client.get("/products/house-blend?ll_ref_id=REF123&ll_eid=EMAIL9")
    auth.signup(email="referred@example.com")
    signup = _payloads(app, "activity")[0]
    assert (signup["referral_id"], signup["tracking_id"]) == ("REF123", "EMAIL9")

    _buy(app, client)
    first_order = _payloads(app, "order_create")[0]
    assert (first_order["referral_id"], first_order["tracking_id"]) == ("REF123", "EMAIL9")

    _buy(app, client)  # cleared once used: a second order is not a referred one
    second_order = _payloads(app, "order_create")[1]
    assert "referral_id" not in second_order
    assert "tracking_id" not in second_order


def test_first_referral_wins(app, client, auth):
    client.get("/?ll_ref_id=FIRST")
    client.get("/?ll_ref_id=SECOND")
    auth.signup(email="loyal@example.com")
    assert _payloads(app, "activity")[0]["referral_id"] == "FIRST"


def test_email_tracking_id_expires_after_24_hours(app, client, auth, monkeypatch):
    import storefront.loyaltylion.referrals as referrals

    client.get("/?ll_eid=OLD")
    real_time = referrals.time.time
    monkeypatch.setattr(referrals.time, "time", lambda: real_time() + 25 * 3600)
    auth.signup(email="late@example.com")
    assert "tracking_id" not in _payloads(app, "activity")[0]


@pytest.mark.parametrize("value", ["<script>", "a" * 65, "x y", "ref;drop"])
def test_malformed_ids_are_ignored(app, client, auth, value):
    client.get("/", query_string={"ll_ref_id": value})
    auth.signup(email="plain@example.com")
    assert "referral_id" not in _payloads(app, "activity")[0]


def test_the_cookie_is_signed_and_a_forged_one_is_ignored(app, client, auth):
    response = client.get("/?ll_ref_id=GENUINE")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie
    assert "GENUINE" not in cookie  # encoded and signed, not a plain value

    client.set_cookie(COOKIE_NAME, '{"ref": "FORGED"}')
    auth.signup(email="forged@example.com")
    assert "referral_id" not in _payloads(app, "activity")[0]


def test_an_update_before_the_create_is_sent_keeps_the_ids(app, client, auth):
    """The waiting create is rewritten from the order as it is now (outbox.py); the
    shop's order knows nothing of referrals, so the ids the create was recorded with stay."""
    client.get("/?ll_ref_id=REF123&ll_eid=EMAIL9")
    auth.signup(email="referred@example.com")
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    place_order(client, payment_method="invoice")
    with app.test_request_context():  # no referral in this request
        order = db.session.execute(select(Order)).scalar_one()
        orders.record_payment(order, order.total_cents)
    (create,) = _payloads(app, "order_create")
    assert create["payment_status"] == "paid"  # rewritten from the order as it is now
    assert create["referral_id"] == "REF123" and create["tracking_id"] == "EMAIL9"


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_the_cookie_is_cleared_only_when_the_order_commits(app, client, auth, outcome):
    auth.login()
    _buy(app, client)
    with app.test_request_context("/?ll_ref_id=REF1"):
        app.preprocess_request()
        order = db.session.execute(select(Order)).scalar_one()
        loyaltylion.record_order_created(snapshot_of(order))
        getattr(db.session, outcome)()
        response = app.process_response(app.response_class())
        cookies = response.headers.getlist("Set-Cookie")
    cleared = any(c.startswith(f"{COOKIE_NAME}=;") for c in cookies)
    assert cleared == (outcome == "commit")
