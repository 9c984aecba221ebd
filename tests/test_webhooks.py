"""LoyaltyLion webhooks: the signature, storing each webhook once, answering before the
processing, failures an admin can see and retry, and the admin log itself.

Bodies are signed here, independently of the app's code, as LoyaltyLion documents it:
base64(HMAC-SHA256(raw body, site secret)) in `x-loyaltylion-hmac-sha256`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from storefront import loyalty
from storefront.extensions import db
from storefront.loyalty import loyaltylion
from storefront.loyaltylion import WebhookEvent
from storefront.loyaltylion.redact import mask_emails
from storefront.models import Gift, LoyaltySnapshot
from storefront.seed import CUSTOMER_EMAIL
from tests.conftest import text_of, user_id

SECRET = "test-site-secret"
URL = "/webhooks/loyaltylion"


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "LOYALTYLION_SECRET": SECRET}


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def envelope(topic: str, payload: dict, envelope_id: str = "evt-1") -> bytes:
    return json.dumps(
        {
            "id": envelope_id,
            "topic": topic,
            "created_at": "2026-11-25T18:30:00.000Z",
            "payload": payload,
        }
    ).encode()


def reward_payload(customer_id, **overrides) -> dict:
    """A rewards/store_fulfilment payload, as documented (customer_merchant_id as a string,
    as the docs' example sends it)."""
    return {
        "test": False,
        "reward_id": 42,
        "reward_identifier": "free-gift-next-order",
        "customer_id": 1001,
        "customer_merchant_id": str(customer_id),
        "customer_email": CUSTOMER_EMAIL,
        **overrides,
    }


def reward_body(customer_id, envelope_id: str = "evt-1", **overrides) -> bytes:
    return envelope(
        "rewards/store_fulfilment", reward_payload(customer_id, **overrides), envelope_id
    )


def customer_update_body(customer_id, envelope_id="evt-cu-1", **overrides) -> bytes:
    customer = {
        "id": 1001,
        "email": CUSTOMER_EMAIL,
        "merchant_id": str(customer_id),
        "points_approved": 500,
        "points_pending": 20,
        "points_spent": 0,
        "updated_at": "2026-11-20T10:00:00.000Z",
        "loyalty_tier_membership": {"loyalty_tier": {"id": 100, "name": "Bronze"}},
        **overrides,
    }
    return envelope("customers/update", {"customer": customer}, envelope_id)


def post(client, body: bytes, signature: str | None = "sign", topic: str | None = None):
    """POST as LoyaltyLion does; signature="sign" signs the body with the site secret;
    `topic` goes in x-loyaltylion-topic (the flat shape needs it)."""
    headers = {"Content-Type": "application/json", "x-loyaltylion-site-domain": "shop.example"}
    if signature is not None:
        headers["X-LoyaltyLion-Hmac-SHA256"] = sign(body) if signature == "sign" else signature
    if topic is not None:
        headers["x-loyaltylion-topic"] = topic
    return client.post(URL, data=body, headers=headers)


def deliver(client, body: bytes, signature: str | None = "sign", topic: str | None = None):
    """post(), then close the response as a WSGI server does once the answer is sent:
    that is when the processing runs."""
    response = post(client, body, signature, topic)
    response.close()
    return response


def flat_reward_body(customer_id, **overrides) -> bytes:
    """The custom-rewards page's shape: the payload alone, the topic in a header.
    https://developers.loyaltylion.com/docs/features/custom-rewards"""
    return json.dumps(reward_payload(customer_id, **overrides)).encode()


def stored_events(app) -> list[WebhookEvent]:
    with app.app_context():
        events = db.session.execute(select(WebhookEvent).order_by(WebhookEvent.id)).scalars()
        return list(events)


def stored_gifts(app) -> list[Gift]:
    with app.app_context():
        return list(db.session.execute(select(Gift).order_by(Gift.id)).scalars())


@pytest.fixture
def customer_id(app) -> int:
    return user_id(app, CUSTOMER_EMAIL)


# --- Signature ------------------------------------------------------------------------


def test_a_valid_signature_fulfils_the_reward_once(app, client, customer_id):
    response = deliver(client, reward_body(customer_id))
    assert response.status_code == 200
    (event,) = stored_events(app)
    assert (event.envelope_id, event.topic, event.status) == (
        "evt-1",
        "rewards/store_fulfilment",
        "processed",
    )
    assert event.processed_at is not None and event.error is None
    (gift,) = stored_gifts(app)
    assert gift.customer_id == customer_id
    assert gift.order_id is None  # waiting for the next order
    assert gift.grant_key == f"loyaltylion-webhook:{event.id}"


def test_the_same_id_again_changes_nothing(app, client, customer_id):
    deliver(client, reward_body(customer_id))
    before = [(e.id, e.status, e.processed_at, e.attempts) for e in stored_events(app)]

    again = deliver(client, reward_body(customer_id))
    assert again.status_code == 200
    assert again.get_json() == {"status": "duplicate"}
    assert [(e.id, e.status, e.processed_at, e.attempts) for e in stored_events(app)] == before
    assert len(stored_gifts(app)) == 1


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(None, id="missing"),
        pytest.param("not-a-signature", id="wrong"),
        pytest.param("", id="empty"),
        pytest.param(sign(b"another body"), id="for-another-body"),
    ],
)
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(
    app, client, customer_id, signature, caplog
):
    caplog.set_level(logging.INFO)
    response = deliver(client, reward_body(customer_id), signature=signature)
    assert response.status_code == 401
    assert "signature" in response.get_json()["error"]["message"]
    assert stored_events(app) == []
    assert stored_gifts(app) == []
    # The refusal is logged, without the unverified body's personal data.
    assert "webhook refused" in caplog.text
    assert CUSTOMER_EMAIL not in caplog.text


def test_a_signature_made_with_another_secret_is_refused(app, client, customer_id):
    body = reward_body(customer_id)
    response = deliver(client, body, signature=sign(body, "someone-elses-secret"))
    assert response.status_code == 401
    assert stored_events(app) == [] and stored_gifts(app) == []


def test_a_body_altered_after_signing_is_refused(app, client, customer_id):
    body = reward_body(customer_id)
    signature = sign(body)
    altered = body.replace(b'"reward_id": 42', b'"reward_id": 43')
    assert altered != body
    assert deliver(client, altered, signature=signature).status_code == 401
    # Even a change JSON would not notice (whitespace): the raw bytes are what is signed.
    assert deliver(client, body + b" ", signature=signature).status_code == 401
    assert stored_events(app) == [] and stored_gifts(app) == []


def test_without_a_configured_secret_every_webhook_is_refused(app, client, customer_id):
    app.config["LOYALTYLION_SECRET"] = ""
    body = reward_body(customer_id)
    # Not even one "signed" with the empty secret, which anyone could compute.
    assert deliver(client, body, signature=sign(body, "")).status_code == 401
    assert stored_events(app) == []


def test_the_header_name_is_case_insensitive(app, client, customer_id):
    body = reward_body(customer_id)
    response = client.post(
        URL,
        data=body,
        headers={"content-type": "application/json", "x-loyaltylion-hmac-sha256": sign(body)},
    )
    response.close()
    assert response.status_code == 200
    assert len(stored_gifts(app)) == 1


def test_the_webhook_needs_no_csrf_token(app, customer_id):
    app.config["WTF_CSRF_ENABLED"] = True  # as in production
    response = deliver(app.test_client(), reward_body(customer_id))
    assert response.status_code == 200


# --- Body shapes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="not-json"),
        pytest.param(b"[1, 2]", id="not-an-object"),
        pytest.param(b'{"topic": "rewards/store_fulfilment", "payload": {}}', id="no-id"),
        pytest.param(b'{"test": false, "reward_id": 1}', id="flat-without-topic-header"),
        pytest.param(b'{"id": "evt-1", "payload": {}}', id="no-topic"),
        pytest.param(b'{"id": "evt-1", "topic": "x", "payload": []}', id="payload-not-object"),
        pytest.param(b'{"id": "\xff"}', id="not-utf8"),
    ],
)
def test_a_signed_but_malformed_body_is_a_400(app, client, body):
    response = deliver(client, body)
    assert response.status_code == 400
    assert "error" in response.get_json()
    assert stored_events(app) == []


def test_the_top_level_payload_shape_is_accepted(app, client, customer_id):
    # One documented example has no `payload` key: the event's fields sit beside `id`.
    body = json.dumps(
        {"id": "evt-top", "topic": "rewards/store_fulfilment", **reward_payload(customer_id)}
    ).encode()
    assert deliver(client, body).status_code == 200
    assert stored_events(app)[0].status == "processed"
    assert len(stored_gifts(app)) == 1


# --- The flat shape (no envelope) -------------------------------------------------------


def test_a_flat_signed_body_with_the_topic_header_fulfils(app, client, customer_id):
    response = deliver(client, flat_reward_body(customer_id), topic="rewards/store_fulfilment")
    assert response.status_code == 200
    [event] = stored_events(app)
    assert (event.topic, event.status) == ("rewards/store_fulfilment", "processed")
    assert event.label == "(no id: flat body)"
    assert len(stored_gifts(app)) == 1


@pytest.mark.parametrize("tamper", ["body", "signature", "no-signature"])
def test_a_tampered_flat_body_is_refused(app, client, customer_id, tamper):
    body = flat_reward_body(customer_id)
    signature = sign(body)
    if tamper == "body":
        body = body.replace(b'"test": false', b'"test": true ')
    elif tamper == "signature":
        signature = sign(body, secret="not-the-secret")
    else:
        signature = None
    response = deliver(client, body, signature=signature, topic="rewards/store_fulfilment")
    assert response.status_code == 401
    assert stored_events(app) == []


def test_two_identical_flat_bodies_are_two_claims(app, client, customer_id):
    # Two claims of one reward are the same bytes, and without an id nothing tells them
    # apart from a redelivery: both are fulfilled (see loyaltylion/webhooks.record).
    body = flat_reward_body(customer_id)
    for _ in range(2):
        assert deliver(client, body, topic="rewards/store_fulfilment").status_code == 200
    assert [event.status for event in stored_events(app)] == ["processed", "processed"]
    assert len(stored_gifts(app)) == 2


def test_an_envelope_whose_topic_header_disagrees_is_a_400(app, client, customer_id):
    response = deliver(client, reward_body(customer_id), topic="customers/update")
    assert response.status_code == 400
    assert "x-loyaltylion-topic" in response.get_json()["error"]["message"].lower()
    assert stored_events(app) == []


def test_an_envelope_with_the_matching_topic_header_is_fine(app, client, customer_id):
    response = deliver(client, reward_body(customer_id), topic="rewards/store_fulfilment")
    assert response.status_code == 200
    assert stored_events(app)[0].envelope_id == "evt-1"


def test_customer_merchant_id_may_be_a_number(app, client, customer_id):
    body = envelope(
        "rewards/store_fulfilment", reward_payload(customer_id, customer_merchant_id=customer_id)
    )
    assert deliver(client, body).status_code == 200
    assert stored_gifts(app)[0].customer_id == customer_id


@pytest.mark.parametrize("value", [True, None, "", "4x", "-3", 4.0, "2147483648", ["1"]])
def test_anything_but_a_customer_id_fails_the_reward(app, client, value):
    deliver(
        client, envelope("rewards/store_fulfilment", reward_payload(1, customer_merchant_id=value))
    )
    (event,) = stored_events(app)
    assert event.status == "failed"
    assert "is not a shop customer id" in event.error
    assert stored_gifts(app) == []


# --- What gets fulfilled ----------------------------------------------------------------


def test_a_test_delivery_fulfils_nothing(app, client, customer_id):
    response = deliver(client, reward_body(customer_id, test=True))
    assert response.status_code == 200
    (event,) = stored_events(app)
    assert event.status == "ignored"
    assert "Test delivery" in event.note
    assert stored_gifts(app) == []


def test_an_unknown_topic_is_recorded_and_ignored(app, client):
    response = deliver(client, envelope("points/expired", {"customer": {"id": 7}}, "evt-x"))
    assert response.status_code == 200
    (event,) = stored_events(app)
    assert (event.topic, event.status) == ("points/expired", "ignored")


def test_an_unknown_reward_identifier_fails_for_the_admin_to_see(app, client, customer_id):
    assert (
        deliver(client, reward_body(customer_id, reward_identifier="free-mug")).status_code == 200
    )
    (event,) = stored_events(app)
    assert event.status == "failed"
    assert event.error == "unknown reward identifier 'free-mug'"
    assert stored_gifts(app) == []


def test_an_unknown_customer_fails_and_is_visible_in_the_admin(app, client, auth):
    assert deliver(client, reward_body(987654)).status_code == 200
    (event,) = stored_events(app)
    assert event.status == "failed"
    assert "no shop customer with id 987654" in event.error
    assert stored_gifts(app) == []

    auth.login_admin()
    page = client.get("/admin/loyaltylion/webhooks")
    assert page.status_code == 200
    text = text_of(page)
    assert "evt-1" in text and "rewards/store_fulfilment" in text
    assert "Failed" in text
    assert "no shop customer with id 987654" in text
    assert "Retry processing" in text


def test_retry_after_fixing_the_cause_fulfils(app, client, auth, customer_id, monkeypatch):
    deliver(client, reward_body(customer_id, reward_identifier="free-mug"))
    (event,) = stored_events(app)
    assert event.status == "failed"

    # The fix: the store learns the new reward identifier.
    monkeypatch.setitem(
        loyalty.GIFT_REWARDS,
        "free-mug",
        loyalty.GiftReward(product_slug="lion-tote-bag", title="Free tote bag"),
    )
    auth.login_admin()
    response = client.post(f"/admin/loyaltylion/webhooks/{event.id}/retry", follow_redirects=True)
    assert response.status_code == 200
    assert "processed" in text_of(response)
    (event,) = stored_events(app)
    assert (event.status, event.error, event.attempts) == ("processed", None, 2)
    assert len(stored_gifts(app)) == 1

    # Processed is final: a second retry is refused and grants nothing.
    again = client.post(f"/admin/loyaltylion/webhooks/{event.id}/retry", follow_redirects=True)
    assert "nothing to retry" in text_of(again)
    assert len(stored_gifts(app)) == 1


def test_a_retry_that_fails_again_keeps_the_event_failed(app, client, auth):
    deliver(client, reward_body(987654))
    (event,) = stored_events(app)
    auth.login_admin()
    response = client.post(f"/admin/loyaltylion/webhooks/{event.id}/retry", follow_redirects=True)
    assert "failed again" in text_of(response)
    (event,) = stored_events(app)
    assert (event.status, event.attempts) == ("failed", 2)


# --- Answer first, then process ---------------------------------------------------------


def test_the_answer_comes_before_the_processing(app, client, customer_id):
    response = post(client, reward_body(customer_id))
    # Answered, and stored, but nothing fulfilled yet...
    assert response.status_code == 200
    assert response.get_json() == {"status": "received"}
    assert [e.status for e in stored_events(app)] == ["received"]
    assert stored_gifts(app) == []
    # ...until the server has sent the answer and closes the response.
    response.close()
    assert [e.status for e in stored_events(app)] == ["processed"]
    assert len(stored_gifts(app)) == 1


def test_processing_that_raises_still_answers_200_and_records_the_failure(
    app, client, customer_id, monkeypatch
):
    def broken_handler(event, payload):
        raise RuntimeError("the gift service is down")

    monkeypatch.setitem(loyaltylion.webhook_handlers, "rewards/store_fulfilment", broken_handler)
    response = post(client, reward_body(customer_id))
    assert response.status_code == 200
    response.close()  # does not raise: the failure is recorded instead
    (event,) = stored_events(app)
    assert event.status == "failed"
    assert event.error == "RuntimeError: the gift service is down"
    assert stored_gifts(app) == []


def test_a_real_server_answers_while_the_processing_is_still_running(app, customer_id, monkeypatch):
    """Through a real WSGI server: the 200 arrives while the handler is still blocked."""
    started, release = threading.Event(), threading.Event()
    handler = loyaltylion.webhook_handlers["rewards/store_fulfilment"]

    def slow_handler(event, payload):
        started.set()
        assert release.wait(10), "the test never released the handler"
        return handler(event, payload)

    monkeypatch.setitem(loyaltylion.webhook_handlers, "rewards/store_fulfilment", slow_handler)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        body = reward_body(customer_id)
        response = requests.post(
            f"http://127.0.0.1:{server.port}{URL}",
            data=body,
            headers={"Content-Type": "application/json", "X-LoyaltyLion-Hmac-SHA256": sign(body)},
            timeout=5,  # LoyaltyLion's limit
        )
        assert response.status_code == 200
        assert started.wait(5)
        assert stored_gifts(app) == []  # still processing
        release.set()
        deadline = time.monotonic() + 5
        while not stored_gifts(app) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(stored_gifts(app)) == 1
    finally:
        release.set()
        server.shutdown()
        thread.join(5)


def test_concurrent_deliveries_of_one_webhook_fulfil_once(app, customer_id):
    body = reward_body(customer_id)
    racers = 6
    start = threading.Barrier(racers, timeout=30)

    def race(_):
        start.wait()
        return deliver(app.test_client(), body).status_code

    with ThreadPoolExecutor(racers) as pool:
        assert list(pool.map(race, range(racers))) == [200] * racers
    assert len(stored_events(app)) == 1
    assert len(stored_gifts(app)) == 1


# --- customers/update -------------------------------------------------------------------


def snapshot(app, customer_id) -> LoyaltySnapshot | None:
    with app.app_context():
        return db.session.get(LoyaltySnapshot, customer_id)


def test_customers_update_stores_the_loyalty_status(app, client, customer_id):
    assert deliver(client, customer_update_body(customer_id)).status_code == 200
    status = snapshot(app, customer_id)
    assert (status.points_approved, status.points_pending, status.tier_name) == (500, 20, "Bronze")
    assert status.updated_at.isoformat() == "2026-11-20T10:00:00"
    assert stored_events(app)[0].status == "processed"


def test_the_documented_customers_update_example_is_accepted(app, client, customer_id):
    # The docs' example: the customer object at the top level, no `payload` key.
    body = json.dumps(
        {
            "id": "bff1bddb-6cd8-4c2c-9619-18744657053c",
            "topic": "customers/update",
            "created_at": "2025-01-01T03:00:05.000Z",
            "customer": {
                "id": 1001,
                "email": CUSTOMER_EMAIL,
                "merchant_id": str(customer_id),
                "points_approved": 500,
                "points_pending": 0,
                "updated_at": "2025-02-13T00:00:11.535Z",
                "loyalty_tier_membership": None,
            },
        }
    ).encode()
    assert deliver(client, body).status_code == 200
    status = snapshot(app, customer_id)
    assert (status.points_approved, status.tier_name) == (500, None)


def test_an_older_customers_update_does_not_overwrite_a_newer_one(app, client, customer_id):
    deliver(client, customer_update_body(customer_id, "evt-new", points_approved=700))
    deliver(
        client,
        customer_update_body(
            customer_id, "evt-old", points_approved=100, updated_at="2026-01-01T00:00:00Z"
        ),
    )
    assert snapshot(app, customer_id).points_approved == 700
    assert [e.status for e in stored_events(app)] == ["processed", "ignored"]


def test_a_guests_customers_update_is_ignored(app, client, customer_id):
    deliver(client, customer_update_body(customer_id, merchant_id=None))
    assert stored_events(app)[0].status == "ignored"
    assert snapshot(app, customer_id) is None


def test_closing_the_account_erases_what_webhooks_said(app, client, auth, customer_id):
    deliver(client, customer_update_body(customer_id))
    auth.login()
    response = client.post(
        "/account/close", data={"password": "customer-password-1", "confirm": "y"}
    )
    assert response.status_code == 302
    assert snapshot(app, customer_id) is None
    (event,) = stored_events(app)
    assert CUSTOMER_EMAIL not in event.body


# --- Admin page -------------------------------------------------------------------------


def test_the_admin_page_is_for_admins_only(app, client, auth, customer_id):
    deliver(client, reward_body(987654))
    (event,) = stored_events(app)

    anonymous = client.get("/admin/loyaltylion/webhooks")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]

    auth.login()
    assert client.get("/admin/loyaltylion/webhooks").status_code == 403
    assert client.post(f"/admin/loyaltylion/webhooks/{event.id}/retry").status_code == 403
    assert stored_events(app)[0].attempts == 1  # the refused retry did not run


def test_the_admin_page_lists_newest_first_and_masks_emails(app, client, auth, customer_id):
    deliver(client, reward_body(customer_id, customer_email="alice.blue@example.com"))
    deliver(client, customer_update_body(customer_id, "evt-2", email="bob@example.org"))
    auth.login_admin()
    page = client.get("/admin/loyaltylion/webhooks")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "a***@example.com" in html and "b***@example.org" in html
    assert "alice.blue@example.com" not in html and "bob@example.org" not in html
    assert html.index("evt-2") < html.index("evt-1")  # newest first
    assert "Retry processing" not in html  # nothing failed


def test_mask_emails():
    assert mask_emails('{"email": "alice.blue@example.com"}') == '{"email": "a***@example.com"}'
    assert mask_emails("no address here @ all") == "no address here @ all"


def test_a_retry_needs_a_csrf_token(app, client, auth):
    deliver(client, reward_body(987654))
    (event,) = stored_events(app)
    auth.login_admin()
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/admin/loyaltylion/webhooks/{event.id}/retry").status_code == 400
    assert stored_events(app)[0].attempts == 1
