"""The program's rules and the append-only ledger, driven through the Admin API.

Default program: signup 200; 10 points per whole 1.00 of (total - shipping),
pending until paid; referral 300; product_review 25 (a custom rule, pending until approved);
newsletter_signup 50 once.
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import SandboxClient, order_body


def _ledger(client: SandboxClient, customer: str) -> list[dict[str, Any]]:
    return client.customer(customer)["ledger"]


def test_signup_awards_the_signup_points(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    assert sandbox.balances("42") == {"approved": 200, "pending": 0, "spent": 0, "lifetime": 200}
    [entry] = _ledger(sandbox, "42")
    assert (entry["kind"], entry["points"], entry["state"]) == ("signup", 200, "approved")


def test_a_duplicate_signup_is_accepted_but_awards_nothing_twice(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.signup("42")  # 201 again (asserted by the helper)
    assert sandbox.balances("42")["approved"] == 200
    assert len(_ledger(sandbox, "42")) == 1


def test_a_guest_signup_awards_nothing(sandbox: SandboxClient) -> None:
    # `guest` defaults to true in LoyaltyLion; account holders must send false.
    body = {"name": "$signup", "customer_id": "42", "customer_email": "42@example.com"}
    assert sandbox.api("POST", "/v2/activities", body).status_code == 201
    assert sandbox.balances("42")["approved"] == 0
    assert any("guest" in w for w in sandbox.log("/v2/activities")[0]["warnings"])
    # ...and the real signup that follows still earns.
    sandbox.signup("42")
    assert sandbox.balances("42")["approved"] == 200


def test_order_points_are_pending_then_approved_on_payment(sandbox: SandboxClient) -> None:
    # 59.95 - 5.95 shipping = 54.00 -> 540 points.
    sandbox.create_order("1001", "42", total="59.95", total_shipping="5.95")
    assert sandbox.balances("42") == {"approved": 0, "pending": 540, "spent": 0, "lifetime": 540}

    assert (
        sandbox.update_order(
            "1001", payment_status="partially_paid", total_paid="20.00"
        ).status_code
        == 204
    )
    assert sandbox.balances("42")["pending"] == 540

    assert sandbox.update_order("1001", total_paid="59.95").status_code == 204
    assert sandbox.balances("42") == {"approved": 540, "pending": 0, "spent": 0, "lifetime": 540}


def test_points_count_whole_currency_units_only(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42", total="10.99", total_shipping="0.00")
    assert sandbox.balances("42")["pending"] == 100


def test_a_partial_refund_takes_off_the_points_for_the_amount_refunded(
    sandbox: SandboxClient,
) -> None:
    # https://help.loyaltylion.com/en/articles/1965601-refunds-and-returns-on-purchased-products
    # "LoyaltyLion deducts ($10 * 1 point/dollar)": per amount, not in proportion.
    sandbox.create_order("1001", "42", total="104.95", total_shipping="4.95")
    sandbox.update_order("1001", total_paid="104.95")
    assert sandbox.balances("42")["approved"] == 1000

    response = sandbox.update_order(
        "1001", refund_status="partially_refunded", total_paid="104.95", total_refunded="25.00"
    )
    assert response.status_code == 204
    # 100.00 spent, 25.00 of it refunded: what is left earns what 75.00 would.
    assert sandbox.balances("42") == {"approved": 750, "pending": 0, "spent": 0, "lifetime": 750}

    sandbox.update_order(
        "1001", refund_status="partially_refunded", total_paid="104.95", total_refunded="99.50"
    )
    assert sandbox.balances("42")["approved"] == 0  # 0.50 left: not a whole unit
    sandbox.update_order(
        "1001", refund_status="refunded", total_paid="104.95", total_refunded="104.95"
    )
    assert sandbox.balances("42")["approved"] == 0
    removed = [e for e in _ledger(sandbox, "42") if e["state"] == "void"]
    assert sum(e["points"] for e in removed) == 1000


def test_cancellation_voids_the_points(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42", total="59.95", total_shipping="5.95")
    sandbox.update_order(
        "1001", payment_status="not_paid", total_paid="0.00", cancellation_status="cancelled"
    )
    assert sandbox.balances("42") == {"approved": 0, "pending": 0, "spent": 0, "lifetime": 0}
    kinds = [(e["points"], e["state"]) for e in _ledger(sandbox, "42")]
    assert (540, "void") in kinds and (-540, "pending") in kinds


def test_replaying_the_same_update_changes_nothing(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42", total="100.00", total_shipping="0.00")
    state = {
        "refund_status": "partially_refunded",
        "total_paid": "100.00",
        "total_refunded": "10.00",
    }
    sandbox.update_order("1001", **state)
    after_first = sandbox.customer("42")
    for _ in range(3):
        assert sandbox.update_order("1001", **state).status_code == 204
    assert sandbox.customer("42") == after_first
    assert after_first["balances"]["approved"] == 900


def test_a_guest_order_earns_no_points(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "77", guest=True)
    sandbox.update_order("1001")
    assert sandbox.balances("77")["approved"] == 0
    assert "guest" in sandbox.control("GET", "/orders/1001").json()["notes"]


def test_review_points_wait_for_approval(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    body = {
        "name": "product_review",
        "customer_id": "42",
        "customer_email": "42@example.com",
        "merchant_id": "review-1",
        "guest": False,
    }
    assert sandbox.api("POST", "/v2/activities", body).status_code == 201
    assert sandbox.balances("42")["pending"] == 25

    put = sandbox.api("PUT", "/v2/activities/product_review/review-1", {"state": "approved"})
    assert put.status_code == 204
    assert sandbox.balances("42") == {"approved": 225, "pending": 0, "spent": 0, "lifetime": 225}

    sandbox.api("PUT", "/v2/activities/product_review/review-1", {"state": "void"})
    assert sandbox.balances("42")["approved"] == 200


def test_a_declined_review_removes_its_pending_points(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    body = {
        "name": "product_review",
        "customer_id": "42",
        "customer_email": "42@example.com",
        "merchant_id": "review-2",
        "guest": False,
    }
    sandbox.api("POST", "/v2/activities", body)
    sandbox.api("PUT", "/v2/activities/product_review/review-2", {"state": "declined"})
    assert sandbox.balances("42") == {"approved": 200, "pending": 0, "spent": 0, "lifetime": 200}


def test_a_custom_rule_pays_once(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    body = {
        "name": "newsletter_signup",
        "customer_id": "42",
        "customer_email": "42@example.com",
        "guest": False,
    }
    for _ in range(2):
        assert sandbox.api("POST", "/v2/activities", body).status_code == 201
    assert sandbox.balances("42")["approved"] == 250


def test_an_unknown_activity_is_recorded_but_awards_nothing(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    body = {
        "name": "liked_a_photo",
        "customer_id": "42",
        "customer_email": "42@example.com",
        "guest": False,
    }
    assert sandbox.api("POST", "/v2/activities", body).status_code == 201
    assert sandbox.balances("42")["approved"] == 200
    assert sandbox.log("/v2/activities")[0]["verdict"] == "valid"


def test_settings_change_the_rules(sandbox: SandboxClient) -> None:
    response = sandbox.control("POST", "/settings", json={"signup_points": 75})
    assert response.status_code == 200
    assert response.json()["settings"]["signup_points"] == 75
    sandbox.signup("42")
    assert sandbox.balances("42")["approved"] == 75

    bad = sandbox.control("POST", "/settings", json={"signup_points": "lots", "nope": 1})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["details"]) == {"signup_points", "nope"}


def test_referral_credits_the_referrer_when_the_first_order_is_paid(sandbox: SandboxClient) -> None:
    sandbox.signup("1")
    referrer = sandbox.api("GET", "/v2/customers", params={"email": "1@example.com"}).json()
    code = referrer["customers"][0]["referral_id"]
    assert referrer["customers"][0]["referral_url"].endswith(f"/?ll_ref_id={code}")

    sandbox.signup(
        "2", referral_id=code, tracking_id="mail-9", ip_address="198.51.100.7", user_agent="UA/1"
    )
    friend = sandbox.customer("2")["customer"]
    assert friend["referred_by"]["merchant_id"] == "1"

    sandbox.create_order("5001", "2")
    assert sandbox.balances("1")["approved"] == 200  # not yet: unpaid
    sandbox.update_order("5001")
    assert sandbox.balances("1")["approved"] == 500

    # Only the first order counts.
    sandbox.create_order("5002", "2", payment_status="paid", total_paid="59.95")
    assert sandbox.balances("1")["approved"] == 500

    sandbox.update_order("5001", cancellation_status="cancelled")
    assert sandbox.balances("1")["approved"] == 200


def test_a_referral_id_on_the_first_order_also_counts(sandbox: SandboxClient) -> None:
    sandbox.signup("1")
    code = sandbox.customer("1")["customer"]["referral_id"]
    sandbox.create_order("7001", "3", referral_id=code, payment_status="paid", total_paid="59.95")
    assert sandbox.balances("1")["approved"] == 500
    order = sandbox.control("GET", "/orders/7001").json()
    assert order["referral_id"] == code


def test_self_referral_is_ignored(sandbox: SandboxClient) -> None:
    sandbox.signup("1")
    code = sandbox.customer("1")["customer"]["referral_id"]
    sandbox.create_order("7001", "1", referral_id=code, payment_status="paid", total_paid="59.95")
    assert sandbox.balances("1")["approved"] == 200 + 540


@pytest.mark.parametrize("points", [1, 250])
def test_points_can_be_added_and_removed(sandbox: SandboxClient, points: int) -> None:
    sandbox.signup("42")
    assert sandbox.api("POST", "/v2/customers/42/points", {"points": points}).status_code == 201
    assert sandbox.balances("42")["approved"] == 200 + points
    removed = sandbox.api(
        "POST", "/v2/customers/42/remove_points", {"points": points, "reason": "x"}
    )
    assert removed.status_code == 204
    assert sandbox.balances("42")["approved"] == 200


def test_removing_more_points_than_approved_is_422(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    response = sandbox.api("POST", "/v2/customers/42/remove_points", {"points": 500})
    assert response.status_code == 422
    assert list(response.json()["error"]["details"]) == ["points"]


def test_points_for_an_unknown_customer_are_404(sandbox: SandboxClient) -> None:
    response = sandbox.api("POST", "/v2/customers/nobody/points", {"points": 5})
    assert response.status_code == 404
    assert response.json()["error"]["details"] == {"merchant_id": ["not found"]}


def test_customers_by_email_show_the_three_balances(sandbox: SandboxClient) -> None:
    sandbox.signup("42", email="Ada@Example.com")
    sandbox.create_order("1001", "42", customer_email="Ada@Example.com")
    response = sandbox.api("GET", "/v2/customers", params={"email": "ada@example.com"})
    assert response.status_code == 200
    body = response.json()
    assert body["cursor"] == {"prev": None, "next": None}
    [customer] = body["customers"]
    assert customer["merchant_id"] == "42"
    assert (customer["points_approved"], customer["points_pending"], customer["points_spent"]) == (
        200,
        540,
        0,
    )
    assert sandbox.api("GET", "/v2/customers", params={"email": "x@y.z"}).json()["customers"] == []


def test_the_ledger_is_append_only(sandbox_app: Any, sandbox: SandboxClient) -> None:
    from loyaltylion_sandbox.db import db
    from loyaltylion_sandbox.models import LedgerEntry

    sandbox.signup("42")
    with sandbox_app.app_context():
        entry = db.session.execute(db.select(LedgerEntry)).scalars().first()
        entry.points = 1_000_000
        with pytest.raises(RuntimeError, match="immutable"):
            db.session.commit()
        db.session.rollback()
    assert sandbox.balances("42")["approved"] == 200


def test_orders_as_received_keep_tracking_fields(sandbox: SandboxClient) -> None:
    body = order_body(
        "1001",
        "42",
        referral_id="REF1",
        tracking_id="mail-9",
        ip_address="203.0.113.9",
        user_agent="UA/1",
        discount_codes=[{"code": "HELLO", "amount": "2.00"}],
    )
    assert sandbox.api("POST", "/v2/orders", body).status_code == 201
    order = sandbox.control("GET", "/orders/1001").json()
    for key in ("referral_id", "tracking_id", "ip_address", "user_agent", "discount_codes"):
        assert order[key] == body[key]
