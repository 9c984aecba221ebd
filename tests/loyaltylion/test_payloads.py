"""Unit tests of the payload builders (storefront/loyaltylion/payloads.py).

Every body is checked twice: against the sandbox's JSON Schemas of the contract
(loyaltylion_sandbox/schemas.py, `validate(name, body) == {}`) and for its exact values.
Contract: docs/loyaltylion-contract.md (Admin API).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from loyaltylion_sandbox.schemas import validate
from storefront.loyaltylion import payloads
from storefront.loyaltylion.payloads import (
    Customer,
    DiscountCode,
    OrderSnapshot,
    Shopper,
    activity,
    activity_state,
    iso8601,
    money,
    order_create,
    order_update,
    signup_activity,
)

WHEN = datetime(2026, 11, 25, 18, 30, 0, tzinfo=UTC)
WHEN_TEXT = "2026-11-25T18:30:00Z"
CUSTOMER = Customer(id=42, email="ada@example.com")
FULL_SHOPPER = Shopper(
    ip_address="203.0.113.9",
    user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    referral_id="ref-abc",
    tracking_id="eid-123",
)


def utc_offset(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


def assert_valid(schema: str, body: object) -> None:
    assert validate(schema, body) == {}, validate(schema, body)


def make_order(**overrides) -> OrderSnapshot:
    fields = {
        "merchant_id": "1001",
        "number": "SO-1001",
        "customer": CUSTOMER,
        "date": WHEN,
        "total_cents": 123450,
        "shipping_cents": 499,
        "paid_cents": 123450,
        "refunded_cents": 0,
        "payment_status": "paid",
        "refund_status": "not_refunded",
        "cancellation_status": "not_cancelled",
    }
    fields.update(overrides)
    return OrderSnapshot(**fields)


# -- $signup -----------------------------------------------------------------------------


def test_signup_activity_exact_body_without_shopper():
    body = signup_activity(CUSTOMER, date=WHEN)
    assert_valid("activity", body)
    assert body == {
        "name": "$signup",
        "customer_id": "42",
        "customer_email": "ada@example.com",
        "date": WHEN_TEXT,
        "guest": False,
        "merchant_id": "signup-42",
    }


def test_signup_activity_sends_guest_false_explicitly():
    # LoyaltyLion defaults `guest` to true: an absent key would make the member a guest.
    body = signup_activity(CUSTOMER, date=WHEN)
    assert "guest" in body
    assert body["guest"] is False


def test_signup_activity_customer_id_is_a_string():
    body = signup_activity(Customer(id=7, email="x@example.com"), date=WHEN)
    assert body["customer_id"] == "7"
    assert isinstance(body["customer_id"], str)
    assert body["merchant_id"] == "signup-7"


def test_signup_activity_with_every_shopper_field():
    body = signup_activity(CUSTOMER, date=WHEN, shopper=FULL_SHOPPER)
    assert_valid("activity", body)
    assert body == {
        "name": "$signup",
        "customer_id": "42",
        "customer_email": "ada@example.com",
        "date": WHEN_TEXT,
        "guest": False,
        "merchant_id": "signup-42",
        "ip_address": "203.0.113.9",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "referral_id": "ref-abc",
        "tracking_id": "eid-123",
    }


SHOPPER_KEYS = ("ip_address", "user_agent", "referral_id", "tracking_id")


@pytest.mark.parametrize(
    ("shopper", "present"),
    [
        (None, set()),
        (Shopper(), set()),
        (Shopper(ip_address="", user_agent="", referral_id="", tracking_id=""), set()),
        (Shopper(ip_address="198.51.100.1"), {"ip_address"}),
        (Shopper(ip_address="198.51.100.1", user_agent="UA/1"), {"ip_address", "user_agent"}),
        (Shopper(referral_id="ref-1"), {"referral_id"}),
        (Shopper(tracking_id="eid-9"), {"tracking_id"}),
    ],
    ids=["none", "empty", "blank-strings", "ip", "ip-ua", "referral", "tracking"],
)
def test_signup_activity_shopper_fields_only_when_known(shopper, present):
    body = signup_activity(CUSTOMER, date=WHEN, shopper=shopper)
    assert_valid("activity", body)
    assert {key for key in SHOPPER_KEYS if key in body} == present
    for key in present:
        assert body[key] == getattr(shopper, key)
    assert None not in body.values()


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05Z"),  # noqa: DTZ001 -- naive is UTC
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=utc_offset(2)), "2026-01-02T01:04:05Z"),
    ],
    ids=["naive", "utc+2"],
)
def test_signup_activity_date_is_iso8601_utc_with_z(moment, text):
    body = signup_activity(CUSTOMER, date=moment)
    assert body["date"] == text
    assert_valid("activity", body)


# -- custom rules and activity state ----------------------------------------------------


def test_custom_rule_activity_with_properties():
    body = activity(
        "newsletter_signup",
        CUSTOMER,
        date=WHEN,
        merchant_id="newsletter-42",
        properties={"list": "weekly", "source": "footer"},
        shopper=Shopper(ip_address="203.0.113.9"),
    )
    assert_valid("activity", body)
    assert body == {
        "name": "newsletter_signup",
        "customer_id": "42",
        "customer_email": "ada@example.com",
        "date": WHEN_TEXT,
        "guest": False,
        "merchant_id": "newsletter-42",
        "properties": {"list": "weekly", "source": "footer"},
        "ip_address": "203.0.113.9",
    }


def test_custom_rule_activity_minimal_leaves_optional_fields_out():
    body = activity("birthday_bonus", Customer(id="c-9", email="b@example.com"), date=WHEN)
    assert_valid("activity", body)
    assert body == {
        "name": "birthday_bonus",
        "customer_id": "c-9",
        "customer_email": "b@example.com",
        "date": WHEN_TEXT,
        "guest": False,
    }


def test_a_review_is_a_custom_rule_activity_with_its_merchant_id():
    body = activity("product_review", CUSTOMER, date=WHEN, merchant_id="review-7")
    assert_valid("activity", body)
    assert (body["name"], body["merchant_id"]) == ("product_review", "review-7")


def test_activity_guest_flag_passes_through():
    body = activity("newsletter_signup", CUSTOMER, date=WHEN, guest=True)
    assert_valid("activity", body)
    assert body["guest"] is True


@pytest.mark.parametrize("state", ["approved", "declined", "void"])
def test_activity_state_body(state):
    body = activity_state(state)
    assert_valid("activity_state", body)
    assert body == {"state": state}


@pytest.mark.parametrize("state", ["pending", "Approved", "", "rejected", "voided"])
def test_activity_state_rejects_unknown_states(state):
    with pytest.raises(ValueError, match="activity state"):
        activity_state(state)


# -- order create ------------------------------------------------------------------------


def test_order_create_exact_body_with_two_discount_codes():
    order = make_order(
        discount_codes=(DiscountCode("WELCOME5", 500), DiscountCode("LION-AB12CD", 1000)),
        shopper=Shopper(ip_address="203.0.113.9", referral_id="ref-abc"),
    )
    body = order_create(order)
    assert_valid("order_create", body)
    assert body == {
        "merchant_id": "1001",
        "merchant_number": "SO-1001",
        "customer_id": "42",
        "customer_email": "ada@example.com",
        "date": WHEN_TEXT,
        "total": "1234.50",
        "total_shipping": "4.99",
        "total_paid": "1234.50",
        "payment_status": "paid",
        "discount_codes": [
            {"code": "WELCOME5", "amount": "5.00"},
            {"code": "LION-AB12CD", "amount": "10.00"},
        ],
        "guest": False,
        "ip_address": "203.0.113.9",
        "referral_id": "ref-abc",
    }


def test_order_create_money_is_a_plain_decimal_string():
    body = order_create(make_order(total_cents=123450, shipping_cents=0, paid_cents=60000))
    assert_valid("order_create", body)
    for key, value in [("total", "1234.50"), ("total_shipping", "0.00"), ("total_paid", "600.00")]:
        assert body[key] == value
        assert isinstance(body[key], str)
    assert "," not in body["total"]


def test_order_create_discount_codes_is_always_a_list_of_objects():
    body = order_create(make_order(discount_codes=(DiscountCode("ONLY", 250),)))
    assert_valid("order_create", body)
    assert body["discount_codes"] == [{"code": "ONLY", "amount": "2.50"}]
    assert isinstance(body["discount_codes"], list)


def test_order_create_without_codes_sends_an_empty_list():
    body = order_create(make_order())
    assert_valid("order_create", body)
    assert body["discount_codes"] == []


@pytest.mark.parametrize("guest", [True, False])
def test_order_create_guest_flag_passes_through(guest):
    body = order_create(make_order(guest=guest))
    assert_valid("order_create", body)
    assert body["guest"] is guest


@pytest.mark.parametrize("payment_status", ["not_paid", "partially_paid", "paid"])
def test_order_create_accepts_every_payment_status(payment_status):
    body = order_create(make_order(payment_status=payment_status, paid_cents=0))
    assert_valid("order_create", body)
    assert body["payment_status"] == payment_status


@pytest.mark.parametrize(
    "overrides",
    [
        {"payment_status": "refunded"},
        {"payment_status": "PAID"},
        {"refund_status": "maybe"},
        {"cancellation_status": "canceled"},
    ],
    ids=["payment-refunded", "payment-upper", "refund", "cancellation"],
)
def test_order_create_rejects_an_invalid_status(overrides):
    with pytest.raises(ValueError):
        order_create(make_order(**overrides))


def test_order_create_with_all_shopper_fields_and_string_customer_id():
    order = make_order(customer=Customer(id="cust-9", email="c@example.com"), shopper=FULL_SHOPPER)
    body = order_create(order)
    assert_valid("order_create", body)
    assert body["customer_id"] == "cust-9"
    assert {key: body[key] for key in SHOPPER_KEYS} == {
        "ip_address": "203.0.113.9",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "referral_id": "ref-abc",
        "tracking_id": "eid-123",
    }


# -- order update ------------------------------------------------------------------------

UPDATE_KEYS = {
    "payment_status",
    "refund_status",
    "cancellation_status",
    "total_paid",
    "total_refunded",
}


def test_order_update_partial_refund():
    order = make_order(
        total_cents=10000,
        paid_cents=10000,
        refunded_cents=2550,
        payment_status="paid",
        refund_status="partially_refunded",
    )
    body = order_update(order)
    assert_valid("order_update", body)
    assert body == {
        "payment_status": "paid",
        "refund_status": "partially_refunded",
        "cancellation_status": "not_cancelled",
        "total_paid": "100.00",
        "total_refunded": "25.50",
    }


def test_order_update_cancellation():
    order = make_order(
        paid_cents=4999,
        refunded_cents=4999,
        payment_status="paid",
        refund_status="refunded",
        cancellation_status="cancelled",
        discount_codes=(DiscountCode("WELCOME5", 500),),
        shopper=FULL_SHOPPER,
    )
    body = order_update(order)
    assert_valid("order_update", body)
    assert body == {
        "payment_status": "paid",
        "refund_status": "refunded",
        "cancellation_status": "cancelled",
        "total_paid": "49.99",
        "total_refunded": "49.99",
    }


def test_order_update_cancellation_before_payment():
    order = make_order(paid_cents=0, payment_status="not_paid", cancellation_status="cancelled")
    body = order_update(order)
    assert_valid("order_update", body)
    assert body == {
        "payment_status": "not_paid",
        "refund_status": "not_refunded",
        "cancellation_status": "cancelled",
        "total_paid": "0.00",
        "total_refunded": "0.00",
    }


def test_order_update_has_exactly_the_five_required_fields():
    order = make_order(discount_codes=(DiscountCode("X", 100),), shopper=FULL_SHOPPER, guest=True)
    body = order_update(order)
    assert set(body) == UPDATE_KEYS
    assert all(isinstance(value, str) for value in body.values())


@pytest.mark.parametrize(
    "overrides",
    [{"payment_status": "unpaid"}, {"refund_status": "full"}, {"cancellation_status": "void"}],
    ids=["payment", "refund", "cancellation"],
)
def test_order_update_rejects_an_invalid_status(overrides):
    with pytest.raises(ValueError):
        order_update(make_order(**overrides))


def test_order_update_is_the_same_for_the_same_state():
    # Full state: replaying the update must send the very same body.
    order = make_order(refunded_cents=100, refund_status="partially_refunded")
    assert order_update(order) == order_update(dataclasses.replace(order))


# -- money and dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (10, "0.10"),
        (99, "0.99"),
        (100, "1.00"),
        (123450, "1234.50"),
        (100000000, "1000000.00"),
        (-5, "-0.05"),
        (-2550, "-25.50"),
        (-123450, "-1234.50"),
    ],
)
def test_money(cents, text):
    assert money(cents) == text


@pytest.mark.parametrize("cents", [0, 5, 123450, 100000000, 999999999999])
def test_money_matches_the_schema_pattern(cents):
    assert (
        validate("order_update", {**order_update(make_order()), "total_paid": money(cents)}) == {}
    )


def test_iso8601_naive_datetime_is_treated_as_utc():
    naive = datetime(2026, 11, 25, 18, 30, 15, 987654)  # noqa: DTZ001 -- the case under test
    assert iso8601(naive) == "2026-11-25T18:30:15Z"


def test_iso8601_naive_datetime_is_utc_whatever_the_host_time_zone(new_york_local_time):
    naive = datetime(2026, 11, 25, 18, 30)  # noqa: DTZ001 -- the case under test
    assert iso8601(naive) == "2026-11-25T18:30:00Z"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 25, 19, 30, tzinfo=utc_offset(1)), "2026-11-25T18:30:00Z"),
        (datetime(2026, 11, 25, 22, 0, tzinfo=utc_offset(-5)), "2026-11-26T03:00:00Z"),
        (datetime(2026, 1, 1, 5, 15, tzinfo=utc_offset(5, 45)), "2025-12-31T23:30:00Z"),
        (datetime(2026, 11, 25, 18, 30, 0, 500000, tzinfo=UTC), "2026-11-25T18:30:00Z"),
    ],
    ids=["utc+1", "utc-5-next-day", "utc+5:45-previous-year", "utc-microseconds"],
)
def test_iso8601_aware_datetime_is_converted_to_utc(moment, text):
    assert iso8601(moment) == text


# -- the schemas catch the official modules' known bugs ------------------------------------


def valid_order_body() -> dict:
    body = order_create(make_order(discount_codes=(DiscountCode("WELCOME5", 500),)))
    assert_valid("order_create", body)
    return body


@pytest.mark.parametrize(
    ("field", "bad_value"),
    [
        ("total", 1234.5),  # a JSON number instead of a decimal string
        ("total", "1,234.50"),  # PrestaShop's thousands separator
        ("total", "1234.567"),  # more than two decimals
        ("total_shipping", 4.99),
        ("discount_codes", {"code": "WELCOME5", "amount": "5.00"}),  # Magento 2's bare object
        ("discount_codes", [{"code": "WELCOME5", "amount": 5.0}]),  # numeric amount
        ("guest", "false"),  # a string is not a JSON boolean
        ("date", "2026-11-25T18:30:00"),  # no time zone
        ("customer_id", 42),  # orders want the id as a string
    ],
    ids=[
        "total-number",
        "total-thousands-separator",
        "total-three-decimals",
        "shipping-number",
        "discount-codes-single-object",
        "discount-code-numeric-amount",
        "guest-string",
        "date-naive",
        "customer-id-integer",
    ],
)
def test_schema_rejects_known_module_bugs_naming_the_field(field, bad_value):
    body = {**valid_order_body(), field: bad_value}
    errors = validate("order_create", body)
    assert set(errors) == {field}
    assert errors[field]


def test_schema_rejects_activity_without_required_fields():
    body = signup_activity(CUSTOMER, date=WHEN)
    del body["customer_email"]
    assert set(validate("activity", body)) == {"customer_email"}


def test_schema_rejects_order_update_missing_a_field():
    body = order_update(make_order())
    del body["total_refunded"]
    assert validate("order_update", body) == {"total_refunded": ["is required"]}


def test_customer_update_carries_the_birthday_as_a_date_string():
    body = payloads.customer_update(birthday=date(1990, 4, 23))
    assert body == {"customer": {"birthday": "1990-04-23"}}
    assert_valid("customer_update", body)


def test_customer_update_cannot_clear_a_birthday():
    # Update Customer types `birthday` as a string: null is not in the contract.
    with pytest.raises(TypeError, match="cannot be told to clear"):
        payloads.customer_update(birthday=None)
    assert "customer" in validate("customer_update", {"customer": {"birthday": None}})
