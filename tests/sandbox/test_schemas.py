"""The public schema API (`SCHEMAS`, `validate`, `unknown_fields`), without HTTP."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from storefront.sandbox.schemas import SCHEMAS, unknown_fields, validate

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
