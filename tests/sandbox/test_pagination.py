"""GET /v2/orders: cursor pagination, limit, updated_at_min."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from .support import SandboxClient


def _ids(response) -> list[str]:
    return [order["merchant_id"] for order in response.json()["orders"]]


def test_orders_are_paged_newest_first_with_cursors(sandbox: SandboxClient) -> None:
    for n in range(1, 6):
        sandbox.create_order(f"o{n}", "42")

    first = sandbox.api("GET", "/v2/orders", params={"limit": 2})
    assert first.status_code == 200
    assert _ids(first) == ["o5", "o4"]
    assert first.json()["cursor"]["prev"] is None

    second = sandbox.api(
        "GET", "/v2/orders", params={"cursor": first.json()["cursor"]["next"], "limit": 2}
    )
    assert _ids(second) == ["o3", "o2"]

    third = sandbox.api(
        "GET", "/v2/orders", params={"cursor": second.json()["cursor"]["next"], "limit": 2}
    )
    assert _ids(third) == ["o1"]
    assert third.json()["cursor"]["next"] is None

    back = sandbox.api(
        "GET", "/v2/orders", params={"cursor": third.json()["cursor"]["prev"], "limit": 2}
    )
    assert _ids(back) == ["o3", "o2"]

    order = first.json()["orders"][0]
    assert {"id", "merchant_id", "total", "payment_status", "customer", "updated_at"} <= set(order)
    assert set(order["customer"]) == {
        "id",
        "merchant_id",
        "email",
        "points_pending",
        "points_approved",
        "points_spent",
    }


@pytest.mark.parametrize("limit", ["0", "501", "ten", "-1"])
def test_limit_must_be_between_1_and_500(sandbox: SandboxClient, limit: str) -> None:
    response = sandbox.api("GET", "/v2/orders", params={"limit": limit})
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["limit"]


def test_limit_500_is_allowed(sandbox: SandboxClient) -> None:
    assert sandbox.api("GET", "/v2/orders", params={"limit": "500"}).status_code == 200


def test_a_bad_cursor_is_400(sandbox: SandboxClient) -> None:
    response = sandbox.api("GET", "/v2/orders", params={"cursor": "garbage!"})
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["cursor"]


def test_updated_at_min_filters_and_sticks_to_the_cursor(sandbox: SandboxClient) -> None:
    sandbox.create_order("old", "42")
    time.sleep(0.05)
    since = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    for n in range(3):
        sandbox.create_order(f"new{n}", "42")
    sandbox.update_order("old")  # a change makes it recent again

    page = sandbox.api("GET", "/v2/orders", params={"updated_at_min": since, "limit": 2})
    assert _ids(page) == ["new2", "new1"]
    rest = sandbox.api("GET", "/v2/orders", params={"cursor": page.json()["cursor"]["next"]})
    assert _ids(rest) == ["new0", "old"]

    # A replayed update that changes nothing does not make an order "updated".
    since = datetime.now(UTC).isoformat()
    sandbox.update_order("old")
    assert _ids(sandbox.api("GET", "/v2/orders", params={"updated_at_min": since})) == []

    bad = sandbox.api("GET", "/v2/orders", params={"updated_at_min": "last week"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["details"]) == ["updated_at_min"]
