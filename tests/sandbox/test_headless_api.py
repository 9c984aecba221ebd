"""The Headless API stand-in (/headless/2025-06/<site_id>/...), over real HTTP.

Every answer is checked against the schemas written from LoyaltyLion's published types
(loyaltylion_sandbox.headless_contract), success and error alike.
"""

from __future__ import annotations

import time

import pytest
import requests

from loyaltylion_sandbox.headless_contract import validate_response

from .support import SHOP_ORIGIN, SandboxClient

REDEEM_CART = "/rewards/cart_discount_voucher/redeem"
REDEEM_SHIPPING = "/rewards/free_shipping_voucher/redeem"
COMPLETE_CUSTOM = "/rules/custom/complete"
NEWSLETTER_RULE_ID, REVIEW_RULE_ID = 10, 11


def checked(operation: str, response: requests.Response, status: int) -> dict:
    """The answer's JSON, after checking its status and its body against the types."""
    assert response.status_code == status, response.text
    body = response.json()
    assert validate_response(operation, status, body) == [], body
    return body


def error_code(operation: str, response: requests.Response, status: int) -> str | None:
    return checked(operation, response, status)["error"].get("code")


def enrolled(sandbox: SandboxClient, merchant_id: str, points: int = 0) -> None:
    """An account holder (a $signup through the Admin API: 200 points) plus `points`."""
    sandbox.signup(merchant_id)
    if points:
        response = sandbox.api("POST", f"/v2/customers/{merchant_id}/points", {"points": points})
        assert response.status_code == 201, response.text


def redeem(sandbox: SandboxClient, merchant_id: str, reward_id: int = 1, path: str = REDEEM_CART):
    return sandbox.headless(
        "POST", path, {"reward_id": reward_id, "customer_merchant_id": merchant_id}
    )


# ------------------------------------------------------------------- configuration


def test_configuration_is_the_program(sandbox: SandboxClient) -> None:
    config = checked(
        "configuration.getConfiguration", sandbox.headless("GET", "/configuration"), 200
    )
    assert (config["channel"], config["currency"], config["language"]) == ("web", "usd", "en")
    rules = {
        rule["kind"] + ":" + rule.get("properties", {}).get("name", ""): rule
        for rule in config["rules"]
    }
    assert set(rules) == {
        "join_program:",
        "purchase:",
        "referral:",
        "custom:newsletter_signup",
        "custom:product_review",
    }
    purchase = rules["purchase:"]["variants"][0]
    assert purchase["result"] == {"kind": "points", "per_currency_unit": 1, "points": 10}
    assert purchase["result_short_text"] == "10 points per $1"
    assert rules["custom:newsletter_signup"]["id"] == NEWSLETTER_RULE_ID
    assert rules["custom:newsletter_signup"]["limit"] == {"count": 1, "interval": None}
    voucher, custom = config["rewards"]
    assert voucher["kind"] == "cart_discount_voucher"
    assert voucher["properties"]["discount"] == {"amount": 5, "formatted": "$5"}
    assert voucher["variants"][0]["cost"] == {"kind": "fixed", "points": 500}
    assert custom["kind"] == "custom"
    tiers = config["tier_configuration"]
    assert tiers["boundary_mode"] == "points"
    assert [(t["name"], t["lower_bound"], t["upper_bound"]) for t in tiers["tiers"]] == [
        ("Bronze", 0, 499),
        ("Silver", 500, 1499),
        ("Gold", 1500, None),
    ]
    assert tiers["membership"] == {"mode": "lifetime"}
    # One variant per tier.
    assert [v["tier_id"] for v in voucher["variants"]] == [1, 2, 3]


def test_settings_change_the_configuration(sandbox: SandboxClient) -> None:
    sandbox.settings(tiers=None, signup_points=0)
    config = checked(
        "configuration.getConfiguration", sandbox.headless("GET", "/configuration"), 200
    )
    assert config["tier_configuration"] is None
    assert "join_program" not in {rule["kind"] for rule in config["rules"]}
    assert config["rules"][0]["variants"][0]["tier_id"] is None
    bad = sandbox.control("POST", "/settings", json={"tiers": [{"name": "X", "lower_bound": 5}]})
    assert bad.status_code == 400 and "tiers" in bad.json()["error"]["details"]


def test_the_channel_comes_from_the_query_or_the_header(sandbox: SandboxClient) -> None:
    response = sandbox.headless("GET", "/configuration", channel=None, params={"channel": "pos"})
    assert checked("configuration.getConfiguration", response, 200)["channel"] == "pos"
    missing = checked(
        "configuration.getConfiguration",
        sandbox.headless("GET", "/configuration", channel=None),
        400,
    )
    assert missing["error"]["message"] == "Invalid request"
    assert "channel" in missing["error"]["details"]
    wrong = checked(
        "customers.getCustomer", sandbox.headless("GET", "/customers/1", channel="shop"), 400
    )
    assert (
        wrong["error"]["details"]["channel"]
        == 'Invalid option: expected one of "web"|"pos"|"mobile"'
    )


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong_key",
        "Basic c2FuZGJveF9zaXRlX3Rva2VuOnNhbmRib3hfc2l0ZV9zZWNyZXQ=",
        "Token x",
    ],
    ids=["none", "wrong-key", "token-and-secret", "other-scheme"],
)
def test_auth_is_an_api_key(sandbox: SandboxClient, authorization: str | None) -> None:
    headers = {"X-LoyaltyLion-Channel": "web"}
    if authorization:
        headers["Authorization"] = authorization
    response = sandbox.http.get(
        sandbox.url + "/headless/2025-06/1/configuration", headers=headers, timeout=10
    )
    body = checked("configuration.getConfiguration", response, 401)
    assert body["error"]["message"].startswith("Authentication is required")


def test_another_site_id_is_not_found(sandbox: SandboxClient) -> None:
    for path in ("/headless/2025-06/2/configuration", "/headless/2025-06/abc/customers/1"):
        operation = (
            "configuration.getConfiguration" if "configuration" in path else "customers.getCustomer"
        )
        assert error_code(operation, sandbox.headless("GET", path), 404) == "not_found"
    unknown = sandbox.headless("GET", "/headless/2025-06/1/transactions")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"


def test_cors_for_the_shop_origin(sandbox: SandboxClient) -> None:
    url = sandbox.url + "/headless/2025-06/1/customers/1"
    preflight = sandbox.http.options(
        url,
        headers={
            "Origin": SHOP_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, x-loyaltylion-channel",
        },
        timeout=10,
    )
    assert preflight.status_code == 204
    assert "x-loyaltylion-channel" in preflight.headers["Access-Control-Allow-Headers"].lower()
    other = sandbox.http.options(
        url,
        headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert other.status_code == 403
    answer = sandbox.headless("GET", "/configuration", headers={"Origin": SHOP_ORIGIN})
    assert answer.headers["Access-Control-Allow-Origin"] == SHOP_ORIGIN


# ------------------------------------------------------------------------ customers


def test_points_from_an_admin_api_order_show_the_same_everywhere(sandbox: SandboxClient) -> None:
    sandbox.signup("42", "ada@example.com")
    sandbox.create_order("1001", "42")  # 54.00 after shipping: 540 points, pending
    customer = checked("customers.getCustomer", sandbox.headless("GET", "/customers/42"), 200)[
        "customer"
    ]
    assert (customer["points_approved"], customer["points_pending"]) == (200, 540)
    assert sandbox.update_order("1001").status_code == 204  # paid
    sandbox.api("POST", "/v2/customers/42/claimed_rewards", {"reward_id": 1})
    headless = sandbox.headless_customer("42")
    balances = sandbox.balances("42")
    sdk = sandbox.sdk_login("42", "ada@example.com")["state"]["customer"]["points"]
    admin = sandbox.list_customer("42")
    assert (headless["points_approved"], headless["points_pending"], headless["points_spent"]) == (
        240,
        0,
        500,
    )
    assert (balances["approved"], balances["pending"], balances["spent"]) == (240, 0, 500)
    assert (sdk["approved"], sdk["pending"], sdk["spent"]) == (240, 0, 500)
    assert (admin["points_approved"], admin["points_pending"], admin["points_spent"]) == (
        240,
        0,
        500,
    )
    # The history covers each source once: the order's points moved from pending to approved.
    kinds = [(a["kind"], a.get("state"), a.get("points")) for a in headless["history"]]
    assert kinds == [
        ("redeemed_points_for_reward", "approved", -500),
        ("earned_points_from_rule", "approved", 540),
        ("earned_points_from_rule", "approved", 200),
    ]
    assert headless["history"][1]["rule"] == {"id": 2, "kind": "purchase"}


def test_tiers_follow_approved_points(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.create_order("1001", "42", total="105.95")  # 1,000 points, pending
    membership = sandbox.headless_customer("42")["tier_membership"]
    assert membership["tier_id"] == 1  # pending points do not count
    assert membership["progress"]["points_needed_for_upgrade"] == 300
    assert membership["progress"]["tier_points"] == {"now": 200, "at_expiration": None}
    assert sandbox.update_order("1001", total_paid="105.95").status_code == 204
    membership = sandbox.headless_customer("42")["tier_membership"]
    assert (membership["tier_id"], membership["expires_at"]) == (2, None)  # 1,200: Silver
    assert membership["progress"]["upgrade_tier_id"] == 3
    assert membership["progress"]["points_needed_for_upgrade"] == 300
    # Spending does not lower the tier; the variants follow it.
    redeem(sandbox, "42")
    customer = sandbox.headless_customer("42")
    assert customer["tier_membership"]["tier_id"] == 2
    assert {r["variant"]["tier_id"] for r in customer["available_rewards"]} == {2}
    sandbox.api("POST", "/v2/customers/42/points", {"points": 300})
    assert sandbox.headless_customer("42")["tier_membership"]["progress"]["upgrade_tier_id"] is None


def test_a_guest_and_a_blocked_customer(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "guest-1", guest=True)
    guest = sandbox.headless_customer("guest-1")
    assert guest == {
        "id": guest["id"],
        "merchant_id": "guest-1",
        "email": "guest-1@example.com",
        "first_name": None,
        "last_name": None,
        "state": "guest",
    }
    enrolled(sandbox, "42", 600)
    sandbox.api("PATCH", "/v2/customers/42", {"customer": {"blocked": True}})
    assert sandbox.headless_customer("42")["state"] == "blocked"
    assert (
        error_code("customers.getCustomer", sandbox.headless("GET", "/customers/nobody"), 404)
        == "not_found"
    )


def test_initialize_session_creates_and_enrols(sandbox: SandboxClient) -> None:
    body = {
        "customer": {"email": "bo@example.com"},
        "session": {"page_url": "http://shop.test/products/1"},
        "cart": {"kind": "empty"},
    }
    answer = checked(
        "customers.initializeSession", sandbox.headless("POST", "/customers/77/sessions", body), 200
    )
    assert answer["customer"]["state"] == "enrolled"
    assert answer["customer"]["email"] == "bo@example.com"
    assert answer["requested_cart_actions"] == []
    assert answer["configuration"]["program"]["name"]
    assert sandbox.list_customer("77")["enrolled"] is True
    # An existing customer keeps their email; another enrolled customer's email is taken.
    again = sandbox.headless(
        "POST", "/customers/77/sessions", {"customer": {"email": "new@example.com"}}
    )
    assert (
        checked("customers.initializeSession", again, 200)["customer"]["email"] == "bo@example.com"
    )
    taken = sandbox.headless(
        "POST", "/customers/78/sessions", {"customer": {"email": "BO@example.com"}}
    )
    assert error_code("customers.initializeSession", taken, 422) == "email_already_in_use"


@pytest.mark.parametrize(
    ("path", "operation", "body", "field"),
    [
        ("/customers/1/sessions", "customers.initializeSession", {}, "customer"),
        (
            "/customers/1/sessions",
            "customers.initializeSession",
            {"customer": {"email": "nope"}},
            "customer",
        ),
        (
            "/customers/1/sessions",
            "customers.initializeSession",
            {"customer": {"email": "a@example.com"}, "cart": {"kind": "magento"}},
            "cart",
        ),
        (
            REDEEM_CART,
            "rewards.redeemCartDiscountVoucher",
            {"reward_id": 1},
            "customer_merchant_id",
        ),
        (
            REDEEM_CART,
            "rewards.redeemCartDiscountVoucher",
            {"reward_id": "1", "customer_merchant_id": "1"},
            "reward_id",
        ),
        (
            REDEEM_SHIPPING,
            "rewards.redeemFreeShippingVoucher",
            {"customer_merchant_id": 1, "reward_id": 1},
            "customer_merchant_id",
        ),
        (
            "/customers/1/birthday",
            "customers.setBirthday",
            {"birthday": {"month": 9, "day": 20}},
            "birthday",
        ),
        ("/customers/1/birthday", "customers.setBirthday", {"birthday": "1993-09-20"}, "birthday"),
        (COMPLETE_CUSTOM, "rules.completeCustom", {"customer_merchant_id": "1"}, "rule_id"),
        (
            "/customers/1/email_marketing/subscribe",
            "customers.emailMarketingSubscribe",
            {"x": 1},
            "body",
        ),
    ],
)
def test_bad_bodies_are_400_naming_the_field(
    sandbox: SandboxClient, path, operation, body, field
) -> None:
    answer = checked(operation, sandbox.headless("POST", path, body), 400)
    assert answer["error"]["message"] == "Invalid request"
    assert field in answer["error"]["details"], answer
    assert sandbox.log("/headless/")[0]["verdict"] == "invalid"


def test_set_birthday(sandbox: SandboxClient) -> None:
    enrolled(sandbox, "42")
    body = {"birthday": {"month": 7, "day": 14, "year": 1990}}
    answer = checked(
        "customers.setBirthday", sandbox.headless("POST", "/customers/42/birthday", body), 200
    )
    assert answer["updated"] is True
    assert answer["birthday"] == {"month": 7, "day": 14, "year": 1990}
    assert answer["customer"]["birthday"] == {"month": 7, "day": 14, "year": 1990}
    assert answer["customer"]["next_birthday"].endswith("-07-14")
    assert sandbox.list_customer("42")["birthday"] == "1990-07-14"  # where PATCH stores it
    again = {"birthday": {"month": 1, "day": 2, "year": 1980}}
    second = checked(
        "customers.setBirthday", sandbox.headless("POST", "/customers/42/birthday", again), 200
    )
    assert (second["updated"], second["birthday"]["month"]) == (False, 7)
    for wrong in (
        {"month": 2, "day": 30, "year": 1990},
        {"month": 13, "day": 1, "year": 1990},
        {"month": 1, "day": 1, "year": 1800},
    ):
        enrolled(sandbox, "43")
        response = sandbox.headless("POST", "/customers/43/birthday", {"birthday": wrong})
        assert error_code("customers.setBirthday", response, 422) == "invalid_date"
    sandbox.create_order("1001", "guest-1", guest=True)
    guest = sandbox.headless("POST", "/customers/guest-1/birthday", body)
    assert error_code("customers.setBirthday", guest, 422) == "customer_not_enrolled"
    missing = sandbox.headless("POST", "/customers/nobody/birthday", body)
    assert error_code("customers.setBirthday", missing, 404) == "not_found"


def test_email_marketing_subscribe_completes_the_newsletter_rule(sandbox: SandboxClient) -> None:
    enrolled(sandbox, "42")
    path = "/customers/42/email_marketing/subscribe"
    answer = checked("customers.emailMarketingSubscribe", sandbox.headless("POST", path), 200)
    assert answer["updated"] is True
    assert answer["email_marketing_consent"] == {"state": "subscribed"}
    assert answer["customer"]["email_marketing_consent"] == {"state": "subscribed"}
    [action] = answer["actions"]
    assert (action["kind"], action["points"], action["state"]) == (
        "earned_points_from_rule",
        50,
        "approved",
    )
    assert action["rule"] == {"id": NEWSLETTER_RULE_ID, "kind": "custom"}
    assert sandbox.balances("42")["approved"] == 250
    again = checked("customers.emailMarketingSubscribe", sandbox.headless("POST", path, {}), 200)
    assert (again["updated"], again["actions"]) == (False, [])
    sandbox.api("PATCH", "/v2/customers/42", {"customer": {"blocked": True}})
    blocked = sandbox.headless("POST", path)
    assert error_code("customers.emailMarketingSubscribe", blocked, 422) == "customer_blocked"


# -------------------------------------------------------------------------- rewards


def test_redeem_spends_points_and_hands_out_the_next_pooled_code(
    sandbox: SandboxClient, receiver
) -> None:
    sandbox.subscribe("program_events/customer.claimed_reward", receiver.url)
    enrolled(sandbox, "42", 900)  # 1,100 approved
    answer = checked("rewards.redeemCartDiscountVoucher", redeem(sandbox, "42"), 201)
    assert answer["voucher_code"] == "LLSBX-5OFF-0001"
    claimed = answer["claimed_reward"]
    assert claimed["redeemable"]["code"] == "LLSBX-5OFF-0001"
    assert claimed["redeemable"]["discount"] == {"amount": 5, "formatted": "$5"}
    assert claimed["source"] == {"kind": "points_redemption", "points_cost": 500}
    assert answer["customer"]["points_approved"] == 600
    assert answer["customer"]["claimed_rewards"][0]["id"] == claimed["id"]
    # The SDK's claim draws from the same pool, and both are in the same ledger.
    sdk = sandbox.sdk_login("42", "42@example.com")
    claim = sandbox.http.post(
        sandbox.url + "/sdk/claim",
        json={"reward_id": 1},
        headers={"Authorization": f"Bearer {sdk['session_token']}"},
        timeout=10,
    )
    assert (
        claim.status_code == 201
        and claim.json()["claimed_reward"]["redeemable"]["code"] == "LLSBX-5OFF-0002"
    )
    states = [c["state"] for c in sandbox.reward_codes(1)[:3]]
    assert states == ["claimed", "claimed", "unused"]
    ledger = sandbox.customer("42")["ledger"]
    assert [e["kind"] for e in ledger if e["kind"] == "reward_claim"] == [
        "reward_claim",
        "reward_claim",
    ]
    # The same webhook as the SDK's claim.
    sandbox.deliver()
    topics = [r["headers"].get("X-Loyaltylion-Topic") for r in receiver.received]
    assert topics.count("program_events/customer.claimed_reward") == 2
    customer = sandbox.headless_customer("42")
    voucher = next(r for r in customer["available_rewards"] if r["id"] == 1)
    assert voucher["context"]["claim_count"] == 2
    assert voucher["context"]["can_redeem"] == {
        "state": "insufficient_points",
        "additional_points_required": 400,
    }


def test_the_docs_page_path_is_an_alias(sandbox: SandboxClient) -> None:
    enrolled(sandbox, "42", 300)
    answer = checked(
        "rewards.redeemCartDiscountVoucher",
        redeem(sandbox, "42", path="/redeem/cart_discount_voucher"),
        201,
    )
    assert answer["voucher_code"] == "LLSBX-5OFF-0001"


def test_redeem_errors(sandbox: SandboxClient) -> None:
    op = "rewards.redeemCartDiscountVoucher"
    enrolled(sandbox, "42")  # 200 points
    assert error_code(op, redeem(sandbox, "42"), 422) == "insufficient_points"
    can = next(r for r in sandbox.headless_customer("42")["available_rewards"] if r["id"] == 1)
    assert can["context"]["can_redeem"] == {
        "state": "insufficient_points",
        "additional_points_required": 300,
    }
    assert error_code(op, redeem(sandbox, "42", reward_id=999), 404) == "not_found"
    assert error_code(op, redeem(sandbox, "nobody"), 404) == "not_found"
    assert error_code(op, redeem(sandbox, "42", reward_id=2), 422) == "reward_kind_mismatch"
    empty = sandbox.create_reward(title="$10 off", point_cost=100, discount_amount="10.00")
    assert (
        error_code(op, redeem(sandbox, "42", reward_id=empty["id"]), 422) == "reward_out_of_stock"
    )
    context = next(
        r for r in sandbox.headless_customer("42")["available_rewards"] if r["id"] == empty["id"]
    )
    assert context["context"]["can_redeem"] == {"state": "out_of_stock"}
    sandbox.create_order("1001", "guest-1", guest=True)
    assert error_code(op, redeem(sandbox, "guest-1"), 422) == "customer_not_enrolled"
    sandbox.api("PATCH", "/v2/customers/42", {"customer": {"blocked": True}})
    assert error_code(op, redeem(sandbox, "42"), 422) == "customer_blocked"
    assert sandbox.balances("42")["spent"] == 0


def test_free_shipping_vouchers(sandbox: SandboxClient) -> None:
    reward = sandbox.create_reward(title="Free shipping", point_cost=200, kind="free_shipping")
    sandbox.import_codes(reward["id"], ["SHIP-1", "SHIP-2"])
    enrolled(sandbox, "42", 100)
    answer = checked(
        "rewards.redeemFreeShippingVoucher",
        redeem(sandbox, "42", reward["id"], REDEEM_SHIPPING),
        201,
    )
    assert answer["voucher_code"] == "SHIP-1"
    assert answer["claimed_reward"]["redeemable"]["kind"] == "free_shipping_voucher"
    assert answer["claimed_reward"]["redeemable"]["max_shipping"] is None
    config = sandbox.headless_get("/configuration")
    assert [r["kind"] for r in config["rewards"]] == [
        "cart_discount_voucher",
        "custom",
        "free_shipping_voucher",
    ]
    mismatch = redeem(sandbox, "42", reward["id"], REDEEM_CART)
    assert error_code("rewards.redeemCartDiscountVoucher", mismatch, 422) == "reward_kind_mismatch"
    wrong = redeem(sandbox, "42", 1, REDEEM_SHIPPING)
    assert error_code("rewards.redeemFreeShippingVoucher", wrong, 422) == "reward_kind_mismatch"
    # An order that uses the code marks it used, as for any voucher.
    sandbox.create_order("1001", "42", discount_codes=[{"code": "SHIP-1", "amount": "5.95"}])
    claimed = sandbox.headless_customer("42")["claimed_rewards"][0]
    assert claimed["redeemable"]["usage_status"] == "used"


# ---------------------------------------------------------------------------- rules


def test_complete_custom_rules(sandbox: SandboxClient) -> None:
    op = "rules.completeCustom"
    enrolled(sandbox, "42")
    review = {"rule_id": REVIEW_RULE_ID, "customer_merchant_id": "42"}
    answer = checked(op, sandbox.headless("POST", COMPLETE_CUSTOM, review), 200)
    [action] = answer["actions"]
    assert (action["points"], action["state"]) == (25, "pending")  # a "trigger" rule
    assert answer["customer"]["points_pending"] == 25
    # It is the Admin API's custom activity.
    activities = sandbox.customer("42")["activities"]
    assert activities[-1]["name"] == "product_review"
    newsletter = {"rule_id": NEWSLETTER_RULE_ID, "customer_merchant_id": "42"}
    assert (
        checked(op, sandbox.headless("POST", COMPLETE_CUSTOM, newsletter), 200)["actions"][0][
            "points"
        ]
        == 50
    )
    again = sandbox.headless("POST", COMPLETE_CUSTOM, newsletter)
    assert error_code(op, again, 422) == "rule_limit_reached"
    rules = {r["id"]: r for r in sandbox.headless_customer("42")["available_rules"]}
    assert rules[NEWSLETTER_RULE_ID]["context"]["completion_limit"] == {
        "state": "limit_reached_forever"
    }
    assert rules[REVIEW_RULE_ID]["context"]["completion_count"] == 1
    assert rules[1]["context"]["completion_count"] == 1  # joined
    join = sandbox.headless("POST", COMPLETE_CUSTOM, {"rule_id": 1, "customer_merchant_id": "42"})
    assert error_code(op, join, 422) == "rule_kind_mismatch"
    unknown = sandbox.headless(
        "POST", COMPLETE_CUSTOM, {"rule_id": 99, "customer_merchant_id": "42"}
    )
    assert error_code(op, unknown, 404) == "not_found"
    sandbox.create_order("1001", "guest-1", guest=True)
    guest = sandbox.headless("POST", COMPLETE_CUSTOM, {**review, "customer_merchant_id": "guest-1"})
    assert error_code(op, guest, 422) == "customer_not_enrolled"


# --------------------------------------------------------------------------- faults


def test_faults_can_hit_the_headless_api_only(sandbox: SandboxClient) -> None:
    sandbox.set_faults("5xx", scope="headless", count=1)
    down = sandbox.headless("GET", "/configuration")
    assert down.status_code == 503 and "message" in down.json()["error"]
    assert sandbox.api("GET", "/v2/identity/whoami").status_code == 200
    assert sandbox.headless("GET", "/configuration").status_code == 200
    sandbox.set_faults("429", scope="headless", count=1, retry_after=3)
    limited = sandbox.headless("GET", "/customers/1")
    assert error_code("customers.getCustomer", limited, 429) == "rate_limited"
    assert limited.headers["Retry-After"] == "3"
    sandbox.set_faults("slow", scope="headless", count=1, delay=0.5)
    started = time.monotonic()
    assert sandbox.api("GET", "/v2/identity/whoami").status_code == 200
    assert time.monotonic() - started < 0.4
    started = time.monotonic()
    assert sandbox.headless("GET", "/configuration").status_code == 200
    assert time.monotonic() - started >= 0.5
    sandbox.set_faults("drop", scope="headless", count=1)
    with pytest.raises(requests.ConnectionError):
        sandbox.headless("GET", "/configuration")
    assert sandbox.log("/headless/")[0]["verdict"] == "fault"


def test_admin_faults_leave_the_headless_api_alone_and_all_hits_both(
    sandbox: SandboxClient,
) -> None:
    fault = sandbox.set_faults("5xx", count=1)
    assert fault["scope"] == "admin"
    assert sandbox.headless("GET", "/configuration").status_code == 200
    assert sandbox.api("GET", "/v2/identity/whoami").status_code == 503
    sandbox.set_faults("5xx", scope="all", count=2)
    assert sandbox.headless("GET", "/configuration").status_code == 503
    assert sandbox.api("GET", "/v2/identity/whoami").status_code == 503
    assert sandbox.headless("GET", "/configuration").status_code == 200
    bad = sandbox.control("POST", "/faults", json={"mode": "5xx", "scope": "shop"})
    assert bad.status_code == 400 and "scope" in bad.json()["error"]["details"]
