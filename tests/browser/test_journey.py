"""The whole loyalty loop in a real browser, against the live shop and sandbox.

Referral link → sign up → signup points → buy and pay → purchase points → claim the
"$5 off" reward → redeem its code at checkout → the code is single-use → an admin
refunds part of the first order → the points go down. Every event reaches the sandbox
on its own, through the shop's outbox and delivery worker, over real HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from storefront.seed import ADMIN_EMAIL, ADMIN_PASSWORD, CUSTOMER_EMAIL

from .conftest import Tab
from .support import (
    Stack,
    eventually,
    fill_shipping,
    log_in,
    money,
    shop_reward_codes,
    wait_for_sdk,
)

pytestmark = pytest.mark.browser

EMAIL = "rita@example.com"
PASSWORD = "lion-journey-42"


def _checkout(page: Page, shop: str, product_slug: str) -> None:
    """Put one product in the cart and go to the checkout page."""
    page.goto(f"{shop}/products/{product_slug}")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()


def _place_order(page: Page) -> int:
    fill_shipping(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_test_id("order-number")).to_be_visible()
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def _order_total(page: Page) -> Decimal:
    return money(page.locator("#order-summary").get_by_test_id("order-total").inner_text())


def _rewards_points(page: Page, shop: str) -> str:
    """The approved points the SDK shows on the Rewards page."""
    page.goto(f"{shop}/rewards")
    assert wait_for_sdk(page) == "customer"
    return page.locator("#loyaltylion .lion-loyalty-page__points-value").inner_text()


def test_referral_signup_purchase_reward_redemption_and_refund(
    stack: Stack, new_tab: Callable[..., Tab]
) -> None:
    shop, sandbox = stack.shop_url, stack.sandbox
    assert sandbox is not None

    # A referrer: the seeded customer, already a member of the program.
    referrer_id = str(stack.user_id(CUSTOMER_EMAIL))
    joined = sandbox.api(
        "POST",
        "/v2/activities",
        {
            "name": "$signup",
            "customer_id": referrer_id,
            "customer_email": CUSTOMER_EMAIL,
            "guest": False,
        },
    )
    assert joined.status_code == 201, joined.text
    referrer = sandbox.customer(referrer_id)
    referral_code = referrer["customer"]["referral_id"]
    referral_link = referrer["customer"]["referral_url"]
    assert referral_link == f"{shop}/?ll_ref_id={referral_code}"
    referrer_points = referrer["balances"]["approved"]

    # 1. A friend follows the link, browses a little, then signs up.
    shopper = new_tab()
    page = shopper.page
    page.goto(referral_link)
    user_agent = page.evaluate("() => navigator.userAgent")
    page.get_by_role("link", name="Ethiopia Guji Single Origin").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    page.get_by_label("Name", exact=True).fill("Rita Referred")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Welcome! Your account is ready")).to_be_visible()
    customer_id = str(stack.user_id(EMAIL))

    # 2. The sandbox received the $signup, with the referral id and the browser's details.
    def signup_request() -> dict | None:
        for entry in sandbox.log(path="/v2/activities", method="POST"):
            body = json.loads(entry["request_body"])
            same_customer = body.get("customer_id") in (customer_id, int(customer_id))
            if same_customer and body.get("name") == "$signup":
                return {**entry, "body": body}
        return None

    signup = eventually(signup_request, "the $signup activity in the sandbox")
    assert (signup["response_status"], signup["verdict"]) == (201, "valid"), signup
    body = signup["body"]
    assert body["customer_email"] == EMAIL
    assert body["guest"] is False
    assert body["referral_id"] == referral_code
    assert body["ip_address"] == "127.0.0.1"
    assert body["user_agent"] == user_agent
    member = sandbox.customer(customer_id)
    assert member["customer"]["referred_by"]["merchant_id"] == referrer_id
    signup_points = member["balances"]["approved"]
    assert signup_points > 0

    # 3. The Rewards page (the SDK, authenticated) shows the signup points.
    assert _rewards_points(page, shop) == str(signup_points)
    expect(page.get_by_test_id("header-points")).to_have_text(str(signup_points))

    # 4. Buy and pay by card: once the order is delivered, the points grow.
    _checkout(page, shop, "gooseneck-kettle")
    first_order = _place_order(page)
    expect(page.get_by_text("We've received your payment.")).to_be_visible()

    def paid_order() -> dict | None:
        order = sandbox.order(first_order)
        return order if order and order["payment_status"] == "paid" else None

    order = eventually(paid_order, "the paid order in the sandbox")
    assert order["customer_id"] == customer_id
    # The referral reached the order create, as sent over the wire.
    assert order["referral_id"] == referral_code
    create = sandbox.log(path="/v2/orders", method="POST")[-1]  # the oldest
    assert json.loads(create["request_body"])["referral_id"] == referral_code
    assert order["ip_address"] == "127.0.0.1"
    assert order["user_agent"] == user_agent
    assert order["purchase_points"] > 0
    after_purchase = signup_points + order["purchase_points"]
    assert sandbox.customer(customer_id)["balances"]["approved"] == after_purchase
    # The friend's first paid order earns the referrer their referral points.
    eventually(
        lambda: sandbox.customer(referrer_id)["balances"]["approved"] > referrer_points,
        "the referrer's referral points",
    )
    assert _rewards_points(page, shop) == str(after_purchase)

    # 5. Claim "$5 off" on the Rewards page: a code from the shop's own batch appears.
    lion = page.locator("#loyaltylion")
    lion.get_by_role("button", name="Claim $5 off").click()
    claimed = lion.locator(".lion-claimed-code__code")
    expect(claimed).to_be_visible()
    code = claimed.inner_text().strip()
    assert code in shop_reward_codes(stack)
    reward_cost = 500
    expect(lion.locator(".lion-loyalty-page__points-value")).to_have_text(
        str(after_purchase - reward_cost)
    )

    # 6. Use it at checkout: the total drops by 5.00.
    _checkout(page, shop, "house-blend")
    before = _order_total(page)
    page.get_by_label("Discount code").fill(code)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text(f"Discount code {code} applied")).to_be_visible()
    assert _order_total(page) == before - Decimal("5.00")
    second_order = _place_order(page)

    # 7. The sandbox saw the code on the order and marked the claimed reward used.
    def redeemed() -> dict | None:
        order = sandbox.order(second_order)
        claims = sandbox.customer(customer_id)["claimed_rewards"]
        return order if order and claims and claims[0]["redeemable"]["used"] else None

    order = eventually(redeemed, "the code marked used in the sandbox")
    assert order["discount_codes"] == [{"code": code, "amount": "5.00"}]
    assert order.get("referral_id") is None  # sent once, with the first order
    claim = sandbox.customer(customer_id)["claimed_rewards"][0]
    assert claim["redeemable"]["code"] == code

    # 8. The same code is refused at the next checkout.
    _checkout(page, shop, "house-blend")
    page.get_by_label("Discount code").fill(code)
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#code-error")).to_contain_text("already been used")
    expect(page.locator(".applied-code")).to_have_count(0)

    # 9. An admin, in another browser, refunds part of the first (paid) order.
    points_before_refund = sandbox.customer(customer_id)["balances"]["approved"]
    admin = new_tab().page
    log_in(admin, shop, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.goto(f"{shop}/admin/orders/{first_order}")
    admin.get_by_label("Amount to refund").fill("20.00")
    admin.get_by_role("button", name="Refund", exact=True).click()
    expect(admin.get_by_text("Refunded $20.00.")).to_be_visible()
    expect(admin.get_by_test_id("total-refunded")).to_have_text("$20.00")

    # 10. The customer's points go down in the sandbox and on the Rewards page.
    def refunded() -> int | None:
        order = sandbox.order(first_order)
        if order["refund_status"] != "partially_refunded":
            return None
        points = sandbox.customer(customer_id)["balances"]["approved"]
        return points if points < points_before_refund else None

    points_after_refund = eventually(refunded, "the refund to cost the customer points")
    assert sandbox.order(first_order)["total_refunded"] == "20.00"
    assert _rewards_points(page, shop) == str(points_after_refund)

    # Logging out turns the SDK back to a guest session.
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Log out").click()
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    assert wait_for_sdk(page) == "guest"
    assert shopper.page_errors == []
    # The one console error is Chromium noting the 400 that refused the used code.
    assert shopper.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"
    ]
