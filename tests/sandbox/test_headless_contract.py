"""The Headless API schemas (loyaltylion_sandbox/headless_schemas) and their loader.

The bodies below are the examples of LoyaltyLion's Headless API pages and types,
shortened where a list repeats; what the types rule out must be refused, naming the
field.
"""

from __future__ import annotations

import copy
import json

import pytest

from loyaltylion_sandbox import headless_contract
from loyaltylion_sandbox.headless_contract import (
    OPERATIONS,
    validate_request,
    validate_response,
)

MONEY_5 = {"amount": 5, "formatted": "$5"}

CART_VOUCHER_REDEEMABLE = {
    "kind": "cart_discount_voucher",
    "applies_to_order_type": "all",
    "recurring_cycle_limit": 1,
    "code": "LL-XAIA8471",
    "discount_type": "fixed",
    "discount": MONEY_5,
    "minimum_spend": {"amount": 50, "formatted": "$50"},
    "expires_at": "2026-06-03T00:00:00Z",
    "used_at": None,
    "usage_status": "not_used",
}
CLAIMED = {
    "id": 1,
    "claimed_at": "2025-06-03T00:00:00Z",
    "auto_refund_at": None,
    "reward_id": 1,
    "title": "$5 discount",
    "state": "approved",
    "source": {"kind": "points_redemption", "points_cost": 500},
    "redeemable": CART_VOUCHER_REDEEMABLE,
}
# The customer of the Initialize Session page's example.
ENROLLED = {
    "state": "enrolled",
    "id": 1,
    "merchant_id": "1001",
    "email": "alice@example.com",
    "first_name": "Alice",
    "last_name": "Kyako",
    "points_approved": 500,
    "points_pending": 200,
    "points_spent": 500,
    "enrolled_at": "2025-06-01T15:00:00Z",
    "tier_membership": {
        "tier_id": 1,
        "started_at": "2025-06-01T15:00:00Z",
        "expires_at": "2026-06-01T15:00:00Z",
        "progress": {
            "kind": "spend",
            "tier_spend": {"now": {"amount": 200, "formatted": "$200"}, "at_expiration": None},
            "valid_until": "2026-06-01T15:00:00Z",
            "upgrade_tier_id": 2,
            "spend_needed_for_renewal": None,
            "spend_needed_for_upgrade": {"amount": 800, "formatted": "$800"},
            "forecasted_tier_id": None,
        },
    },
    "birthday": {"day": 22, "month": 6},
    "next_birthday": "2026-06-22",
    "claimed_rewards": [CLAIMED],
    "available_rules": [
        {
            "id": 1,
            "kind": "pageview",
            "limit": {"count": 5, "interval": "day"},
            "variant": {
                "tier_id": 1,
                "enabled": True,
                "title": "Visit our online store",
                "result": {"kind": "points", "per_currency_unit": None, "points": 10},
                "result_short_text": "10 points",
            },
            "context": {
                "last_completed_at": "2025-06-10T05:08:37.582Z",
                "completion_count": 22,
                "completion_limit": {
                    "state": "limit_not_reached",
                    "interval": "day",
                    "allowed_completions_within_interval": 5,
                    "completion_count_within_interval": 3,
                    "remaining_completions_within_interval": 2,
                },
            },
        }
    ],
    "available_rewards": [
        {
            "id": 2,
            "kind": "cart_discount_voucher",
            "limit": None,
            "properties": {
                "discount_type": "percentage",
                "discount": {"percentage": 10, "formatted": "10%"},
                "applies_to_order_type": "one_time",
                "recurring_cycle_limit": 1,
                "supports_active_subscriptions": False,
                "minimum_spend": {"amount": 50, "formatted": "$50"},
            },
            "variant": {
                "tier_id": 1,
                "enabled": True,
                "title": "10% discount",
                "cost": {"kind": "fixed", "points": 1000},
                "cost_text": "1,000 points",
            },
            "context": {
                "can_redeem": {"state": "insufficient_points", "additional_points_required": 500},
                "last_claimed_at": None,
                "claim_count": 0,
                "claim_limit": {"state": "no_limit"},
            },
        }
    ],
    "history": [
        {
            "kind": "redeemed_points_for_reward",
            "label": "$5 discount",
            "date": "2025-06-03T15:00:00Z",
            "points": -500,
            "points_text": "-500 points",
            "reward": {"id": 1, "kind": "cart_discount_voucher"},
            "claimed_reward_id": 1,
            "state": "approved",
        },
        {
            "kind": "entered_tier",
            "label": "Entered Silver tier",
            "date": "2025-06-02T15:00:00Z",
            "tier": {"id": 1, "name": "Silver"},
        },
    ],
    "active_cart_redemptions": [],
    "email_marketing_consent": {"state": "subscribed"},
    "sms_marketing_consent": {"state": "not_subscribed"},
    "referral_urls": dict.fromkeys(
        ("email", "direct", "facebook", "twitter", "whatsapp", "device_share"), "https://prz.io/_"
    ),
}
CONFIGURATION = {
    "channel": "web",
    "currency": "usd",
    "language": "en",
    "program": {"name": "Lion Rewards"},
    "tier_configuration": {
        "boundary_mode": "spend",
        "tiers": [
            {
                "id": 1,
                "name": "Silver",
                "benefit_ids": [1],
                "hidden": False,
                "kind": "spend",
                "position": 1,
                "lower_bound": {"amount": 0, "formatted": "$0"},
                "upper_bound": {"amount": 99.99, "formatted": "$99.99"},
            }
        ],
        "tier_benefits": [
            {"id": 1, "label": "Early access to new products", "secret": False, "details": None}
        ],
        "membership": {"mode": "rolling", "duration_months": 12},
    },
    "rules": [],
    "rewards": [],
}


def test_every_schema_file_is_valid_and_every_ref_resolves():
    headless_contract.check_schemas()


def test_every_file_names_its_source():
    for path in headless_contract.schema_files():
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", path.name
        assert schema["x-doc"].startswith("https://developers.loyaltylion.com/headless-api"), path
        if "$defs" not in schema:  # a body: the type it was written from
            assert schema["x-source"].startswith(
                "loyaltylion/typescript-headless-api-client src/types/"
            ), path.name


def test_operations_are_the_api_ts_operation_ids():
    assert set(OPERATIONS) == {
        "configuration.getConfiguration",
        "customers.getCustomer",
        "customers.initializeSession",
        "rewards.redeemCartDiscountVoucher",
        "rewards.redeemFreeShippingVoucher",
        "customers.setBirthday",
        "customers.emailMarketingSubscribe",
        "rules.completeCustom",
    }


def test_the_docs_examples_are_valid():
    session = {
        "channel": "web",
        "currency": "usd",
        "language": "en",
        "customer": ENROLLED,
        "configuration": CONFIGURATION,
        "requested_cart_actions": [],
    }
    assert validate_response("customers.initializeSession", 200, session) == []
    assert validate_response("configuration.getConfiguration", 200, CONFIGURATION) == []
    redeemed = {"voucher_code": "LL-XAIA8471", "claimed_reward": CLAIMED, "customer": ENROLLED}
    assert validate_response("rewards.redeemCartDiscountVoucher", 201, redeemed) == []
    birthday = {"updated": True, "birthday": {"month": 9, "day": 20, "year": 1993}}
    assert validate_response("customers.setBirthday", 200, {**birthday, "customer": ENROLLED}) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda c: c.pop("points_approved"), "customer.points_approved: is required"),
        (lambda c: c.update(points_pending="200"), "customer.points_pending: must be of type"),
        (lambda c: c.update(state="member"), "customer.state: must be one of"),
        (lambda c: c.update(tier_membership={"tier_id": 1}), "customer.tier_membership.progress"),
        (
            lambda c: c["claimed_rewards"][0]["redeemable"].pop("code"),
            "customer.claimed_rewards[0].redeemable.code: is required",
        ),
        (
            lambda c: c["available_rewards"][0]["context"].update(can_redeem={"state": "nope"}),
            "customer.available_rewards[0].context.can_redeem.state: must be one of",
        ),
        (
            lambda c: c["available_rewards"][0]["context"]["can_redeem"].pop(
                "additional_points_required"
            ),
            "can_redeem.additional_points_required: is required",
        ),
        (lambda c: c.update(birthday={"day": 1}), "customer.birthday.month: is required"),
        (lambda c: c.update(email_marketing_consent={"state": "yes"}), "email_marketing_consent"),
    ],
)
def test_what_the_types_rule_out_is_refused(change, problem):
    body = {
        "channel": "web",
        "currency": "usd",
        "language": "en",
        "customer": copy.deepcopy(ENROLLED),
        "configuration": CONFIGURATION,
    }
    change(body["customer"])
    problems = validate_response("customers.getCustomer", 200, body)
    assert any(problem in p for p in problems), problems


def test_null_is_allowed_exactly_where_the_types_say():
    body = {"voucher_code": "X", "claimed_reward": copy.deepcopy(CLAIMED), "customer": ENROLLED}
    body["claimed_reward"]["redeemable"]["minimum_spend"] = None  # CurrencyAmount | null
    assert validate_response("rewards.redeemCartDiscountVoucher", 201, body) == []
    body["claimed_reward"]["redeemable"]["code"] = None  # string
    assert validate_response("rewards.redeemCartDiscountVoucher", 201, body)


def test_error_bodies_per_operation():
    not_found = {"error": {"code": "not_found", "message": "Reward with ID `1000` not found"}}
    assert validate_response("rewards.redeemCartDiscountVoucher", 404, not_found) == []
    assert validate_response("customers.getCustomer", 404, {"error": {"message": "x"}})
    # getConfiguration's 404 has no code.
    assert (
        validate_response("configuration.getConfiguration", 404, {"error": {"message": "x"}}) == []
    )
    bad = {"error": {"message": "Invalid request", "details": {"channel": "Invalid option"}}}
    assert validate_response("customers.getCustomer", 400, bad) == []
    assert validate_response("customers.getCustomer", 400, {"error": {"details": {"a": ["b"]}}})
    assert validate_response("customers.getCustomer", 401, {"error": {"message": "no"}}) == []
    out = {"error": {"code": "reward_out_of_stock", "message": "Out of stock"}}
    assert validate_response("rewards.redeemFreeShippingVoucher", 422, out) == []
    # invalid_date is not a redeem code, and its type requires a message.
    assert validate_response(
        "rewards.redeemCartDiscountVoucher", 422, {"error": {"code": "invalid_date"}}
    )
    assert validate_response("customers.setBirthday", 422, {"error": {"code": "invalid_date"}})
    limit = {"error": {"code": "rule_limit_reached"}}
    assert validate_response("rules.completeCustom", 422, limit) == []
    assert (
        validate_response("customers.getCustomer", 429, {"error": {"code": "rate_limited"}}) == []
    )
    assert validate_response("customers.initializeSession", 404, not_found) == [
        "404 is not a documented response of customers.initializeSession "
        "(documented: 200, 400, 401, 403, 422, 429)"
    ]


def test_request_bodies():
    assert validate_request("rewards.redeemCartDiscountVoucher", {"reward_id": 1}) == {
        "customer_merchant_id": ["is required"]
    }
    assert validate_request(
        "rewards.redeemFreeShippingVoucher", {"reward_id": "1", "customer_merchant_id": 7}
    ) == {
        "customer_merchant_id": ["must be of type string (got 7)"],
        "reward_id": ['must be of type number (got "1")'],
    }
    assert (
        validate_request(
            "customers.setBirthday", {"birthday": {"month": 9, "day": 20, "year": 1993}}
        )
        == {}
    )
    assert "birthday" in validate_request("customers.setBirthday", {"birthday": {"month": 9}})
    session = {"customer": {"email": "alice@example.com"}, "cart": {"kind": "empty"}}
    assert validate_request("customers.initializeSession", session) == {}
    assert validate_request("customers.initializeSession", {"customer": {}}) == {
        "customer": ["customer.email: is required"]
    }
    assert "cart" in validate_request(
        "customers.initializeSession", {**session, "cart": {"kind": "magento"}}
    )
    assert (
        validate_request("rules.completeCustom", {"rule_id": 10, "customer_merchant_id": "1"}) == {}
    )
    assert validate_request("customers.emailMarketingSubscribe", None) == {}
    assert validate_request("rewards.redeemCartDiscountVoucher", []) == {
        "body": ["must be of type object (got [])"]
    }
    with pytest.raises(KeyError):
        validate_request("rewards.redeemGiftCard", {})
