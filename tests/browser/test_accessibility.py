"""axe-core over every page a shopper, a store admin or a developer sees: the shop's
pages (as a guest and as a customer), the admin pages (the LoyaltyLion delivery and
webhook logs included) and the sandbox dashboard, at desktop and phone width, with the
SDK rendered. Zero serious or critical violations.

axe-playwright-python injects axe-core with `page.evaluate`, which the shop's
Content-Security-Policy does not govern: the pages are checked under their real CSP.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from storefront.seed import ADMIN_EMAIL, ADMIN_PASSWORD, CUSTOMER_EMAIL, CUSTOMER_PASSWORD

from .conftest import Tab
from .support import SDK_SETTLED, Stack, fill_shipping, log_in

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
BLOCKING = ("serious", "critical")

GUEST_PAGES = ["/", "/category/coffee", "/products/house-blend", "/cart/", "/rewards", "/login",
               "/signup"]  # fmt: skip
CUSTOMER_PAGES = ["/", "/products/house-blend", "/cart/", "/checkout/", "/rewards", "/account/",
                  "/account/close", "{order}", "{confirmation}"]  # fmt: skip
ADMIN_PAGES = ["/admin/", "/admin/orders/{order_id}", "/admin/vouchers", "/admin/reviews",
               "/admin/loyaltylion/deliveries", "/admin/loyaltylion/webhooks",
               "/admin/loyaltylion/reconcile"]  # fmt: skip

axe = Axe()


def _blocking_violations(page: Page) -> list[str]:
    if page.locator(SDK_SETTLED).count() == 0 and page.evaluate("() => !!window.loyaltylion"):
        page.wait_for_selector(SDK_SETTLED, state="attached")
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(", ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def _check(page: Page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    return [f"{url}: {problem}" for problem in _blocking_violations(page)]


def _place_order(page: Page, shop: str) -> str:
    page.goto(f"{shop}/products/house-blend")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{shop}/checkout/")
    fill_shipping(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_test_id("order-number")).to_be_visible()
    return page.url.rstrip("/").rsplit("/", 1)[1]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_shop_pages_have_no_serious_accessibility_violations(
    stack: Stack, new_tab: Callable[..., Tab], viewport: str
) -> None:
    shop = stack.shop_url
    guest = new_tab(viewport=VIEWPORTS[viewport]).page
    problems = [p for path in GUEST_PAGES for p in _check(guest, shop + path)]
    # A guest's checkout, and its confirmation with the offer of an account.
    guest.goto(f"{shop}/products/house-blend")
    guest.get_by_role("button", name="Add to cart").click()
    problems += _check(guest, f"{shop}/checkout/")
    guest.get_by_label("Email", exact=True).fill("guest.axe@example.com")
    fill_shipping(guest)
    guest.get_by_role("button", name="Place order").click()
    expect(guest.get_by_test_id("order-number")).to_be_visible()
    problems += [f"guest confirmation: {p}" for p in _blocking_violations(guest)]

    page = new_tab(viewport=VIEWPORTS["desktop"]).page
    log_in(page, shop, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    order_id = _place_order(page, shop)
    page.goto(f"{shop}/products/house-blend")
    page.get_by_role("button", name="Add to cart").click()  # a cart for /checkout/
    page.set_viewport_size(VIEWPORTS[viewport])
    urls = {
        "{order}": f"/account/orders/{order_id}",
        "{confirmation}": f"/checkout/confirmation/{order_id}",
    }
    for path in CUSTOMER_PAGES:
        problems += _check(page, shop + urls.get(path, path))
    # The checkout with a code's error showing, and the phone menu opened.
    page.goto(f"{shop}/checkout/")
    page.get_by_label("Discount code").fill("NOPE")
    page.get_by_role("button", name="Apply").click()
    problems += [f"checkout, bad code: {p}" for p in _blocking_violations(page)]
    if viewport == "phone":
        page.goto(f"{shop}/")
        page.get_by_role("button", name="Menu").click()
        problems += [f"phone menu open: {p}" for p in _blocking_violations(page)]
    assert problems == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_admin_pages_have_no_serious_accessibility_violations(
    stack: Stack, new_tab: Callable[..., Tab], viewport: str
) -> None:
    shop = stack.shop_url
    customer = new_tab().page
    log_in(customer, shop, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    order_id = _place_order(customer, shop)

    page = new_tab(viewport=VIEWPORTS["desktop"]).page
    log_in(page, shop, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.set_viewport_size(VIEWPORTS[viewport])
    problems = [
        p for path in ADMIN_PAGES for p in _check(page, shop + path.format(order_id=order_id))
    ]
    # A refused cancellation (the box not ticked) shows its error accessibly too.
    page.goto(f"{shop}/admin/orders/{order_id}")
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_text("to confirm")).to_be_visible()
    problems += [f"cancel refused: {p}" for p in _blocking_violations(page)]
    assert problems == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_the_sandbox_dashboard_has_no_serious_accessibility_violations(
    stack: Stack, new_tab: Callable[..., Tab], viewport: str
) -> None:
    assert stack.sandbox is not None
    page = new_tab(viewport=VIEWPORTS[viewport]).page
    problems = _check(page, stack.sandbox.url + "/")
    problems += _check(page, stack.sandbox.url + "/?calls=all")
    assert problems == []
