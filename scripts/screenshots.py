"""Save the key screens into docs/screenshots/ (run by `make screenshots`).

Starts the shop and the LoyaltyLion sandbox on free loopback ports (scripts/livestack.py,
wired as `make run` wires them, with throwaway databases), then drives Debian's
Chromium through Playwright as the demo customer, who starts with 600 points:

    home.png                the shop's front page, points in the header
    product.png             a product page
    rewards.png             the Rewards page: the SDK's loyalty page with points
    checkout-offer.png      checkout offering the claimed code, one click to apply
    checkout-phone.png      the same at phone width: the code box above "Place order"
    checkout-with-code.png  checkout with a claimed "$5 off" code applied
    sandbox-dashboard.png   the sandbox's dashboard after the order arrived
    rewards-phone.png       the Rewards page at phone width (390 px)
    checkout-guest-phone.png      a guest's checkout at phone width (email first)
    confirmation-guest-phone.png  a guest's confirmation: the offer of an account
    admin-reconcile.png     the last reconcile's result (an order made to differ)
    admin-vouchers.png      voucher batches: issued by LoyaltyLion, used, unused

and then, on a second stack with LOYALTYLION_UI=headless (the shop renders the program
itself from the Headless API; the demo customer is given 600 more points):

    cart-held-code.png      the cart after claiming "$5 off": the code held, coming off
    cart-held-code-phone.png      the same at phone width
    rewards-headless.png    the Rewards page: points, tier, rewards, claimed, history
    rewards-headless-phone.png    the same at phone width (390 px)
    account-headless.png    the account page's loyalty panel
    account-headless-phone.png    the same at phone width

`python scripts/screenshots.py headless` saves only the headless ones (`sdk` only the
others); with no argument, both.

Chromium comes from CHROMIUM_PATH or /usr/bin/chromium (`make chromium` installs it);
`playwright install` is never used.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SDK_SETTLED = "html[data-lion-state=guest], html[data-lion-state=customer]"


def browser_path() -> str:
    from chromium import chromium_path, find_problem

    problem = find_problem()
    if problem:
        sys.exit(problem)
    return chromium_path()


def wait_for_sdk(page) -> None:
    """The SDK has authenticated (or not) and rendered; its stylesheet has loaded."""
    page.wait_for_selector(SDK_SETTLED, state="attached")
    page.evaluate("() => window.loyaltylion.sandbox.settled.then(() => true)")
    page.wait_for_load_state("load")


def shoot(page, name: str, *, full_page: bool = True) -> None:
    path = OUT / name
    if full_page:
        # A page reached through an #anchor is scrolled; with the sticky header, a
        # full-page capture would then draw the header over the middle of the page.
        page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=full_page)
    print(f"  saved {path.relative_to(ROOT)}", flush=True)


def step(message: str) -> None:
    print(message, flush=True)


GROUPS = ("sdk", "headless")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    groups = sys.argv[1:] or list(GROUPS)
    unknown = [group for group in groups if group not in GROUPS]
    if unknown:
        sys.exit(f"unknown group {', '.join(unknown)}: expected {' and/or '.join(GROUPS)}")
    executable = browser_path()
    OUT.mkdir(parents=True, exist_ok=True)
    if "sdk" in groups:
        sdk_screens(executable)
    if "headless" in groups:
        headless_screens(executable)
    step(f"Done: {OUT.relative_to(ROOT)}/")


def sdk_screens(executable: str) -> None:
    from chromium import CHROMIUM_ARGS
    from livestack import live_stack
    from playwright.sync_api import expect, sync_playwright

    from storefront.devserver import demo_customer
    from storefront.seed import ADMIN_EMAIL, ADMIN_PASSWORD, CUSTOMER_EMAIL, CUSTOMER_PASSWORD

    step("Starting the shop and the LoyaltyLion sandbox on free ports...")
    with live_stack() as stack, sync_playwright() as playwright:
        shop = stack.shop_url
        step(f"  shop {shop}, sandbox {stack.sandbox_url}")
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
            context.set_default_timeout(15_000)
            page = context.new_page()

            step("Logging in as the demo customer...")
            page.goto(f"{shop}/login")
            page.get_by_label("Email", exact=True).fill(CUSTOMER_EMAIL)
            page.get_by_label("Password", exact=True).fill(CUSTOMER_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("button", name="Log out").wait_for()

            step("Home page")
            page.goto(f"{shop}/")
            wait_for_sdk(page)
            shoot(page, "home.png")

            step("Product page")
            page.goto(f"{shop}/products/gooseneck-kettle")
            wait_for_sdk(page)
            shoot(page, "product.png")
            page.get_by_role("button", name="Add to cart").click()
            page.get_by_role("heading", name="Your cart").wait_for()

            step("Rewards page (600 points)")
            page.goto(f"{shop}/rewards")
            wait_for_sdk(page)
            page.locator("#loyaltylion .lion-loyalty-page--customer").wait_for()
            shoot(page, "rewards.png")

            step('Claiming "$5 off" and applying the code at checkout')
            lion = page.locator("#loyaltylion")
            lion.get_by_role("button", name="Claim $5 off").click()
            code = lion.locator(".lion-claimed-code__code").inner_text().strip()
            # Checkout offers the claimed code once LoyaltyLion's claimed-reward webhook
            # has reached the shop (a moment): one click applies it.
            offered = page.get_by_role("button", name=f"Use code {code}")
            deadline = time.monotonic() + 10
            while True:
                page.goto(f"{shop}/checkout/")
                if offered.count() or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            shoot(page, "checkout-offer.png")
            step("Checkout at phone width, the claimed code offered above Place order")
            phone = browser.new_context(
                viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True
            )
            phone.add_cookies(context.cookies())
            phone_page = phone.new_page()
            phone_page.goto(f"{shop}/checkout/")
            shoot(phone_page, "checkout-phone.png")
            phone.close()
            offered.click()
            expect(page.locator(".applied-code")).to_be_visible()
            page.get_by_label("Full name", exact=True).fill("Casey Customer")
            page.get_by_label("Address", exact=True).fill("2 Mane Road")
            page.get_by_label("City", exact=True).fill("Leeds")
            page.get_by_label("Postal code", exact=True).fill("LS1 4AP")
            page.get_by_label("Country").select_option("GB")
            page.evaluate("() => document.activeElement.blur()")  # no focus ring in the shot
            wait_for_sdk(page)
            shoot(page, "checkout-with-code.png")
            page.get_by_role("button", name="Place order").click()
            page.get_by_test_id("order-number").wait_for()
            order_id = page.url.rstrip("/").rsplit("/", 1)[1]

            step("A guest's checkout and confirmation at phone width")
            guest = browser.new_context(
                viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True
            )
            guest_page = guest.new_page()
            guest_page.goto(f"{shop}/products/house-blend")
            guest_page.get_by_role("button", name="Add to cart").click()
            guest_page.get_by_role("heading", name="Your cart").wait_for()
            guest_page.goto(f"{shop}/checkout/")
            wait_for_sdk(guest_page)
            shoot(guest_page, "checkout-guest-phone.png")
            guest_page.get_by_label("Email", exact=True).fill("walk.in@example.com")
            guest_page.get_by_label("Full name", exact=True).fill("Wren Walker")
            guest_page.get_by_label("Address", exact=True).fill("9 Lane End")
            guest_page.get_by_label("City", exact=True).fill("York")
            guest_page.get_by_label("Postal code", exact=True).fill("YO1 7HH")
            guest_page.get_by_label("Country").select_option("GB")
            guest_page.get_by_role("button", name="Place order").click()
            guest_page.get_by_test_id("order-number").wait_for()
            wait_for_sdk(guest_page)
            shoot(guest_page, "confirmation-guest-phone.png")
            guest.close()

            step("Rewards page at phone width")
            phone = browser.new_context(
                viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True
            )
            phone.add_cookies(context.cookies())
            phone_page = phone.new_page()
            phone_page.goto(f"{shop}/rewards")
            wait_for_sdk(phone_page)
            shoot(phone_page, "rewards-phone.png")
            phone.close()

            step("Sandbox dashboard")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # the order reaches the sandbox on its own
                if _sandbox_has_orders(stack.sandbox_url):
                    break
                time.sleep(0.1)
            page.goto(stack.sandbox_url + "/")
            shoot(page, "sandbox-dashboard.png", full_page=False)
            context.close()

            step("The LoyaltyLion package's admin pages, in the store admin's frame")
            # Webhooks to show: a customers/update (the shop subscribed to it) and the
            # test fulfilment LoyaltyLion sends when a custom reward is saved.
            customer_id, _ = demo_customer(stack.shop)
            _sandbox_post(stack.sandbox_url, f"/_sandbox/customers/{customer_id}/customers-update")
            _sandbox_post(stack.sandbox_url, "/_sandbox/rewards/2/test-webhook")
            for name, viewport in (("", DESKTOP), ("-phone", PHONE)):
                admin = browser.new_context(viewport=viewport, device_scale_factor=1)
                admin_page = admin.new_page()
                admin_page.goto(f"{shop}/login")
                admin_page.get_by_label("Email", exact=True).fill(ADMIN_EMAIL)
                admin_page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
                admin_page.get_by_role("button", name="Log in").click()
                # At phone width "Log out" is folded into the menu: present, not shown.
                logged_in = admin_page.get_by_role("button", name="Log out", include_hidden=True)
                logged_in.wait_for(state="attached")
                admin_page.goto(f"{shop}/admin/loyaltylion/deliveries")
                shoot(admin_page, f"admin-deliveries{name}.png")
                admin_page.goto(f"{shop}/admin/loyaltylion/webhooks")
                shoot(admin_page, f"admin-webhooks{name}.png")
                if not name:
                    _reconcile_with_a_drift(stack, order_id)
                    admin_page.goto(f"{shop}/admin/loyaltylion/reconcile")
                    shoot(admin_page, "admin-reconcile.png")
                    admin_page.goto(f"{shop}/admin/vouchers")
                    shoot(admin_page, "admin-vouchers.png")
                admin.close()
        finally:
            browser.close()


def headless_screens(executable: str) -> None:
    """LOYALTYLION_UI=headless: the Rewards page, the account and the cart the shop
    renders itself from the Headless API."""
    import os

    import requests
    from chromium import CHROMIUM_ARGS
    from livestack import live_stack
    from playwright.sync_api import sync_playwright

    from loyaltylion_sandbox.constants import SANDBOX_API_KEY
    from storefront.devserver import demo_customer
    from storefront.seed import CUSTOMER_EMAIL, CUSTOMER_PASSWORD

    step("Starting the shop (LOYALTYLION_UI=headless) and the sandbox on free ports...")
    previous = os.environ.get("LOYALTYLION_UI")
    os.environ["LOYALTYLION_UI"] = "headless"  # read by create_app (storefront/config.py)
    try:
        with live_stack() as stack, sync_playwright() as playwright:
            shop = stack.shop_url
            step(f"  shop {shop}, sandbox {stack.sandbox_url}")
            # 600 demo points and 600 more: Silver, and still enough after one claim.
            customer_id, _ = demo_customer(stack.shop)
            requests.post(
                f"{stack.sandbox_url}/v2/customers/{customer_id}/points",
                json={"points": 600, "reason": "Screenshots"},
                headers={"Authorization": f"Bearer {SANDBOX_API_KEY}"},
                timeout=10,
            ).raise_for_status()
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
                context.set_default_timeout(15_000)
                page = context.new_page()
                page.goto(f"{shop}/login")
                page.get_by_label("Email", exact=True).fill(CUSTOMER_EMAIL)
                page.get_by_label("Password", exact=True).fill(CUSTOMER_PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.get_by_role("button", name="Log out").wait_for()
                page.goto(f"{shop}/products/gooseneck-kettle")
                page.get_by_role("button", name="Add to cart").click()
                page.get_by_role("heading", name="Your cart").wait_for()

                step('Claiming "$5 off" on the headless Rewards page: the code in the cart')
                page.goto(f"{shop}/rewards")
                page.get_by_role("button", name="Claim $5 off").click()
                page.get_by_test_id("cart-code").wait_for()
                page.evaluate("() => document.activeElement.blur()")
                shoot(page, "cart-held-code.png")
                # The flash is shown once: the same page, narrowed to a phone's width.
                page.set_viewport_size(PHONE)
                shoot(page, "cart-held-code-phone.png")
                page.set_viewport_size(DESKTOP)
                phone = browser.new_context(
                    viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True
                )
                phone.add_cookies(context.cookies())
                phone_page = phone.new_page()

                step("Rewards and account pages, headless")
                for name, tab in (("", page), ("-phone", phone_page)):
                    tab.goto(f"{shop}/rewards")
                    tab.get_by_test_id("claimed-rewards").wait_for()
                    shoot(tab, f"rewards-headless{name}.png")
                    tab.goto(f"{shop}/account/")
                    tab.get_by_test_id("headless-points").wait_for()
                    shoot(tab, f"account-headless{name}.png")
                phone.close()
                context.close()
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("LOYALTYLION_UI", None)
        else:
            os.environ["LOYALTYLION_UI"] = previous


def _reconcile_with_a_drift(stack, order_id: str) -> None:
    """Make LoyaltyLion's copy of the order differ (as an edit in its admin would), then
    run `loyaltylion reconcile` so the admin's page has a result to show."""
    import requests

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the order reaches the sandbox on its own
        answer = requests.post(
            f"{stack.sandbox_url}/_sandbox/orders/{order_id}/drift",
            json={"payment_status": "not_paid", "total_paid": "0.00"},
            timeout=10,
        )
        if answer.status_code == 200:
            break
        time.sleep(0.2)
    answer.raise_for_status()
    since = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86_400))
    stack.shop.test_cli_runner().invoke(args=["loyaltylion", "reconcile", "--since", since])


def _sandbox_post(sandbox_url: str, path: str) -> None:
    import requests

    response = requests.post(sandbox_url + path, json={}, timeout=10)
    response.raise_for_status()


def _sandbox_has_orders(sandbox_url: str) -> bool:
    import requests

    response = requests.get(f"{sandbox_url}/_sandbox/requests?path=/v2/orders", timeout=5)
    return response.ok and bool(response.json()["requests"])


if __name__ == "__main__":
    main()
