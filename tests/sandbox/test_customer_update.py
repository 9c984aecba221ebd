"""PATCH /v2/customers/{merchant_id}: birthday and blocked, validated and stored.

https://developers.loyaltylion.com/api-reference/v2/resources/customers/update-customer
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import SandboxClient


def _patch(client: SandboxClient, customer: Any, merchant_id: str = "42"):
    return client.api("PATCH", f"/v2/customers/{merchant_id}", {"customer": customer})


def test_birthday_and_blocked_are_stored_and_answered(sandbox: SandboxClient) -> None:
    sandbox.signup("42", email="ada@example.com")
    response = _patch(sandbox, {"birthday": "1990-07-14", "blocked": True})
    assert response.status_code == 200
    customer = response.json()["customer"]
    assert (customer["merchant_id"], customer["birthday"], customer["blocked"]) == (
        "42",
        "1990-07-14",
        True,
    )
    assert customer["points_approved"] == 200  # the whole documented customer shape

    stored = sandbox.customer("42")["customer"]
    assert (stored["birthday"], stored["blocked"]) == ("1990-07-14", True)
    listed = sandbox.api("GET", "/v2/customers", params={"merchant_id": "42"}).json()
    assert listed["customers"][0]["birthday"] == "1990-07-14"
    entry = sandbox.log("/v2/customers/42")[0]
    assert (entry["method"], entry["verdict"], entry["response_status"]) == ("PATCH", "valid", 200)


def test_a_patch_changes_only_what_it_names(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    _patch(sandbox, {"birthday": "1990-07-14", "blocked": True})
    assert _patch(sandbox, {"blocked": False}).json()["customer"]["birthday"] == "1990-07-14"
    assert _patch(sandbox, {"birthday": "1985-01-31"}).json()["customer"]["blocked"] is False


@pytest.mark.parametrize(
    "birthday", ["14/07/1990", "1990-7-14", "1990-02-30", "1990-13-01", "", 19900714, None]
)
def test_a_bad_birthday_is_400_naming_the_field(sandbox: SandboxClient, birthday: Any) -> None:
    sandbox.signup("42")
    response = _patch(sandbox, {"birthday": birthday})
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert list(details) == ["customer"]
    [message] = details["customer"]
    assert message.startswith("customer.birthday: must be")
    assert sandbox.customer("42")["customer"]["birthday"] is None


def test_blocked_must_be_a_boolean(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    response = _patch(sandbox, {"blocked": "yes"})
    assert response.status_code == 400
    [message] = response.json()["error"]["details"]["customer"]
    assert message.startswith("customer.blocked: must be a JSON boolean")


def test_an_unknown_customer_is_404(sandbox: SandboxClient) -> None:
    response = _patch(sandbox, {"birthday": "1990-07-14"}, merchant_id="nobody")
    assert response.status_code == 404
    assert response.json()["error"]["details"] == {"merchant_id": ["not found"]}


def test_unknown_nested_fields_are_flagged(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    response = _patch(sandbox, {"birth_day": "1990-07-14"})
    assert response.status_code == 200  # tolerated, like any unknown field...
    warnings = sandbox.log("/v2/customers/42")[0]["warnings"]
    assert any("customer.birth_day" in w for w in warnings)  # ...but visible
    assert any("nothing to update" in w for w in warnings)


def test_a_blocked_customer_cannot_claim_and_sees_zero_points(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.api("POST", "/v2/customers/42/points", {"points": 800})
    _patch(sandbox, {"blocked": True})

    claim = sandbox.api("POST", "/v2/customers/42/claimed_rewards", {"reward_id": 1})
    assert claim.status_code == 422
    assert claim.json()["error"]["details"] == {"merchant_id": ["customer is blocked"]}
    assert sandbox.balances("42")["approved"] == 1000  # nothing spent

    session = sandbox.sdk_login("42", "42@example.com")
    state = session["state"]
    assert state["customer"]["blocked"] is True
    assert set(state["customer"]["points"].values()) == {0}
    assert {r["reason"] for r in state["rewards"]} == {"Your account cannot claim rewards"}

    _patch(sandbox, {"blocked": False})
    claim = sandbox.api("POST", "/v2/customers/42/claimed_rewards", {"reward_id": 1})
    assert claim.status_code == 201


def test_the_dashboard_shows_birthday_and_blocked(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    _patch(sandbox, {"birthday": "1990-07-14", "blocked": True})
    html = sandbox.http.get(sandbox.url + "/", timeout=10).text
    customers = html.split('id="customers"')[1].split("</section>")[0]
    assert "1990-07-14" in customers
    assert "blocked" in customers
