"""The public schema API (`SCHEMAS`, `validate`, `unknown_fields`), without HTTP: every
rule says which LoyaltyLion page it comes from, the docs' own examples pass and what
the docs rule out fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from loyaltylion_sandbox.schemas import SCHEMAS, unknown_fields, validate

ORDER = {
    "merchant_id": "1001",
    "customer_id": "42",
    "customer_email": "ada@example.com",
    "total": "1234.50",
    "total_shipping": "4.95",
    "payment_status": "paid",
}


def test_every_schema_is_valid_draft_2020_12() -> None:
    assert set(SCHEMAS) == {
        "activity",
        "activity_state",
        "order_create",
        "order_update",
        "points_add",
        "points_remove",
        "claimed_reward",
        "customer_update",
        "webhook_create",
    }
    for schema in SCHEMAS.values():
        Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("money", ["1234.50", "0", "0.5", "12", "-3.25"])
def test_money_accepts_plain_decimal_strings(money: str) -> None:
    assert validate("order_create", {**ORDER, "total": money}) == {}


@pytest.mark.parametrize(
    "money", [1234.5, 1234, "1,234.50", "12.345", "12.", ".5", "$5.00", " 5.00", "5e2", ""]
)
def test_money_rejects_numbers_separators_and_extra_decimals(money: object) -> None:
    errors = validate("order_create", {**ORDER, "total": money})
    assert list(errors) == ["total"]
    assert "decimal string" in errors["total"][0]


def test_discount_codes_must_be_an_array_of_code_amount_objects() -> None:
    good = [{"code": "SAVE5", "amount": "5.00"}]
    assert validate("order_create", {**ORDER, "discount_codes": good}) == {}
    assert validate("order_create", {**ORDER, "discount_codes": []}) == {}

    single = validate(
        "order_create", {**ORDER, "discount_codes": {"code": "SAVE5", "amount": "5.00"}}
    )
    assert "a single object is not accepted" in single["discount_codes"][0]

    nested = validate("order_create", {**ORDER, "discount_codes": [{"code": "SAVE5", "amount": 5}]})
    assert nested["discount_codes"][0].startswith("discount_codes[0].amount:")

    missing = validate("order_create", {**ORDER, "discount_codes": [{"code": "SAVE5"}]})
    assert missing == {"discount_codes": ["discount_codes[0].amount: is required"]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("guest", "false"),
        ("guest", 0),
        ("claimed_reward_ids", ["1"]),
        ("claimed_reward_ids", 1),
        ("date", "2026-11-25"),  # no time
        ("date", "2026-11-25T18:30:00"),  # no zone
        ("date", "2026-13-25T18:30:00Z"),  # no such month
        ("date", "yesterday"),
        ("merchant_number", 1001),
        ("total_paid", None),  # leave optional fields out rather than null
    ],
)
def test_optional_fields_are_typed(field: str, value: object) -> None:
    assert list(validate("order_create", {**ORDER, field: value})) == [field]


@pytest.mark.parametrize("date", ["2026-11-25T18:30:00Z", "2026-11-25T18:30:00.123+01:00"])
def test_dates_with_a_zone_are_accepted(date: str) -> None:
    assert validate("order_create", {**ORDER, "date": date}) == {}


def test_each_missing_required_field_is_named() -> None:
    assert set(validate("order_update", {})) == {
        "payment_status",
        "refund_status",
        "cancellation_status",
        "total_paid",
        "total_refunded",
    }
    assert set(validate("activity", {})) == {"name", "customer_id", "customer_email"}


def test_a_body_that_is_not_an_object_is_reported_under_body() -> None:
    assert list(validate("points_add", [1, 2])) == ["body"]


def test_unknown_fields_are_allowed() -> None:
    assert (
        validate(
            "order_update",
            {
                "payment_status": "paid",
                "refund_status": "not_refunded",
                "cancellation_status": "not_cancelled",
                "total_paid": "1.00",
                "total_refunded": "0.00",
                "$magento_payload": {"anything": True},
            },
        )
        == {}
    )


def test_unknown_fields_lists_what_the_contract_does_not_describe() -> None:
    assert unknown_fields("order_create", {**ORDER, "shipping_method": "ups", "notes": ""}) == [
        "notes",
        "shipping_method",
    ]
    assert unknown_fields("order_create", ORDER) == []
    assert unknown_fields("order_create", "not an object") == []


# ---------------------------------------------------------------- where each rule is from


def _rules(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every field's rule, nested objects and array items included."""
    for name, field_rule in schema.get("properties", {}).items():
        yield f"{where}.{name}", field_rule
        yield from _rules(field_rule, f"{where}.{name}")
        items = field_rule.get("items")
        if isinstance(items, dict):
            yield from _rules(items, f"{where}.{name}[]")


DOC_SITES = ("https://developers.loyaltylion.com/", "https://help.loyaltylion.com/")


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_rule_carries_the_page_it_comes_from(name: str) -> None:
    schema = SCHEMAS[name]
    assert schema["x-doc"].startswith(DOC_SITES), name
    rules = list(_rules(schema, name))
    assert rules, name
    for where, field_rule in rules:
        assert field_rule.get("x-doc", "").startswith(DOC_SITES), f"{where} has no x-doc"
        choice = field_rule.get("x-choice")
        assert choice is None or (isinstance(choice, str) and choice), where


# ------------------------------------------------------- the docs' examples and violations

# Bodies LoyaltyLion's pages show (their placeholders filled with the field's documented
# example values); each must be accepted.
DOCUMENTED_EXAMPLES = {
    # https://developers.loyaltylion.com/api-reference/v2/resources/orders/update-order
    "update-order example": (
        "order_update",
        {
            "payment_status": "not_paid",
            "refund_status": "not_refunded",
            "cancellation_status": "cancelled",
            "total_paid": "99.99",
            "total_refunded": "59.99",
            "$magento_payload": "<unknown>",
        },
    ),
    # https://developers.loyaltylion.com/api-reference/v2/resources/orders/create-order
    # ("a decimal string without formatting, e.g. 99.99", "e.g. 3.49", "e.g. 9.99")
    "create-order example": (
        "order_create",
        {
            "customer_id": "5000001",
            "customer_email": "jesca.blue@example.com",
            "merchant_id": "1001",
            "total": "99.99",
            "total_shipping": "3.49",
            "total_paid": "9.99",
            "payment_status": "not_paid",
            "merchant_number": "#1001",
            "discount_codes": [{"code": "LION5", "amount": "5.00"}],
            "claimed_reward_ids": [123],
            "date": "2025-01-01T12:00:00Z",
            "ip_address": "203.0.113.9",
            "user_agent": "Mozilla/5.0",
            "referral_id": "ref-1",
            "tracking_id": "eid-1",
            "guest": True,
        },
    ),
    # https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
    "create-activity, a built-in": (
        "activity",
        {
            "name": "$signup",
            "customer_id": "1001",
            "customer_email": "jesca.blue@example.com",
            "merchant_id": "signup-1001",
            "date": "2025-01-01T12:00:00Z",
            "guest": False,
        },
    ),
    "create-activity, a custom rule by its identifier": (
        "activity",
        {
            "name": "newsletter_signup",
            "customer_id": "1001",
            "customer_email": "jesca.blue@example.com",
            "properties": {"list": "weekly"},
        },
    ),
    # https://developers.loyaltylion.com/api-reference/v2/resources/activities/update-activity
    "update-activity": ("activity_state", {"state": "approved"}),
    # https://developers.loyaltylion.com/api-reference/v2/resources/customers/update-customer
    # (birthday as in https://developers.loyaltylion.com/api-reference/v2/webhooks/events/customers-update)
    "update-customer": (
        "customer_update",
        {"customer": {"birthday": "1970-01-01", "blocked": True}},
    ),
    # https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/create-webhook
    "create-webhook example": (
        "webhook_create",
        {
            "webhook": {
                "topic": "customers/update",
                "address": "https://example.com/webhook",
                "service_integration_id": 123,
            }
        },
    ),
    # https://developers.loyaltylion.com/api-reference/v2/resources/customers/add-points
    "add-points": ("points_add", {"points": 100, "reason": None}),
    "remove-points": ("points_remove", {"points": 100, "reason": "Returned item"}),
    # https://developers.loyaltylion.com/api-reference/v2/resources/customers/rewards/redeem-reward
    "redeem-reward": ("claimed_reward", {"reward_id": 6}),
}


@pytest.mark.parametrize(("schema", "body"), DOCUMENTED_EXAMPLES.values(), ids=DOCUMENTED_EXAMPLES)
def test_documented_examples_are_accepted(schema: str, body: dict[str, Any]) -> None:
    assert validate(schema, body) == {}


ORDER_STATE = {
    "payment_status": "paid",
    "refund_status": "not_refunded",
    "cancellation_status": "not_cancelled",
    "total_paid": "99.99",
    "total_refunded": "0.00",
}
SIGNUP = {"name": "$signup", "customer_id": "1001", "customer_email": "a@example.com"}

# What the docs rule out (a required field, a type, an enum), with the field it is
# reported under.
DOCUMENTED_VIOLATIONS = {
    "create order without total": (
        "order_create",
        {k: v for k, v in ORDER.items() if k != "total"},
        "total",
    ),
    "create order, money as a number": ("order_create", {**ORDER, "total": 99.99}, "total"),
    "create order, money with a separator": (
        "order_create",
        {**ORDER, "total": "1,234.50"},
        "total",
    ),
    "create order, unknown payment status": (
        "order_create",
        {**ORDER, "payment_status": "settled"},
        "payment_status",
    ),
    "create order, guest as a string": ("order_create", {**ORDER, "guest": "true"}, "guest"),
    "create order, claimed reward ids as strings": (
        "order_create",
        {**ORDER, "claimed_reward_ids": ["123"]},
        "claimed_reward_ids",
    ),
    "update order without total_refunded": (
        "order_update",
        {k: v for k, v in ORDER_STATE.items() if k != "total_refunded"},
        "total_refunded",
    ),
    "update order, unknown refund status": (
        "order_update",
        {**ORDER_STATE, "refund_status": "returned"},
        "refund_status",
    ),
    "update order, unknown cancellation status": (
        "order_update",
        {**ORDER_STATE, "cancellation_status": "voided"},
        "cancellation_status",
    ),
    "activity without a name": (
        "activity",
        {k: v for k, v in SIGNUP.items() if k != "name"},
        "name",
    ),
    "activity without customer_email": (
        "activity",
        {k: v for k, v in SIGNUP.items() if k != "customer_email"},
        "customer_email",
    ),
    "activity, guest as a string": ("activity", {**SIGNUP, "guest": "false"}, "guest"),
    "activity, properties not an object": ("activity", {**SIGNUP, "properties": []}, "properties"),
    "activity state pending (not an update)": ("activity_state", {"state": "pending"}, "state"),
    "customer update, a null birthday": (
        "customer_update",
        {"customer": {"birthday": None}},
        "customer",
    ),
    "customer update, blocked as a string": (
        "customer_update",
        {"customer": {"blocked": "yes"}},
        "customer",
    ),
    "webhook without an address": (
        "webhook_create",
        {"webhook": {"topic": "customers/update"}},
        "webhook",
    ),
    "redeem without reward_id": ("claimed_reward", {}, "reward_id"),
    "points as a string": ("points_add", {"points": "100"}, "points"),
}


@pytest.mark.parametrize(
    ("schema", "body", "field"), DOCUMENTED_VIOLATIONS.values(), ids=DOCUMENTED_VIOLATIONS
)
def test_documented_violations_are_rejected_naming_the_field(
    schema: str, body: dict[str, Any], field: str
) -> None:
    assert list(validate(schema, body)) == [field]
