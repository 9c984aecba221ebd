"""Webhooks from the sandbox to the shop over real HTTP, in both documented shapes.

The sandbox signs each one (x-loyaltylion-hmac-sha256) and sends x-loyaltylion-topic
and x-loyaltylion-site-domain beside it; the body is the envelope
(https://developers.loyaltylion.com/api-reference/v2/webhooks/overview) or the flat
payload (https://developers.loyaltylion.com/docs/features/custom-rewards), as its
`webhook_shape` setting says. The shop must fulfil both. `customers/update` reaches
the shop only once it subscribed, with `flask loyaltylion webhooks subscribe`.
"""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import select

from loyaltylion_sandbox.server import start_server
from storefront.extensions import db
from storefront.loyaltylion import WebhookEvent
from storefront.models import Gift, LoyaltySnapshot, User
from tests.delivery import PAST_BACKOFF, drain


@pytest.fixture
def shop_url(app):
    server = start_server(app, quiet=True)
    yield server.url
    server.shutdown()


def _control(app, method: str, path: str, **kwargs):
    url = f"{app.config['LOYALTYLION_API_URL']}/_sandbox{path}"
    response = requests.request(method, url, timeout=10, **kwargs)
    assert response.ok, response.text
    return response.json()


def _api(app, method: str, path: str, json=None):
    return requests.request(
        method,
        f"{app.config['LOYALTYLION_API_URL']}{path}",
        json=json,
        headers={"Authorization": f"Bearer {app.config['LOYALTYLION_API_KEY']}"},
        timeout=10,
    )


def _eventually(probe, what: str, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def _customer(app, auth, email: str) -> int:
    auth.signup(email=email)
    drain(app, ahead=PAST_BACKOFF)
    with app.app_context():
        return db.session.execute(select(User.id).where(User.email == email)).scalar_one()


@pytest.mark.parametrize("shape", ["envelope", "flat"])
def test_a_custom_reward_claim_is_fulfilled_in_either_shape(app, auth, shop_url, shape):
    _control(app, "POST", "/settings", json={"webhook_url": f"{shop_url}/webhooks/loyaltylion"})
    _control(app, "POST", "/settings", json={"webhook_shape": shape})
    customer_id = _customer(app, auth, f"{shape}@example.com")
    assert _api(app, "POST", f"/v2/customers/{customer_id}/points", {"points": 300}).ok
    claim = _api(app, "POST", f"/v2/customers/{customer_id}/claimed_rewards", {"reward_id": 2})
    assert claim.status_code == 201

    def gift():
        with app.app_context():
            return db.session.execute(
                select(Gift).where(Gift.customer_id == customer_id)
            ).scalar_one_or_none()

    _control(app, "POST", "/webhooks/deliver")
    assert _eventually(gift, f"the gift from a {shape} webhook").title == "Free tote bag"
    with app.app_context():
        event = db.session.execute(select(WebhookEvent)).scalar_one()
    assert event.status == "processed"
    assert (event.label == "(no id: flat body)") is (shape == "flat")
    [delivery] = _control(app, "GET", "/webhooks")["webhooks"]
    assert delivery["state"] == "delivered"
    assert delivery["headers"]["x-loyaltylion-topic"] == "rewards/store_fulfilment"


def test_customers_update_arrives_once_the_shop_has_subscribed(app, auth, runner, shop_url):
    customer_id = _customer(app, auth, "subscriber@example.com")
    refused = requests.post(
        f"{app.config['LOYALTYLION_API_URL']}/_sandbox/customers/{customer_id}/customers-update",
        timeout=10,
    )
    assert refused.status_code == 409  # nobody subscribed: LoyaltyLion would send nothing

    address = f"{shop_url}/webhooks/loyaltylion"
    result = runner.invoke(args=["loyaltylion", "webhooks", "subscribe", "--url", address])
    assert result.exit_code == 0, result.output
    assert "customers/update: subscribed" in result.output
    assert "rewards/store_fulfilment: set" in result.output  # not through the API
    again = runner.invoke(args=["loyaltylion", "webhooks", "subscribe", "--url", address])
    assert "customers/update: already subscribed" in again.output
    listed = runner.invoke(args=["loyaltylion", "webhooks", "list"])
    assert "customers/update" in listed.output and address in listed.output

    _control(app, "POST", f"/customers/{customer_id}/customers-update")

    def snapshot():
        with app.app_context():
            return db.session.get(LoyaltySnapshot, customer_id)

    assert _eventually(snapshot, "the loyalty status").points_approved == 200

    hooks = _api(app, "GET", "/v2/webhooks").json()["webhooks"]
    assert {hook["topic"] for hook in hooks} == {
        "customers/update",
        "program_events/customer.claimed_reward",
    }
    for hook in hooks:
        gone = runner.invoke(args=["loyaltylion", "webhooks", "unsubscribe", str(hook["id"])])
        assert gone.exit_code == 0, gone.output
    assert runner.invoke(args=["loyaltylion", "webhooks", "list"]).output.strip() == (
        "No webhook subscriptions."
    )
