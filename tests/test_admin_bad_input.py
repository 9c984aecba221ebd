"""Malformed input on every admin form: a 4xx and the page again with a message, never
a 500, never a write, never markup echoed unescaped.

Each case names one field, a submission that would succeed as it is, and the values
that are malformed *for that field*. The batch name is free text, so only empty,
overlong and invisible-control-character names are malformed there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from markupsafe import escape
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import OrderLine, VoucherBatch
from tests.conftest import db_snapshot, place_order, product_id, text_of

MARKUP = "<script>alert(1)</script>"

BAD_VALUES = {
    "empty": "",
    "blank": "   ",
    "huge": "x" * 10_000,
    "huge-number": "9" * 40,
    "negative": "-1",
    "non-numeric": "abc",
    "full-width-digit": "５",
    "arabic-indic-digit": "٣",
    "emoji": "🦁",
    "rtl-override": "\u202e5",
    "markup": MARKUP,
    "sql": "1; DROP TABLE orders;--",
    "null-byte": "5\x00",
}

# What a batch name may legitimately contain.
FREE_TEXT = frozenset(
    {"huge-number", "negative", "non-numeric", "full-width-digit", "arabic-indic-digit"}
    | {"emoji", "markup", "sql"}
)

MONEY_MESSAGES = (
    "Enter an amount",
    "That amount is too large.",
    "The amount cannot be negative.",
    "Use at most two decimal places.",
    "The amount must be more than zero.",
)
NUMBER_MESSAGES = ("Enter a whole number, like 3.", "Enter a number from")


def edit(lines: list[int]) -> dict:
    return {f"edit-line_{lines[0]}": "1", "edit-shipping": "4.95", "edit-submit": "Save changes"}


def payment(lines: list[int]) -> dict:
    return {"payment-amount": "1.00", "payment-submit": "Record payment"}


def refund(lines: list[int]) -> dict:
    return {"refund-amount": "1.00", "refund-submit": "Refund"}


def batch(lines: list[int]) -> dict:
    return {
        "name": "Spring reward",
        "amount": "5.00",
        "count": "3",
        "prefix": "",
        "expires_on": "",
        "min_subtotal": "",
    }


@dataclass(frozen=True)
class FormCase:
    url: str  # "{order}" stands for the order's id
    field: str  # "{line}" stands for the order's first line id
    messages: tuple[str, ...]  # one of these explains the refusal
    valid: Callable[[list[int]], dict]  # a submission that succeeds, given the line ids
    payment_method: str = "invoice"  # of the order placed first
    accepts: frozenset[str] = frozenset()  # BAD_VALUES that are fine in this field


ORDER = "/admin/orders/{order}"

CASES = {
    "edit-shipping": FormCase(
        f"{ORDER}/edit", "edit-shipping", ("Enter the shipping charge", *MONEY_MESSAGES), edit
    ),
    "edit-quantity": FormCase(
        f"{ORDER}/edit", "edit-line_{line}", ("Enter a quantity", *NUMBER_MESSAGES), edit
    ),
    "payment-amount": FormCase(
        f"{ORDER}/payment", "payment-amount", ("Enter the amount paid.", *MONEY_MESSAGES), payment
    ),
    "refund-amount": FormCase(
        f"{ORDER}/refund",
        "refund-amount",
        ("Enter an amount to refund", *MONEY_MESSAGES),
        refund,
        payment_method="card",
    ),
    "batch-name": FormCase(
        "/admin/vouchers",
        "name",
        ("Name the batch", "Use at most 100 characters.", "invisible control characters"),
        batch,
        accepts=FREE_TEXT,
    ),
    "batch-amount": FormCase(
        "/admin/vouchers", "amount", ("Enter what each code is worth.", *MONEY_MESSAGES), batch
    ),
    "batch-count": FormCase(
        "/admin/vouchers", "count", ("Enter how many codes", *NUMBER_MESSAGES), batch
    ),
    "batch-prefix": FormCase(
        "/admin/vouchers",
        "prefix",
        ("Use letters A–Z and digits only.", "Use at most 12 letters and digits."),
        batch,
        accepts=frozenset({"empty", "blank", "non-numeric"}),  # no prefix, or "ABC"
    ),
    "batch-expiry": FormCase(
        "/admin/vouchers",
        "expires_on",
        ("Not a valid date value.", "Enter a date like", "cannot be in the past"),
        batch,
        accepts=frozenset({"empty", "blank"}),  # codes that never expire
    ),
    "batch-minimum": FormCase(
        "/admin/vouchers",
        "min_subtotal",
        MONEY_MESSAGES,
        batch,
        accepts=frozenset({"empty", "blank"}),  # any order
    ),
}


def prepare(app, client, auth, case: FormCase) -> tuple[str, str, dict]:
    """Place an order, log in as the admin: the case's url, field name and valid data."""
    auth.login()
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 2})
    placed = place_order(client, payment_method=case.payment_method)
    order_id = int(placed.headers["Location"].rsplit("/", 1)[1])
    auth.logout()
    auth.login_admin()
    with app.app_context():
        lines = list(
            db.session.execute(select(OrderLine.id).where(OrderLine.order_id == order_id)).scalars()
        )
    url = case.url.format(order=order_id)
    return url, case.field.format(line=lines[0]), case.valid(lines)


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_each_cases_valid_submission_is_accepted(app, client, auth, case):
    url, _, data = prepare(app, client, auth, case)

    response = client.post(url, data=data)

    assert response.status_code == 302, text_of(response)


REFUSED = [
    pytest.param(case, BAD_VALUES[value], id=f"{name}-{value}")
    for name, case in CASES.items()
    for value in BAD_VALUES
    if value not in case.accepts
]


@pytest.mark.parametrize(("case", "value"), REFUSED)
def test_malformed_input_is_refused_with_a_message_and_writes_nothing(
    app, client, auth, case, value
):
    url, field, data = prepare(app, client, auth, case)
    before = db_snapshot(app)

    response = client.post(url, data={**data, field: value})

    assert response.status_code == 400
    page = text_of(response)
    assert any(message in page for message in case.messages), page
    assert "<script>alert" not in response.get_data(as_text=True)
    assert db_snapshot(app) == before


@pytest.mark.parametrize("value", sorted(FREE_TEXT), ids=sorted(FREE_TEXT))
def test_free_text_as_a_batch_name_is_stored_as_typed_and_shown_escaped(app, client, auth, value):
    text = BAD_VALUES[value]
    url, _, data = prepare(app, client, auth, CASES["batch-name"])

    assert client.post(url, data={**data, "name": f" {text} "}).status_code == 302

    with app.app_context():
        assert db.session.execute(select(VoucherBatch.name)).scalar_one() == text
    body = client.get("/admin/vouchers").get_data(as_text=True)
    assert str(escape(text)) in body
    assert "<script>alert" not in body


FILTER_REFUSED = [
    pytest.param(parameter, BAD_VALUES[value], id=f"{parameter}-{value}")
    for parameter, accepts in [("status", {"empty"}), ("page", {"empty", "blank"})]
    for value in BAD_VALUES
    if value not in accepts
]


@pytest.mark.parametrize(("parameter", "value"), FILTER_REFUSED)
def test_a_malformed_orders_filter_is_a_400_with_a_message(app, client, auth, parameter, value):
    prepare(app, client, auth, CASES["payment-amount"])
    before = db_snapshot(app)

    response = client.get("/admin/", query_string={parameter: value})

    assert response.status_code == 400
    page = text_of(response)
    assert any(m in page for m in ("Not a valid choice", *NUMBER_MESSAGES)), page
    assert "<script>alert" not in response.get_data(as_text=True)
    assert db_snapshot(app) == before
