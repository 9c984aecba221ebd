"""The Webhook API: list, create and delete subscriptions (loyaltylion_sandbox/subscriptions.py).

https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/create-webhook
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import SandboxClient

ADDRESS = "https://shop.example/webhooks/loyaltylion"


def _create(sandbox: SandboxClient, webhook: Any):
    return sandbox.api("POST", "/v2/webhooks", {"webhook": webhook})


def test_create_list_delete(sandbox: SandboxClient) -> None:
    created = _create(sandbox, {"topic": "customers/update", "address": ADDRESS})
    assert created.status_code == 201
    webhook = created.json()["webhook"]
    assert set(webhook) == {
        "id",
        "topic",
        "address",
        "created_at",
        "updated_at",
        "service_integration_id",
    }
    assert (webhook["topic"], webhook["address"]) == ("customers/update", ADDRESS)
    assert sandbox.api("GET", "/v2/webhooks").json() == {"webhooks": [webhook]}

    assert sandbox.api("DELETE", f"/v2/webhooks/{webhook['id']}").status_code == 204
    assert sandbox.api("GET", "/v2/webhooks").json() == {"webhooks": []}
    assert sandbox.api("DELETE", f"/v2/webhooks/{webhook['id']}").status_code == 404


def test_store_fulfilment_cannot_be_subscribed_to(sandbox: SandboxClient) -> None:
    # "You cannot subscribe to this webhook topic via the LoyaltyLion API."
    # https://developers.loyaltylion.com/api-reference/v2/webhooks/events/rewards-store-fulfilment
    response = _create(sandbox, {"topic": "rewards/store_fulfilment", "address": ADDRESS})
    assert response.status_code == 400
    assert "custom reward's own URL" in response.json()["error"]["details"]["webhook"][0]


@pytest.mark.parametrize(
    ("webhook", "field"),
    [
        ({"address": ADDRESS}, "webhook"),
        ({"topic": "customers/update"}, "webhook"),
        ({"topic": "orders/create", "address": ADDRESS}, "webhook"),
        ({"topic": "customers/update", "address": "ftp://shop.example/x"}, "webhook"),
        ({"topic": "customers/update", "address": "http://shop.example/x"}, "webhook"),
        ("customers/update", "webhook"),
    ],
)
def test_a_bad_subscription_is_a_400_naming_the_field(
    sandbox: SandboxClient, webhook: Any, field: str
) -> None:
    response = _create(sandbox, webhook)
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == [field]
    assert sandbox.api("GET", "/v2/webhooks").json() == {"webhooks": []}


def test_plain_http_is_taken_for_a_loopback_shop_with_a_warning(sandbox: SandboxClient) -> None:
    local = "http://127.0.0.1:5000/webhooks/loyaltylion"
    assert _create(sandbox, {"topic": "customers/update", "address": local}).status_code == 201
    [entry] = sandbox.log("/v2/webhooks", method="POST")
    assert entry["warnings"] == ["address is http on a loopback host: LoyaltyLion wants https://"]


def test_the_same_topic_and_address_twice_is_refused(sandbox: SandboxClient) -> None:
    sandbox.subscribe("customers/update", ADDRESS)
    again = _create(sandbox, {"topic": "customers/update", "address": ADDRESS})
    assert again.status_code == 400
    assert "Already subscribed" in again.json()["error"]["message"]


def test_subscriptions_need_the_api_key(sandbox: SandboxClient) -> None:
    response = sandbox.http.get(sandbox.url + "/v2/webhooks", timeout=10)
    assert response.status_code == 401


def test_a_reset_forgets_subscriptions(sandbox: SandboxClient) -> None:
    sandbox.subscribe("customers/update", ADDRESS)
    sandbox.reset()
    assert sandbox.api("GET", "/v2/webhooks").json() == {"webhooks": []}
