"""A guest's checkout in a real browser, then the account made from its confirmation,
against the live shop and sandbox: the guest's order goes to LoyaltyLion as a guest's,
the account's `$signup` links it, and the new member sees its points."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .conftest import Tab
from .support import Stack, eventually, fill_shipping, wait_for_sdk

pytestmark = pytest.mark.browser

EMAIL = "walk.in.shopper@example.com"
PASSWORD = "guest-to-member-7"


def test_guest_checkout_then_an_account_then_its_points(
    stack: Stack, new_tab: Callable[..., Tab]
) -> None:
    shop, sandbox = stack.shop_url, stack.sandbox
    assert sandbox is not None
    tab = new_tab()
    page = tab.page

    page.goto(f"{shop}/products/hand-grinder")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()
    expect(page.get_by_text("Checking out as a guest.")).to_be_visible()
    # No customer in the SDK for a guest: the site token only.
    assert wait_for_sdk(page) == "guest"
    page.get_by_label("Email", exact=True).fill(EMAIL)
    fill_shipping(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_test_id("order-number")).to_be_visible()
    order_id = page.url.rstrip("/").rsplit("/", 1)[1]

    # The order reaches LoyaltyLion as a guest's, on its own (the delivery worker).
    guest = eventually(lambda: sandbox.customer(f"guest-{order_id}"), "the guest's order")
    assert guest["balances"]["approved"] == 0

    # One step to an account: the email is there already.
    join = page.get_by_role("region", name="Earn points on this order")
    expect(join.get_by_label("Email", exact=True)).to_have_value(EMAIL)
    join.get_by_label("Password", exact=True).fill(PASSWORD)
    join.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_text(f"order {int(order_id) + 1000} is in it")).to_be_visible()

    # The $signup links the guest to the account; its points arrive with the signup's.
    user_id = str(stack.user_id(EMAIL))
    signup_points = sandbox.get("/_sandbox/settings")["settings"]["signup_points"]

    def member_with_the_orders_points():
        found = sandbox.customer(user_id)
        return found if found and found["balances"]["approved"] > signup_points else None

    member = eventually(member_with_the_orders_points, "the guest order's points")
    linked = sandbox.list_customer(user_id)["linked_merchant_ids"]
    assert linked == [f"guest-{order_id}"]

    page.goto(f"{shop}/rewards")
    assert wait_for_sdk(page) == "customer"
    points = page.locator("#loyaltylion .lion-loyalty-page__points-value").inner_text()
    assert int(points.replace(",", "")) == member["balances"]["approved"]
    assert tab.page_errors == []
