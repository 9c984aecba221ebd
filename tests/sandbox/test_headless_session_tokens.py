"""Customer session tokens on the Headless API (the sandbox's reading of
https://developers.loyaltylion.com/headless-api/session-tokens, docs/sandbox.md)."""

from __future__ import annotations

import time

import pytest

from loyaltylion_sandbox.headless_contract import validate_response
from tests.sandbox_client import headless_session_token as token_for

from .support import SandboxClient


def test_a_session_token_acts_for_its_customer(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.api("POST", "/v2/customers/42/points", {"points": 400})
    token = token_for("42")
    mine = sandbox.headless("GET", "/customers/42", token=token)
    assert mine.status_code == 200, mine.text
    assert validate_response("customers.getCustomer", 200, mine.json()) == []
    assert sandbox.headless("GET", "/configuration", token=token).status_code == 200
    redeemed = sandbox.headless(
        "POST",
        "/rewards/cart_discount_voucher/redeem",
        {"reward_id": 1, "customer_merchant_id": "42"},
        token=token,
    )
    assert redeemed.status_code == 201, redeemed.text
    assert sandbox.log("/headless/")[0]["auth_scheme"] == "session_token"


def test_a_session_token_cannot_act_for_another_customer(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.signup("43")
    token = token_for("42")
    other = sandbox.headless("GET", "/customers/43", token=token)
    assert other.status_code == 403
    assert validate_response("customers.getCustomer", 403, other.json()) == []
    body = {"reward_id": 1, "customer_merchant_id": "43"}
    redeem = sandbox.headless("POST", "/rewards/cart_discount_voucher/redeem", body, token=token)
    assert redeem.status_code == 403
    rule = sandbox.headless(
        "POST", "/rules/custom/complete", {"rule_id": 10, "customer_merchant_id": "43"}, token=token
    )
    assert rule.status_code == 403
    assert sandbox.balances("43")["approved"] == 200


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda: token_for("42", ttl=-1), "expired"),
        (lambda: token_for("42", secret="not the secret"), "signature"),
        (lambda: token_for("42")[:-2] + "00", "signature"),
        (lambda: token_for("42", key_id="another_key"), "key_id"),
        (lambda: token_for("42", site_id=2), "site"),
        (lambda: "abc.def", "signature"),
    ],
    ids=["expired", "wrong-secret", "tampered", "wrong-key-id", "wrong-site", "garbage"],
)
def test_bad_session_tokens_are_refused(sandbox: SandboxClient, token, reason: str) -> None:
    sandbox.signup("42")
    response = sandbox.headless("GET", "/customers/42", token=token())
    assert response.status_code == 401
    assert validate_response("customers.getCustomer", 401, response.json()) == []
    assert reason in response.json()["error"]["message"]


def test_a_token_issued_long_ago_is_fine_until_it_expires(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    old = token_for("42", issued_at=int(time.time()) - 3000, ttl=3600)
    assert sandbox.headless("GET", "/customers/42", token=old).status_code == 200
