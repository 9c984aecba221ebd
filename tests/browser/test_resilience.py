"""A slow or dead SDK host never holds up the shop.

The SDK loader is fetched `async` by the <head> snippet, so a host that hangs (accepts
the connection, never answers) or refuses connections must not stop a shopper from
browsing, logging in and placing an order, all within ordinary timeouts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from loyaltylion_sandbox.constants import SANDBOX_SITE_TOKEN
from storefront.seed import CUSTOMER_EMAIL, CUSTOMER_PASSWORD

from .conftest import Tab
from .support import BlackHole, Stack, closed_port_url, fill_shipping, start_shop_only

pytestmark = pytest.mark.browser

# The whole shopping trip below, with the SDK host unusable. Generous for a loaded CI
# machine; a blocking SDK would cost at least the browser's own timeouts (minutes).
TRIP_SECONDS = 20


@dataclass
class DeadSdk:
    stack: Stack
    kind: str
    black_hole: BlackHole | None


@pytest.fixture(params=["hangs", "refuses"], scope="module")
def dead_sdk(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[DeadSdk]:
    black_hole = BlackHole() if request.param == "hangs" else None
    host = black_hole.url if black_hole else closed_port_url()
    stack = start_shop_only(
        tmp_path_factory.mktemp(f"sdk-{request.param}"),
        sdk_origin=host,
        api_url=host,
    )
    try:
        yield DeadSdk(stack, request.param, black_hole)
    finally:
        stack.stop()
        if black_hole:
            black_hole.close()


def test_shopping_works_when_the_sdk_host_is_unusable(dead_sdk: DeadSdk, tab: Tab) -> None:
    shop = dead_sdk.stack.shop_url
    page = tab.page
    started = time.monotonic()

    page.goto(f"{shop}/", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Fresh coffee & good gear")).to_be_visible()
    # The snippet ran: init was called once and recorded, waiting for a loader and a
    # start script that never arrive. Nothing threw.
    assert page.evaluate("() => window.loyaltylion._initData") == {"token": SANDBOX_SITE_TOKEN}
    assert page.evaluate("() => Boolean(window.loyaltylion.isSandbox)") is False

    page.get_by_role("link", name="House Blend Beans").click()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added House Blend Beans to your cart.")).to_be_visible()
    page.get_by_role("button", name="Checkout").click()

    # The guest logs in from checkout ("Log in to earn points"), and comes back to it.
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()
    page.locator(".guest-note").get_by_role("link", name="Log in").click()
    page.get_by_label("Email", exact=True).fill(CUSTOMER_EMAIL)
    page.get_by_label("Password", exact=True).fill(CUSTOMER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()

    # No discount code: straight to placing the order.
    expect(page.get_by_label("Discount code")).to_be_empty()
    fill_shipping(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_test_id("order-number")).to_be_visible()
    expect(page.get_by_role("heading", name="is confirmed")).to_be_visible()

    # The Rewards page loads too, and says the rewards are unavailable right now.
    page.goto(f"{shop}/rewards", wait_until="domcontentloaded")
    expect(page.get_by_text("the rewards service is unreachable right now")).to_be_visible()
    expect(page.get_by_test_id("header-points")).to_have_text("–")

    elapsed = time.monotonic() - started
    assert elapsed < TRIP_SECONDS, f"the trip took {elapsed:.1f} s with the SDK host down"
    assert page.evaluate("() => document.documentElement.dataset.lionState") is None
    assert tab.page_errors == []
    if dead_sdk.black_hole is not None:
        # Both scripts really were requested, and really got no answer.
        assert dead_sdk.black_hole.connections >= 2
