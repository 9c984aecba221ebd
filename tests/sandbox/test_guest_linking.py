"""Guest orders linked on signup ("Reward historic purchases").

https://help.loyaltylion.com/en/articles/11060322-give-points-for-previous-guest-purchases
The shop sends guest orders with `"guest": true` and `customer_id` "guest-<order id>";
a $signup (guest: false) with the same email, in any case, links them to the account.
Default program: signup 200; 59.95 - 5.95 shipping = 540 purchase points.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .support import SandboxClient


def _guest_order(sandbox: SandboxClient, order_id: str, email: str, **fields) -> None:
    sandbox.create_order(order_id, f"guest-{order_id}", customer_email=email, guest=True, **fields)


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def test_a_guest_order_earns_nothing(sandbox: SandboxClient) -> None:
    _guest_order(sandbox, "1001", "ada@example.com", payment_status="paid", total_paid="59.95")
    assert sandbox.balances("guest-1001") == {
        "approved": 0,
        "pending": 0,
        "spent": 0,
        "lifetime": 0,
    }
    order = sandbox.order("1001")
    assert (order["purchase_points"], order["guest_order"], order["linked_at"]) == (0, True, None)


def test_signup_with_the_same_email_links_guest_orders_and_awards_them(
    sandbox: SandboxClient,
) -> None:
    _guest_order(sandbox, "1001", "Ada@Example.COM", payment_status="paid", total_paid="59.95")
    _guest_order(sandbox, "1002", "ada@example.com")  # not paid yet
    sandbox.signup("42", email="ada@example.com")

    account = sandbox.list_customer("42")
    assert account["linked_merchant_ids"] == ["guest-1001", "guest-1002"]
    # Signup 200 approved; the paid order's 540 approved, the unpaid one's 540 pending.
    assert (account["points_approved"], account["points_pending"]) == (740, 540)

    # The guest customers stay, not enrolled, with nothing of their own.
    guest = sandbox.list_customer("guest-1001")
    assert (guest["guest"], guest["linked_merchant_ids"], guest["points_approved"]) == (
        True,
        [],
        0,
    )
    order = sandbox.order("1001")
    assert (order["customer_id"], order["placed_by"], order["purchase_points"]) == (
        "42",
        "guest-1001",
        540,
    )
    assert order["linked_at"] is not None
    listed = {o["merchant_id"]: o for o in sandbox.api("GET", "/v2/orders").json()["orders"]}
    assert listed["1001"]["customer"]["merchant_id"] == "42"
    signup = sandbox.customer("42")["activities"][0]
    assert "guest order 1001 linked: worth 540 points" in signup["outcome"]


def test_updates_to_a_linked_guest_order_move_the_account_s_points(
    sandbox: SandboxClient,
) -> None:
    _guest_order(sandbox, "1001", "ada@example.com")
    sandbox.signup("42", email="ada@example.com")
    assert sandbox.balances("42")["pending"] == 540

    assert sandbox.update_order("1001", total_paid="59.95").status_code == 204
    assert sandbox.balances("42") == {"approved": 740, "pending": 0, "spent": 0, "lifetime": 740}

    refund = sandbox.update_order("1001", refund_status="refunded", total_refunded="59.95")
    assert refund.status_code == 204
    assert sandbox.balances("42")["approved"] == 200  # the signup's only
    assert sandbox.order("1001")["points"] == {"pending": 0, "approved": 0, "void": 540}
    assert sandbox.balances("guest-1001")["lifetime"] == 0


def test_guest_orders_older_than_the_timeframe_earn_nothing(sandbox: SandboxClient) -> None:
    # historic_purchases_days defaults to 365 (the sandbox's choice).
    _guest_order(sandbox, "old", "ada@example.com", payment_status="paid", date=_days_ago(400))
    _guest_order(sandbox, "new", "ada@example.com", payment_status="paid", date=_days_ago(10))
    sandbox.signup("42", email="ada@example.com")

    assert sandbox.list_customer("42")["linked_merchant_ids"] == ["guest-old", "guest-new"]
    assert sandbox.order("old")["purchase_points"] == 0
    assert "older than 365 days" in sandbox.order("old")["notes"]
    assert sandbox.order("new")["purchase_points"] == 540
    assert sandbox.balances("42")["approved"] == 200 + 540


def test_the_timeframe_is_a_setting(sandbox: SandboxClient) -> None:
    sandbox.settings(historic_purchases_days=7)
    _guest_order(sandbox, "1001", "ada@example.com", payment_status="paid", date=_days_ago(10))
    sandbox.signup("42", email="ada@example.com")
    assert sandbox.order("1001")["purchase_points"] == 0

    sandbox.settings(historic_purchases_days=None)  # since the program launched
    _guest_order(sandbox, "1002", "bea@example.com", payment_status="paid", date=_days_ago(900))
    sandbox.signup("43", email="bea@example.com")
    assert sandbox.order("1002")["purchase_points"] == 540


def test_with_reward_historic_purchases_off_orders_link_but_earn_nothing(
    sandbox: SandboxClient,
) -> None:
    sandbox.settings(reward_historic_purchases=False)
    _guest_order(sandbox, "1001", "ada@example.com", payment_status="paid")
    sandbox.signup("42", email="ada@example.com")
    assert sandbox.list_customer("42")["linked_merchant_ids"] == ["guest-1001"]
    assert sandbox.order("1001")["purchase_points"] == 0
    assert sandbox.balances("42")["approved"] == 200


def test_a_guest_with_another_email_is_not_linked(sandbox: SandboxClient) -> None:
    _guest_order(sandbox, "1001", "someone-else@example.com", payment_status="paid")
    sandbox.signup("42", email="ada@example.com")
    assert sandbox.list_customer("42")["linked_merchant_ids"] == []
    assert sandbox.order("1001")["customer_id"] == "guest-1001"
    assert sandbox.balances("42")["approved"] == 200


def test_a_guest_is_linked_once_and_to_one_account(sandbox: SandboxClient) -> None:
    _guest_order(sandbox, "1001", "ada@example.com", payment_status="paid")
    sandbox.signup("42", email="ada@example.com")
    sandbox.signup("42", email="ada@example.com")  # a duplicate signup links nothing twice
    sandbox.signup("43", email="ADA@example.com")  # nor does a second account
    assert sandbox.list_customer("42")["linked_merchant_ids"] == ["guest-1001"]
    assert sandbox.list_customer("43")["linked_merchant_ids"] == []
    assert sandbox.balances("42")["approved"] == 740


def test_an_account_s_own_earlier_guest_orders_are_rewarded_too(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42", customer_email="ada@example.com", guest=True)
    assert sandbox.balances("42")["pending"] == 0
    sandbox.signup("42", email="ada@example.com")
    assert sandbox.balances("42")["pending"] == 540
    assert sandbox.list_customer("42")["linked_merchant_ids"] == []  # not itself


def test_a_guest_order_for_an_enrolled_account_earns_as_theirs(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.create_order("1001", "42", guest=True)
    assert sandbox.balances("42")["pending"] == 540
    [entry] = sandbox.log("/v2/orders", method="POST")
    assert any("enrolled account" in warning for warning in entry["warnings"])


def test_a_linked_order_keeps_the_referral_it_was_received_with(sandbox: SandboxClient) -> None:
    sandbox.signup("7")
    code = sandbox.list_customer("7")["referral_id"]
    _guest_order(sandbox, "1001", "ada@example.com", referral_id=code)
    sandbox.signup("42", email="ada@example.com")

    sandbox.update_order("1001", total_paid="59.95")
    assert sandbox.balances("7")["approved"] == 200 + 300
    sandbox.update_order("1001", refund_status="refunded", total_refunded="59.95")
    assert sandbox.balances("7")["approved"] == 200
    # The account's next order is not its first: no referral points from it.
    sandbox.create_order("1002", "42", referral_id=code, payment_status="paid")
    assert sandbox.order("1002")["referral_points"] == 0


def test_the_settings_are_validated(sandbox: SandboxClient) -> None:
    for patch in (
        {"reward_historic_purchases": "yes"},
        {"historic_purchases_days": 0},
        {"historic_purchases_days": "30"},
    ):
        response = sandbox.control("POST", "/settings", json=patch)
        assert response.status_code == 400, patch
        assert list(response.json()["error"]["details"]) == list(patch)
    settings = sandbox.control("GET", "/settings").json()["settings"]
    assert (settings["reward_historic_purchases"], settings["historic_purchases_days"]) == (
        True,
        365,
    )
