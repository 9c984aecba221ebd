"""A custom reward, end to end: claimed on the Rewards page, fulfilled by the shop.

The customer claims "Free tote bag on your next order" in the SDK's loyalty page;
the sandbox (as LoyaltyLion would) POSTs a signed `rewards/store_fulfilment` webhook
to the shop; the shop verifies it, answers, fulfils, and the gift shows in the
customer's account and rides along on their next order at $0.00.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storefront.extensions import db
from storefront.loyaltylion import WebhookEvent
from storefront.models import Gift

from .conftest import Tab
from .support import Stack, eventually, fill_shipping, wait_for_sdk

pytestmark = pytest.mark.browser

EMAIL = "tote.lover@example.com"
PASSWORD = "a-good-password-1"
REWARD = "Free tote bag on your next order"


def test_claiming_the_custom_reward_puts_a_gift_in_the_account(
    stack: Stack, new_tab: Callable[..., Tab]
) -> None:
    shop, sandbox = stack.shop_url, stack.sandbox
    assert sandbox is not None
    tab = new_tab()
    page = tab.page

    page.goto(f"{shop}/signup")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Welcome! Your account is ready")).to_be_visible()
    customer_id = str(stack.user_id(EMAIL))

    # The $signup reaches the sandbox through the outbox; then top the points up over
    # the Admin API so the 300-point reward is within reach.
    eventually(lambda: sandbox.customer(customer_id), "the customer in the sandbox")
    added = sandbox.api(
        "POST", f"/v2/customers/{customer_id}/points", {"points": 300, "reason": "test"}
    )
    assert added.status_code == 201, added.text

    page.goto(f"{shop}/rewards")
    assert wait_for_sdk(page) == "customer"
    lion = page.locator("#loyaltylion")
    lion.get_by_role("button", name=f"Claim {REWARD}").click()
    expect(lion.get_by_text("Claimed — fulfil").first).to_be_visible()

    # The signed webhook arrives, is recorded once and fulfilled after the answer.
    def fulfilled():
        with stack.shop_app.app_context():
            return db.session.execute(
                select(Gift).where(Gift.customer_id == int(customer_id))
            ).scalar_one_or_none()

    gift = eventually(fulfilled, "the gift from the fulfilment webhook")
    assert gift.title == "Free tote bag"
    with stack.shop_app.app_context():
        event = db.session.execute(
            select(WebhookEvent).where(WebhookEvent.topic == "rewards/store_fulfilment")
        ).scalar_one()
        assert event.status == "processed"
    deliveries = sandbox.get("/_sandbox/webhooks?topic=rewards/store_fulfilment")["webhooks"]
    assert [d["last_status"] for d in deliveries] == [200]

    # The account shows it; the next order carries it at $0.00.
    page.goto(f"{shop}/account/")
    expect(page.get_by_text("Free tote bag")).to_be_visible()
    expect(page.get_by_text("will be added to your next order")).to_be_visible()

    page.goto(f"{shop}/products/paper-filters")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_text("Free gift: Lion & Co. Tote Bag")).to_be_visible()
    fill_shipping(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text("is confirmed")).to_be_visible()
    expect(page.get_by_text("Free gift: Lion & Co. Tote Bag")).to_be_visible()
    with stack.shop_app.app_context():
        assert db.session.get(Gift, gift.id).order_id is not None
