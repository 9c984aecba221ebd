"""GET /v2/orders against its reference page and the pagination page.

https://developers.loyaltylion.com/api-reference/v2/resources/orders/list-orders
https://developers.loyaltylion.com/api-reference/pagination
"""

from __future__ import annotations

import pytest

from .support import SandboxClient

# The documented order fields, and those of its `customer`.
ORDER_FIELDS = {
    "id",
    "merchant_id",
    "merchant_number",
    "total",
    "total_tax",
    "total_shipping",
    "total_discounts",
    "total_paid",
    "total_refunded",
    "payment_status",
    "fulfillment_status",
    "refund_status",
    "cancellation_status",
    "metadata",
    "created_at",
    "updated_at",
    "customer",
}
CUSTOMER_FIELDS = {
    "id",
    "merchant_id",
    "email",
    "points_pending",
    "points_approved",
    "points_spent",
}


def _orders(sandbox: SandboxClient, **params) -> dict:
    response = sandbox.api("GET", "/v2/orders", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _all_pages(sandbox: SandboxClient, first: dict) -> list[str]:
    seen = [o["merchant_id"] for o in first["orders"]]
    cursor = first["cursor"]["next"]
    while cursor:
        page = _orders(sandbox, cursor=cursor, limit=100)
        seen += [o["merchant_id"] for o in page["orders"]]
        cursor = page["cursor"]["next"]
    return seen


def test_the_answer_has_the_documented_shape(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42", merchant_number="1001")
    body = _orders(sandbox)
    assert set(body) == {"orders", "cursor"}
    assert set(body["cursor"]) == {"prev", "next"}
    [order] = body["orders"]
    assert set(order) == ORDER_FIELDS
    assert set(order["customer"]) == CUSTOMER_FIELDS
    # Money fields are strings; total_paid too when the store left it out on create.
    assert (order["total"], order["total_paid"], order["total_refunded"]) == (
        "59.95",
        "0.00",
        "0.00",
    )


@pytest.mark.parametrize("limit", ["0", "501"])
def test_limit_out_of_range_is_400(sandbox: SandboxClient, limit: str) -> None:
    response = sandbox.api("GET", "/v2/orders", params={"limit": limit})
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["limit"]


def test_the_default_limit_is_100_newest_first(sandbox: SandboxClient) -> None:
    for n in range(101):
        sandbox.create_order(f"o{n:03d}", "42")
    page = _orders(sandbox)
    ids = [o["merchant_id"] for o in page["orders"]]
    assert len(ids) == 100
    assert ids[0] == "o100" and ids[-1] == "o001"
    assert page["cursor"]["next"] is not None


def test_paging_with_updated_at_min_yields_each_order_exactly_once(
    sandbox: SandboxClient,
) -> None:
    for n in range(5):
        sandbox.create_order(f"before{n}", "42")
    since = sandbox.order("before4")["updated_at"]
    # Strictly later than `since` (timestamps have millisecond resolution).
    sandbox.drift("before4", payment_status="not_paid")
    expected = {f"o{n:03d}" for n in range(250)} | {"before4"}
    for n in range(250):
        sandbox.create_order(f"o{n:03d}", "42")

    first = _orders(sandbox, updated_at_min=since, limit=100)
    seen = _all_pages(sandbox, first)
    assert len(seen) == len(set(seen)) == 251
    assert set(seen) == expected


def test_a_cursor_ignores_other_filters(sandbox: SandboxClient) -> None:
    for n in range(5):
        sandbox.create_order(f"o{n}", "42")
    first = _orders(sandbox, limit=2)
    # "any other filtering params will be ignored. Only the limit parameter will be
    # recognized": filters that would match nothing change nothing.
    page = _orders(
        sandbox,
        cursor=first["cursor"]["next"],
        limit=2,
        since_id=10_000,
        updated_at_max="2000-01-01T00:00:00Z",
        created_at_min="2999-01-01T00:00:00Z",
    )
    assert [o["merchant_id"] for o in page["orders"]] == ["o2", "o1"]
    # ...while without a cursor they filter.
    assert _orders(sandbox, since_id=10_000)["orders"] == []


def test_since_id_and_created_at_filters(sandbox: SandboxClient) -> None:
    for n in range(3):
        sandbox.create_order(f"o{n}", "42")
    first_id = _orders(sandbox)["orders"][-1]["id"]
    assert [o["merchant_id"] for o in _orders(sandbox, since_id=first_id)["orders"]] == [
        "o2",
        "o1",
    ]
    created = sandbox.order("o1")["created_at"]
    assert [o["merchant_id"] for o in _orders(sandbox, created_at_max=created)["orders"]] == [
        "o1",
        "o0",
    ]
    assert [o["merchant_id"] for o in _orders(sandbox, created_at_min=created)["orders"]] == [
        "o2",
        "o1",
    ]


def test_an_accepted_change_bumps_updated_at(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42")
    created = sandbox.order("1001")["updated_at"]
    sandbox.update_order("1001")  # not_paid -> paid
    updated = sandbox.order("1001")["updated_at"]
    assert updated > created
    sandbox.update_order("1001")  # a replay: no change
    assert sandbox.order("1001")["updated_at"] == updated
