"""Webhooks to the store: the custom reward's fulfilment, test webhooks, customers/update.

The store is a tiny Flask app on its own port (`Receiver`); the shared sandbox sends
only when a test asks (POST /_sandbox/webhooks/deliver), and a failed delivery is
due again at once. Signatures are recomputed here over the raw bytes received.
"""

from __future__ import annotations

import hmac
import json
import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from loyaltylion_sandbox.server import start_server

from .support import (
    Receiver,
    SandboxClient,
    closed_port_url,
    dispose,
    hmac_signature,
    make_sandbox_app,
)

TOTE = 2  # the seeded custom reward
FULFILMENT_FIELDS = [
    "test",
    "reward_id",
    "reward_identifier",
    "customer_id",
    "customer_merchant_id",
    "customer_email",
]


def _member_with(client: SandboxClient, customer: str, points: int) -> None:
    client.signup(customer)  # 200
    if points > 200:
        added = client.api("POST", f"/v2/customers/{customer}/points", {"points": points - 200})
        assert added.status_code == 201


def _claim_tote(client: SandboxClient, customer: str = "42") -> dict[str, Any]:
    response = client.api("POST", f"/v2/customers/{customer}/claimed_rewards", {"reward_id": TOTE})
    assert response.status_code == 201, response.text
    return response.json()["claimed_reward"]


def _claim_state(client: SandboxClient, customer: str = "42") -> dict[str, Any]:
    return client.customer(customer)["claimed_rewards"][0]["redeemable"]


def _assert_signed(received: dict[str, Any], topic: str | None = None) -> None:
    headers = {k.lower(): v for k, v in received["headers"].items()}
    assert headers["content-type"] == "application/json"
    expected = hmac_signature(received["body"])
    assert hmac.compare_digest(headers["x-loyaltylion-hmac-sha256"], expected)
    # Beside the signature: https://developers.loyaltylion.com/docs/features/custom-rewards
    assert headers["x-loyaltylion-site-domain"] == "shop.test"  # the shop origin's host
    if topic is not None:
        assert headers["x-loyaltylion-topic"] == topic


# ------------------------------------------------------------------ custom reward


def test_claiming_the_custom_reward_spends_points_and_queues_one_webhook(
    sandbox: SandboxClient, receiver: Receiver
) -> None:
    _member_with(sandbox, "42", 400)

    claimed = _claim_tote(sandbox)
    assert claimed["point_cost"] == 300
    assert claimed["reward"]["method"] == "custom"
    assert claimed["reward"]["reward_identifier"] == "free-gift-next-order"
    redeemable = claimed["redeemable"]
    assert (redeemable["redeemable_type"], redeemable["code"]) == ("custom", None)
    assert (redeemable["fulfilled"], redeemable["fulfilment_status"]) == (False, "pending")
    assert sandbox.balances("42") == {"approved": 100, "pending": 0, "spent": 300, "lifetime": 400}

    [delivery] = sandbox.webhooks()
    assert delivery["topic"] == "rewards/store_fulfilment"
    assert (delivery["state"], delivery["attempts"], delivery["test"]) == ("pending", 0, False)
    assert delivery["url"] == receiver.url
    assert delivery["claimed_reward_id"] == claimed["id"]
    envelope = json.loads(delivery["body"])
    assert list(envelope) == ["id", "topic", "created_at", "payload"]
    assert envelope["id"] == delivery["event_id"]
    assert envelope["topic"] == "rewards/store_fulfilment"
    assert datetime.fromisoformat(envelope["created_at"]).tzinfo is not None
    customer = sandbox.customer("42")["customer"]
    assert envelope["payload"] == {
        "test": False,
        "reward_id": TOTE,
        "reward_identifier": "free-gift-next-order",
        "customer_id": customer["id"],
        "customer_merchant_id": "42",
        "customer_email": "42@example.com",
    }
    assert list(envelope["payload"]) == FULFILMENT_FIELDS
    assert receiver.received == []  # queued, not sent: the claim does not wait on the store


def test_too_few_points_for_the_custom_reward_queues_nothing(
    sandbox: SandboxClient, receiver: Receiver
) -> None:
    _member_with(sandbox, "42", 200)
    response = sandbox.api("POST", "/v2/customers/42/claimed_rewards", {"reward_id": TOTE})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"points": ["needs 300 approved points, has 200"]}
    assert sandbox.webhooks() == []


def test_delivery_posts_the_signed_bytes_and_fulfils_the_claim(
    sandbox: SandboxClient, receiver: Receiver
) -> None:
    _member_with(sandbox, "42", 300)
    _claim_tote(sandbox)

    [attempted] = sandbox.deliver()
    assert (attempted["state"], attempted["attempts"], attempted["last_status"]) == (
        "delivered",
        1,
        200,
    )
    [received] = receiver.received
    _assert_signed(received)
    assert received["body"] == attempted["body"].encode()  # the exact bytes shown
    assert (
        received["headers"]["X-Loyaltylion-Hmac-Sha256"]
        == (attempted["headers"]["x-loyaltylion-hmac-sha256"])
    )
    assert json.loads(received["body"])["id"] == attempted["event_id"]

    state = _claim_state(sandbox)
    assert (state["fulfilled"], state["fulfilment_status"]) == (True, "fulfilled")
    assert state["fulfilled_at"] is not None
    assert attempted["fulfilment"] == "fulfilled"
    assert sandbox.deliver() == []  # nothing left to send
    assert len(receiver.received) == 1


def test_a_5xx_is_retried_with_the_same_envelope_id(
    sandbox: SandboxClient, receiver: Receiver
) -> None:
    _member_with(sandbox, "42", 300)
    _claim_tote(sandbox)
    receiver.statuses = [500]

    [first] = sandbox.deliver()
    assert (first["state"], first["attempts"], first["last_status"]) == ("pending", 1, 500)
    assert first["last_error"] == "HTTP 500"
    assert first["last_response"] == "not now"
    assert first["next_attempt_at"] is not None
    assert _claim_state(sandbox)["fulfilment_status"] == "pending"

    [second] = sandbox.deliver()
    assert (second["state"], second["attempts"], second["last_status"]) == ("delivered", 2, 200)
    assert second["last_error"] is None

    bodies = [r["body"] for r in receiver.received]
    assert len(bodies) == 2
    assert bodies[0] == bodies[1]  # same bytes, so the same id and the same signature
    assert json.loads(bodies[0])["id"] == json.loads(bodies[1])["id"] == first["event_id"]
    for received in receiver.received:
        _assert_signed(received)
    assert _claim_state(sandbox)["fulfilment_status"] == "fulfilled"


def test_a_store_that_is_down_keeps_the_claim_pending(sandbox: SandboxClient) -> None:
    sandbox.point_webhooks_at(closed_port_url())
    _member_with(sandbox, "42", 300)
    _claim_tote(sandbox)

    sandbox.deliver()
    [delivery] = sandbox.deliver()
    assert (delivery["state"], delivery["attempts"], delivery["last_status"]) == (
        "pending",
        2,
        None,
    )
    assert delivery["last_error"].startswith("connection failed")
    assert delivery["delivered_at"] is None
    assert _claim_state(sandbox)["fulfilment_status"] == "pending"
    # Points stay spent: LoyaltyLion keeps retrying rather than refunding.
    assert sandbox.balances("42")["spent"] == 300


def test_a_3xx_is_not_success(sandbox: SandboxClient, receiver: Receiver) -> None:
    _member_with(sandbox, "42", 300)
    _claim_tote(sandbox)
    receiver.statuses = [302]
    [delivery] = sandbox.deliver()
    assert (delivery["state"], delivery["last_status"]) == ("pending", 302)


def test_the_sdk_claims_a_custom_reward_too(sandbox: SandboxClient, receiver: Receiver) -> None:
    _member_with(sandbox, "42", 300)
    session = sandbox.sdk_login("42", "42@example.com")
    tote = next(r for r in session["state"]["rewards"] if r["id"] == TOTE)
    assert (tote["kind"], tote["can_claim"], tote["in_stock"]) == ("custom", True, True)

    headers = {"Authorization": f"Bearer {session['session_token']}"}
    claim = sandbox.http.post(
        sandbox.url + "/sdk/claim", json={"reward_id": TOTE}, headers=headers, timeout=10
    )
    assert claim.status_code == 201
    [item] = claim.json()["state"]["customer"]["claimed_rewards"]
    assert (item["kind"], item["code"], item["fulfilment"]) == ("custom", None, "pending")
    assert len(sandbox.webhooks()) == 1

    sandbox.deliver()
    state = sandbox.http.get(sandbox.url + "/sdk/state", headers=headers, timeout=10).json()
    assert state["state"]["customer"]["claimed_rewards"][0]["fulfilment"] == "fulfilled"


def test_the_rewards_route_counts_fulfilments(sandbox: SandboxClient, receiver: Receiver) -> None:
    _member_with(sandbox, "42", 600)
    _claim_tote(sandbox)
    _claim_tote(sandbox)
    receiver.statuses = [503]
    sandbox.deliver()  # the first fails, the second is fulfilled
    tote = next(r for r in sandbox.control("GET", "/rewards").json()["rewards"] if r["id"] == TOTE)
    assert tote["reward_identifier"] == "free-gift-next-order"
    assert tote["fulfilment"] == {"pending": 1, "fulfilled": 1, "failed": 0}


def test_a_custom_reward_has_no_code_pool(sandbox: SandboxClient) -> None:
    response = sandbox.control("POST", f"/rewards/{TOTE}/codes", json={"codes": ["X-1"]})
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"reward_id": ["not a voucher reward"]}


# ----------------------------------------------------------- test webhook, update


def test_the_test_webhook_says_test_true(sandbox: SandboxClient, receiver: Receiver) -> None:
    response = sandbox.control("POST", f"/rewards/{TOTE}/test-webhook")
    assert response.status_code == 201
    delivery = response.json()["delivery"]
    assert (delivery["state"], delivery["test"], delivery["claimed_reward_id"]) == (
        "delivered",
        True,
        None,
    )
    [received] = receiver.received
    _assert_signed(received)
    envelope = json.loads(received["body"])
    assert envelope["topic"] == "rewards/store_fulfilment"
    assert envelope["payload"] == {
        "test": True,
        "reward_id": TOTE,
        "reward_identifier": "free-gift-next-order",
        "customer_id": 0,
        "customer_merchant_id": "sandbox-test-customer",
        "customer_email": "test-customer@example.com",
    }


def test_the_test_webhook_can_name_a_customer(sandbox: SandboxClient, receiver: Receiver) -> None:
    sandbox.signup("42")
    response = sandbox.control("POST", f"/rewards/{TOTE}/test-webhook", json={"customer": "42"})
    assert response.status_code == 201
    payload = json.loads(receiver.received[0]["body"])["payload"]
    assert (payload["test"], payload["customer_merchant_id"]) == (True, "42")
    assert sandbox.balances("42")["spent"] == 0  # a test claims nothing


@pytest.mark.parametrize(
    ("reward_id", "body", "status"),
    [(1, None, 400), (99, None, 404), (TOTE, {"customer": "nobody"}, 404)],
)
def test_the_test_webhook_refuses(
    sandbox: SandboxClient, reward_id: int, body: Any, status: int
) -> None:
    response = sandbox.control("POST", f"/rewards/{reward_id}/test-webhook", json=body)
    assert response.status_code == status
    assert sandbox.webhooks() == []


def test_a_failed_test_webhook_stays_pending(sandbox: SandboxClient, receiver: Receiver) -> None:
    receiver.statuses = [500]
    delivery = sandbox.control("POST", f"/rewards/{TOTE}/test-webhook").json()["delivery"]
    assert (delivery["state"], delivery["last_status"]) == ("pending", 500)
    assert sandbox.deliver()[0]["state"] == "delivered"


def test_customers_update_carries_the_customer(sandbox: SandboxClient, receiver: Receiver) -> None:
    sandbox.subscribe("customers/update", receiver.url)
    sandbox.signup("42", email="ada@example.com")
    patch = {"customer": {"birthday": "1990-07-14"}}
    assert sandbox.api("PATCH", "/v2/customers/42", patch).status_code == 200

    response = sandbox.control("POST", "/customers/42/customers-update")
    assert response.status_code == 201
    assert response.json()["delivery"]["state"] == "delivered"
    [received] = receiver.received
    _assert_signed(received)
    envelope = json.loads(received["body"])
    assert (envelope["topic"], list(envelope)) == (
        "customers/update",
        ["id", "topic", "created_at", "payload"],
    )
    customer = envelope["payload"]["customer"]
    assert customer == sandbox.customer("42")["customer"]  # the Customers API shape
    assert (customer["merchant_id"], customer["email"]) == ("42", "ada@example.com")
    assert (customer["points_approved"], customer["birthday"]) == (200, "1990-07-14")


def test_customers_update_can_put_the_customer_at_the_top_level(
    sandbox: SandboxClient, receiver: Receiver
) -> None:
    # One documented example has no `payload`: the store should accept both.
    sandbox.subscribe("customers/update", receiver.url)
    sandbox.signup("42")
    response = sandbox.control("POST", "/customers/42/customers-update", json={"top_level": True})
    assert response.status_code == 201
    envelope = json.loads(receiver.received[0]["body"])
    assert list(envelope) == ["id", "topic", "created_at", "customer"]
    assert envelope["customer"]["merchant_id"] == "42"


def test_customers_update_for_an_unknown_customer_is_404(
    sandbox: SandboxClient, receiver: Receiver
) -> None:
    assert sandbox.control("POST", "/customers/nobody/customers-update").status_code == 404
    assert receiver.received == []


# --------------------------------------------------------------- settings, listing


def test_the_webhook_url_is_a_setting(sandbox: SandboxClient) -> None:
    settings = sandbox.control("GET", "/settings").json()["settings"]
    assert settings["webhook_url"] == "http://shop.test/webhooks/loyaltylion"  # origin + path

    bad = sandbox.control("POST", "/settings", json={"webhook_url": "ftp://x"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["details"]) == ["webhook_url"]

    sandbox.point_webhooks_at("http://127.0.0.1:9/hook")
    assert sandbox.control("GET", "/webhooks").json()["url"] == "http://127.0.0.1:9/hook"
    sandbox.point_webhooks_at(None)  # back to the default
    assert sandbox.control("GET", "/webhooks").json()["url"].startswith("http://shop.test/")


def test_listing_filters_and_reset(sandbox: SandboxClient, receiver: Receiver) -> None:
    sandbox.subscribe("customers/update", receiver.url)
    sandbox.signup("42")
    sandbox.control("POST", f"/rewards/{TOTE}/test-webhook")
    sandbox.control("POST", "/customers/42/customers-update")
    assert [d["topic"] for d in sandbox.webhooks()] == [
        "customers/update",
        "rewards/store_fulfilment",
    ]
    assert len(sandbox.webhooks(topic="customers/update")) == 1
    assert len(sandbox.webhooks(state="delivered")) == 2
    assert sandbox.webhooks(state="pending") == []
    assert sandbox.control("GET", "/webhooks", params={"state": "nope"}).status_code == 400
    listing = sandbox.control("GET", "/webhooks").json()
    assert listing["sender"] == {"mode": "manual", "running": False}

    sandbox.reset()
    assert sandbox.webhooks() == []


def test_the_dashboard_shows_deliveries(sandbox: SandboxClient, receiver: Receiver) -> None:
    _member_with(sandbox, "42", 300)
    _claim_tote(sandbox)
    receiver.statuses = [500]
    sandbox.deliver()
    html = sandbox.http.get(sandbox.url + "/", timeout=10).text
    section = html.split('id="webhooks"')[1].split("</section>")[0]
    assert "rewards/store_fulfilment" in section
    assert "HTTP 500" in section and "not now" in section  # the last answer
    assert "free-gift-next-order" in section  # the envelope as sent
    assert "Free tote bag on your next order" in html


# ----------------------------------------------- backoff, giving up, the sender


def _eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_retries_wait_for_the_backoff_then_give_up(tmp_path: Path) -> None:
    app = make_sandbox_app(
        tmp_path / "backoff.sqlite3",
        SANDBOX_WEBHOOK_RETRY_SECONDS=60,
        SANDBOX_WEBHOOK_MAX_ATTEMPTS=2,
        SANDBOX_SHOP_WEBHOOK_URL=closed_port_url(),
    )
    try:
        client = app.test_client()
        auth = {"Authorization": "Bearer sandbox_api_key"}
        signup = {"name": "$signup", "customer_id": "42", "customer_email": "a@example.com"}
        client.post("/v2/activities", json={**signup, "guest": False}, headers=auth)
        client.post("/v2/customers/42/points", json={"points": 100}, headers=auth)
        assert (
            client.post(
                "/v2/customers/42/claimed_rewards", json={"reward_id": TOTE}, headers=auth
            ).status_code
            == 201
        )

        [first] = client.post("/_sandbox/webhooks/deliver").get_json()["attempted"]
        assert (first["state"], first["attempts"]) == ("pending", 1)
        wait = datetime.fromisoformat(first["next_attempt_at"]) - datetime.fromisoformat(
            first["last_attempt_at"]
        )
        assert 59 <= wait.total_seconds() <= 61
        # Not due yet: nothing is attempted unless asked for all of them.
        assert client.post("/_sandbox/webhooks/deliver").get_json()["attempted"] == []
        [last] = client.post("/_sandbox/webhooks/deliver", json={"all": True}).get_json()[
            "attempted"
        ]
        assert (last["state"], last["attempts"], last["next_attempt_at"]) == ("failed", 2, None)
        claim = client.get("/_sandbox/customers/42").get_json()["claimed_rewards"][0]
        assert claim["redeemable"]["fulfilment_status"] == "failed"
    finally:
        dispose(app)


def _sender_app(tmp_path: Path, url: str) -> Any:
    return make_sandbox_app(
        tmp_path / "sender.sqlite3",
        SANDBOX_WEBHOOK_SENDER="thread",
        SANDBOX_WEBHOOK_RETRY_SECONDS=0.05,
        SANDBOX_SHOP_WEBHOOK_URL=url,
    )


def _sender_running(client: SandboxClient) -> bool:
    return client.control("GET", "/webhooks").json()["sender"]["running"]


def test_the_background_sender_retries_until_2xx_then_rests(tmp_path: Path) -> None:
    receiver = Receiver()
    receiver.statuses = [503]
    app = _sender_app(tmp_path, receiver.url)
    server = start_server(app, quiet=True)
    client = SandboxClient(server.url)
    try:
        _member_with(client, "42", 300)
        _claim_tote(client)  # no deliver call: the sender does it

        _eventually(lambda: _claim_state(client)["fulfilment_status"] == "fulfilled")
        [delivery] = client.webhooks()
        assert (delivery["state"], delivery["attempts"]) == ("delivered", 2)
        ids = [json.loads(r["body"])["id"] for r in receiver.received]
        assert ids == [delivery["event_id"]] * 2
        # Nothing left to do: the thread ends; the next webhook starts another.
        _eventually(lambda: not _sender_running(client))
        client.control("POST", f"/rewards/{TOTE}/test-webhook")
        assert len(receiver.received) == 3
    finally:
        client.close()
        server.shutdown()
        receiver.close()
        dispose(app)


def test_the_background_sender_stops_with_the_server(tmp_path: Path) -> None:
    app = _sender_app(tmp_path, closed_port_url())
    server = start_server(app, quiet=True)
    client = SandboxClient(server.url)
    try:
        _member_with(client, "42", 300)
        _claim_tote(client)
        _eventually(lambda: client.webhooks()[0]["attempts"] >= 3)  # retrying, backing off
        assert _sender_running(client)
    finally:
        client.close()
        server.shutdown()
    with app.app_context():
        from loyaltylion_sandbox.runtime import runtime

        assert runtime().sender.running is False
    dispose(app)


# ----------------------------------------------------------------- the two shapes


def test_the_flat_shape_is_the_bare_payload_with_the_topic_in_a_header(
    sandbox: SandboxClient, receiver: Receiver
) -> None:
    # The custom-rewards page's example: no envelope; x-loyaltylion-topic says what it is.
    assert sandbox.control("POST", "/settings", json={"webhook_shape": "flat"}).status_code == 200
    _member_with(sandbox, "42", 300)
    _claim_tote(sandbox)
    sandbox.deliver()
    [received] = receiver.received
    _assert_signed(received, topic="rewards/store_fulfilment")
    body = json.loads(received["body"])
    assert list(body) == [
        "test",
        "reward_id",
        "reward_identifier",
        "customer_id",
        "customer_merchant_id",
        "customer_email",
    ]
    assert body["test"] is False and body["customer_merchant_id"] == "42"


def test_the_envelope_shape_carries_the_topic_in_both_places(
    sandbox: SandboxClient, receiver: Receiver
) -> None:
    _member_with(sandbox, "42", 300)
    _claim_tote(sandbox)
    sandbox.deliver()
    [received] = receiver.received
    _assert_signed(received, topic="rewards/store_fulfilment")
    assert json.loads(received["body"])["topic"] == "rewards/store_fulfilment"


@pytest.mark.parametrize("shape", ["envelopes", "", 3])
def test_an_unknown_shape_is_refused(sandbox: SandboxClient, shape: Any) -> None:
    response = sandbox.control("POST", "/settings", json={"webhook_shape": shape})
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["webhook_shape"]


def test_the_shape_can_be_set_in_the_config(tmp_path: Path) -> None:
    app = make_sandbox_app(tmp_path / "flat.sqlite3", SANDBOX_WEBHOOK_SHAPE="flat")
    with app.test_client() as client:
        assert client.get("/_sandbox/settings").json["settings"]["webhook_shape"] == "flat"
    dispose(app)
    with pytest.raises(ValueError, match="SANDBOX_WEBHOOK_SHAPE"):
        make_sandbox_app(tmp_path / "bad.sqlite3", SANDBOX_WEBHOOK_SHAPE="xml")


def test_the_dashboard_switches_the_shape(sandbox: SandboxClient) -> None:
    page = sandbox.http.get(sandbox.url + "/", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = sandbox.http.post(
        sandbox.url + "/settings/webhook-shape",
        data={"csrf_token": token, "webhook_shape": "flat"},
        timeout=10,
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert sandbox.control("GET", "/settings").json()["settings"]["webhook_shape"] == "flat"
    refused = sandbox.http.post(
        sandbox.url + "/settings/webhook-shape", data={"webhook_shape": "envelope"}, timeout=10
    )
    assert refused.status_code == 400  # no CSRF token


def test_customers_update_goes_to_every_subscriber_and_only_them(
    sandbox: SandboxClient, receiver: Receiver
) -> None:
    sandbox.signup("42")
    nobody = sandbox.control("POST", "/customers/42/customers-update")
    assert nobody.status_code == 409
    assert "subscribe with POST /v2/webhooks" in nobody.json()["error"]["message"]
    sandbox.subscribe("customers/update", receiver.url)
    sandbox.subscribe("customers/update", receiver.url + "?copy=2")
    sent = sandbox.control("POST", "/customers/42/customers-update").json()["deliveries"]
    assert [d["url"] for d in sent] == [receiver.url, receiver.url + "?copy=2"]
    assert len(receiver.received) == 2


# program_events/customer.claimed_reward
# https://developers.loyaltylion.com/api-reference/v2/webhooks/events/program-events/customer-claimed-reward
FIVE_OFF = 1  # the seeded voucher reward


@pytest.mark.parametrize("via", ["api", "sdk"])
def test_a_voucher_claim_tells_the_subscribers_which_code_was_given(
    sandbox: SandboxClient, receiver: Receiver, via: str
) -> None:
    sandbox.subscribe("program_events/customer.claimed_reward", receiver.url)
    _member_with(sandbox, "42", 600)
    if via == "api":
        response = sandbox.api("POST", "/v2/customers/42/claimed_rewards", {"reward_id": FIVE_OFF})
    else:
        token = sandbox.sdk_login("42", "42@example.com")["session_token"]
        response = sandbox.http.post(
            sandbox.url + "/sdk/claim",
            json={"reward_id": FIVE_OFF},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
    assert response.status_code == 201, response.text
    code = response.json()["claimed_reward"]["redeemable"]["code"]
    sandbox.deliver()
    [received] = receiver.received
    _assert_signed(received)
    envelope = json.loads(received["body"])
    assert envelope["topic"] == "program_events/customer.claimed_reward"
    payload = envelope["payload"]
    assert payload == {
        "customer": sandbox.customer("42")["customer"],
        "title": "$5 off",
        "reward_type": "voucher",
        "discount_type": "flat",
        "voucher_code": code,
        "discount_amount": 5,
        "gift_card_last_characters": None,
        "currency": None,
        "initial_value": None,
        "balance": None,
    }


def test_a_custom_reward_claim_sends_no_claimed_reward_webhook(
    sandbox: SandboxClient, receiver: Receiver
) -> None:
    sandbox.subscribe("program_events/customer.claimed_reward", "http://127.0.0.1:9/none")
    _member_with(sandbox, "42", 600)
    _claim_tote(sandbox)
    topics = {w["topic"] for w in sandbox.webhooks()}
    assert topics == {"rewards/store_fulfilment"}
