"""Drift controls for the store's reconcile tests: an order changed in LoyaltyLion's
own admin (POST /_sandbox/orders/<merchant_id>/drift), or never received
(DELETE /_sandbox/orders/<merchant_id>). Default program: 540 points per order."""

from __future__ import annotations

import pytest

from .support import SandboxClient


def test_drift_sets_fields_bumps_updated_at_and_reconciles(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42")
    before = sandbox.order("1001")
    assert sandbox.balances("42")["pending"] == 540

    after = sandbox.drift("1001", payment_status="paid", total_paid="59.95")
    assert (after["payment_status"], after["total_paid"]) == ("paid", "59.95")
    assert after["updated_at"] > before["updated_at"]
    assert after["update_count"] == 0  # not an Admin API update
    assert after["points"] == {"pending": 0, "approved": 540, "void": 0}
    assert sandbox.balances("42")["approved"] == 540
    # The API shows the drifted state.
    detail = sandbox.api("GET", "/v2/orders/1001").json()
    assert (detail["payment_status"], detail["total_paid"]) == ("paid", "59.95")


def test_drift_shows_up_for_updated_at_min(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42")
    sandbox.create_order("1002", "42")
    since = sandbox.order("1002")["updated_at"]
    sandbox.drift("1001", cancellation_status="cancelled")
    page = sandbox.api("GET", "/v2/orders", params={"updated_at_min": since}).json()
    assert [o["merchant_id"] for o in page["orders"]] == ["1002", "1001"]
    assert sandbox.order("1001")["points"]["void"] == 540


def test_drift_of_refund_and_total(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42", payment_status="paid", total_paid="59.95")
    order = sandbox.drift(
        "1001", refund_status="partially_refunded", total_refunded="20.00", total="59.95"
    )
    assert order["points"]["approved"] == 340  # 54.00 - 20.00 = 34 whole units
    # A higher total earns no more than the order was worth when received.
    assert sandbox.drift("1001", total="99.95", refund_status="not_refunded", total_refunded="0")[
        "points"
    ] == {"pending": 0, "approved": 540, "void": 200}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"payment_status": "done"}, "payment_status"),
        ({"refund_status": None}, "refund_status"),
        ({"cancellation_status": "canceled"}, "cancellation_status"),
        ({"total": 59.95}, "total"),
        ({"total_paid": "1,234.50"}, "total_paid"),
        ({"total_refunded": "1.005"}, "total_refunded"),
        ({"merchant_number": "X"}, "merchant_number"),
        ({}, "body"),
    ],
)
def test_drift_validates_like_the_api(sandbox: SandboxClient, body: dict, field: str) -> None:
    sandbox.create_order("1001", "42")
    response = sandbox.control("POST", "/orders/1001/drift", json=body)
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == [field]
    assert sandbox.order("1001")["payment_status"] == "not_paid"  # nothing changed


def test_drift_of_an_unknown_order_is_404(sandbox: SandboxClient) -> None:
    response = sandbox.control("POST", "/orders/nope/drift", json={"payment_status": "paid"})
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_drift_routes_refuse_other_origins(sandbox: SandboxClient, method: str) -> None:
    sandbox.create_order("1001", "42")
    path = "/orders/1001/drift" if method == "POST" else "/orders/1001"
    response = sandbox.control(
        method, path, json={"payment_status": "paid"}, headers={"Origin": "http://evil.test"}
    )
    assert response.status_code == 403
    assert sandbox.order("1001")["payment_status"] == "not_paid"


def test_forgetting_an_order_takes_its_points_back(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.create_order("1001", "42", payment_status="paid", total_paid="59.95")
    sandbox.create_order("1002", "42")
    assert sandbox.balances("42")["approved"] == 740

    sandbox.forget_order("1001")
    assert sandbox.balances("42") == {"approved": 200, "pending": 540, "spent": 0, "lifetime": 740}
    assert sandbox.order("1001") is None
    assert sandbox.api("GET", "/v2/orders/1001").status_code == 404
    listed = sandbox.api("GET", "/v2/orders").json()["orders"]
    assert [o["merchant_id"] for o in listed] == ["1002"]
    # The ledger keeps the history (append-only): the points went to void.
    rows = [e for e in sandbox.customer("42")["ledger"] if "forgotten" in e["reason"]]
    assert {(e["state"], e["points"]) for e in rows} == {("approved", -540), ("void", 540)}

    assert sandbox.control("DELETE", "/orders/1001").status_code == 404
    # The store can send it again, and it earns again.
    sandbox.create_order("1001", "42", payment_status="paid", total_paid="59.95")
    assert sandbox.balances("42")["approved"] == 740


def test_forgetting_an_order_takes_back_its_referral_and_frees_its_codes(
    sandbox: SandboxClient,
) -> None:
    sandbox.signup("7")
    code = sandbox.list_customer("7")["referral_id"]
    sandbox.signup("42", referral_id=code)
    sandbox.api("POST", "/v2/customers/42/points", {"points": 300})
    claim = sandbox.api("POST", "/v2/customers/42/claimed_rewards", {"reward_id": 1})
    voucher = claim.json()["claimed_reward"]["redeemable"]["code"]
    sandbox.create_order(
        "1001",
        "42",
        payment_status="paid",
        total_paid="59.95",
        discount_codes=[{"code": voucher, "amount": "5.00"}],
    )
    assert sandbox.balances("7")["approved"] == 500
    assert sandbox.reward_codes(1)[0] == {"code": voucher, "state": "used"}

    sandbox.forget_order("1001")
    assert sandbox.balances("7")["approved"] == 200
    assert sandbox.reward_codes(1)[0] == {"code": voucher, "state": "claimed"}


def test_forgetting_an_unknown_order_is_404(sandbox: SandboxClient) -> None:
    response = sandbox.control("DELETE", "/orders/nope")
    assert response.status_code == 404
    assert list(response.json()["error"]["details"]) == ["merchant_id"]
