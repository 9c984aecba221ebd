"""axe-core over every page a shopper, a store admin or a developer sees: the shop's
pages (as a guest and as a customer), the admin pages (the LoyaltyLion delivery and
webhook logs included) and the sandbox dashboard, at desktop and phone width, with the
SDK rendered; and, on a second stack with LOYALTYLION_UI=headless, the pages the shop
renders itself from the Headless API (Rewards as a guest and as a customer with
rewards, claimed codes and history, the account, the cart holding a claimed code).
Zero serious or critical violations.

axe-playwright-python injects axe-core with `page.evaluate`, which the shop's
Content-Security-Policy does not govern: the pages are checked under their real CSP.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from storefront.seed import ADMIN_EMAIL, ADMIN_PASSWORD, CUSTOMER_EMAIL, CUSTOMER_PASSWORD

from .conftest import Tab
from .support import SDK_SETTLED, Stack, eventually, fill_shipping, log_in, start_stack

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


# ------------------------------------------------------------ LOYALTYLION_UI=headless


@pytest.fixture(scope="module")
def headless_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A second stack, in headless mode (after the SDK stack's tests: starting it moves
    the delivery worker to this shop)."""
    running = start_stack(
        tmp_path_factory.mktemp("headless-axe-stack"),
        overrides={"LOYALTYLION_UI": "headless", "LOYALTYLION_HEADLESS_BUDGET": 0.8},
    )
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_headless_pages_have_no_serious_accessibility_violations(
    headless_stack: Stack, new_tab: Callable[..., Tab], viewport: str
) -> None:
    shop, sandbox = headless_stack.shop_url, headless_stack.sandbox
    assert sandbox is not None
    guest = new_tab(viewport=VIEWPORTS[viewport]).page
    problems = [f"guest: {p}" for p in _check(guest, f"{shop}/rewards")]

    # A customer with points: a claimable reward, then a claimed code and a history.
    page = new_tab(viewport=VIEWPORTS[viewport]).page
    email = f"axe.headless.{viewport}@example.com"
    page.goto(f"{shop}/signup")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill("lion-axe-headless-42")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Welcome! Your account is ready")).to_be_visible()
    customer_id = str(headless_stack.user_id(email))
    eventually(
        lambda: (c := sandbox.customer(customer_id)) and c["balances"]["approved"] > 0,
        "the $signup points at the sandbox",
    )
    added = sandbox.api("POST", f"/v2/customers/{customer_id}/points", {"points": 1000})
    assert added.status_code in (200, 201), added.text
    problems += [f"customer: {p}" for p in _check(page, f"{shop}/rewards")]
    # Claimed into an empty cart ("add something and it comes off"), then with an item.
    page.get_by_role("button", name="Claim $5 off").click()
    expect(page.get_by_text(re.compile(r"You claimed \$5 off"))).to_be_visible()
    problems += [f"cart, code held: {p}" for p in _blocking_violations(page)]
    page.goto(f"{shop}/products/house-blend")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_test_id("cart-code")).to_be_visible()
    problems += [f"cart, code held, an item: {p}" for p in _blocking_violations(page)]
    rewards = page.goto(f"{shop}/rewards")
    assert rewards is not None and rewards.status == 200
    expect(page.get_by_test_id("claimed-rewards")).to_be_visible()
    expect(page.get_by_test_id("points-history")).to_be_visible()
    problems += [f"customer, claimed: {p}" for p in _blocking_violations(page)]
    problems += _check(page, f"{shop}/account/")
    problems += _check(page, f"{shop}/checkout/")  # the held code applied by itself
    assert problems == []
