"""The shopper's path through checkout and rewards, as a hurried shopper would walk it:
at desktop and phone width, with and without JavaScript, and by keyboard.

Against the live shop and sandbox (real HTTP, the delivery worker running): applying
or removing a code keeps what was typed; on a phone the code box comes before "Place
order"; the header shows the points a shopper can spend; a claimed reward is one click
away at checkout; every control shows a visible focus ring when tabbed to.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order, Voucher
from storefront.vouchers.service import generate_batch

from .conftest import Tab
from .support import Stack, eventually, fill_shipping, sign_up, wait_for_sdk

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PASSWORD = "lion-shopper-42"
_emails = itertools.count(1)


def _sign_up(page: Page, shop: str) -> str:
    return sign_up(page, shop, f"shopper{next(_emails)}@example.com", PASSWORD)


TYPED = {
    "Full name": "Rita Typed",
    "Address": "12 Careful Road",
    "City": "Leeds",
    "Postal code": "LS1 4AP",
}


def _to_checkout(page: Page, shop: str, slug: str = "house-blend") -> None:
    page.goto(f"{shop}/products/{slug}")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{shop}/checkout/")
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()


def _type_details(page: Page) -> None:
    for label, value in TYPED.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Country").select_option("IE")
    page.get_by_label("Pay later by invoice").check()


def _assert_details_kept(page: Page) -> None:
    for label, value in TYPED.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    expect(page.get_by_label("Country")).to_have_value("IE")
    expect(page.get_by_label("Pay later by invoice")).to_be_checked()


def _new_code(stack: Stack, amount_cents: int = 500) -> str:
    with stack.shop_app.app_context():
        batch = generate_batch(name="Browser test codes", amount_cents=amount_cents, count=1)
        return db.session.execute(
            select(Voucher.code).where(Voucher.batch_id == batch.id)
        ).scalar_one()


def _apply(page: Page, code: str) -> None:
    page.get_by_label("Discount code").fill(code)
    page.get_by_role("button", name="Apply").click()


# ---------------------------------------------------------------- 1. typed data is kept


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_typed_checkout_details_survive_apply_remove_and_a_bad_code(
    stack: Stack, new_tab: Callable[..., Tab], javascript: bool
) -> None:
    page = new_tab(java_script_enabled=javascript).page
    shop = stack.shop_url
    customer_id = stack.user_id(_sign_up(page, shop))
    _to_checkout(page, shop)
    _type_details(page)

    # A bad code: its error, and nothing typed is lost.
    _apply(page, "NOT-A-REAL-CODE")
    expect(page.locator("#code-error")).to_contain_text("We don't recognise")
    _assert_details_kept(page)

    # A good one: applied, details kept.
    code = _new_code(stack)
    _apply(page, code)
    expect(page.get_by_text(f"Discount code {code} applied: you save $5.00.")).to_be_visible()
    _assert_details_kept(page)

    # Removed again: details kept.
    page.get_by_role("button", name="Remove code").click()
    expect(page.get_by_text("Discount code removed.")).to_be_visible()
    _assert_details_kept(page)

    # Typed, then straight to "Place order": the code is applied and the new total shown
    # first; nothing is placed yet, nothing typed is lost.
    page.get_by_label("Discount code").fill(code)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text(f"Discount code {code} applied")).to_be_visible()
    _assert_details_kept(page)
    with stack.shop_app.app_context():
        placed = db.session.execute(select(Order.id).where(Order.customer_id == customer_id))
        assert placed.all() == []

    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_test_id("order-number")).to_be_visible()
    order_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    with stack.shop_app.app_context():
        order = db.session.get(Order, order_id)
        assert (order.ship_name, order.ship_city, order.ship_country) == (
            "Rita Typed",
            "Leeds",
            "IE",
        )
        assert [d.code for d in order.discounts] == [code]
        assert order.payment_method == "invoice"


def test_enter_in_the_code_box_applies_the_code(stack: Stack, new_tab: Callable[..., Tab]) -> None:
    page = new_tab().page
    shop = stack.shop_url
    _sign_up(page, shop)
    _to_checkout(page, shop)
    _type_details(page)
    code = _new_code(stack)
    page.get_by_label("Discount code").fill(code)
    page.get_by_label("Discount code").press("Enter")
    expect(page.get_by_text(f"Discount code {code} applied")).to_be_visible()
    _assert_details_kept(page)
    expect(page.get_by_test_id("order-number")).to_have_count(0)  # nothing placed


# ----------------------------------------------------- 2. the code box before the button


def test_on_a_phone_the_code_box_comes_before_place_order(
    stack: Stack, new_tab: Callable[..., Tab]
) -> None:
    page = new_tab(viewport=PHONE).page
    shop = stack.shop_url
    _sign_up(page, shop)
    _to_checkout(page, shop)
    code_box = page.get_by_label("Discount code").bounding_box()
    button = page.get_by_role("button", name="Place order").bounding_box()
    assert code_box is not None and button is not None
    assert code_box["y"] + code_box["height"] <= button["y"], (code_box, button)
    # The order summary (what the code changes) is above the button too.
    total = page.get_by_test_id("order-total").bounding_box()
    assert total is not None and total["y"] < button["y"]
    # Nothing overflows sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


# ------------------------------------------------------- 3. spendable points in the header


def test_the_header_shows_the_points_a_shopper_can_spend(
    stack: Stack, new_tab: Callable[..., Tab]
) -> None:
    sandbox = stack.sandbox
    assert sandbox is not None
    page = new_tab().page
    shop = stack.shop_url
    email = _sign_up(page, shop)
    customer_id = str(stack.user_id(email))
    eventually(lambda: sandbox.customer(customer_id), "the $signup at the sandbox")

    # An unpaid (invoice) order: its points are pending, not spendable.
    _to_checkout(page, shop, "gooseneck-kettle")
    fill_shipping(page)
    page.get_by_label("Pay later by invoice").check()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text("show as pending until it is paid")).to_be_visible()
    balances = eventually(
        lambda: (b := sandbox.balances(customer_id))["pending"] > 0 and b,
        "pending purchase points",
    )
    assert balances["approved"] > 0  # the signup points

    page.goto(f"{shop}/account/")
    assert wait_for_sdk(page) == "customer"
    expect(page.get_by_test_id("header-points")).to_have_text(str(balances["approved"]))
    # The pending points are shown, and labelled as pending, beside the spendable ones.
    pending = page.locator('.points-pending [data-lion-points="pending"]')
    expect(pending).to_have_text(str(balances["pending"]))
    expect(page.locator(".points-pending")).to_contain_text("pending")
    expect(page.locator(".points-total")).to_have_text(f"{balances['approved']} points to spend")
    # The SDK's loyalty page labels them the same way.
    page.goto(f"{shop}/rewards")
    assert wait_for_sdk(page) == "customer"
    expect(page.get_by_test_id("header-points")).to_have_text(str(balances["approved"]))
    expect(page.locator("#loyaltylion .lion-loyalty-page__pending")).to_contain_text(
        f"{balances['pending']} points pending"
    )


# --------------------------------------------- 5. claim, then one click at checkout


def test_a_claimed_reward_is_one_click_away_at_checkout(
    stack: Stack, new_tab: Callable[..., Tab]
) -> None:
    sandbox = stack.sandbox
    assert sandbox is not None
    tab = new_tab()
    page = tab.page
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.shop_url)
    shop = stack.shop_url

    # A guest on Rewards logs in from there and comes back to Rewards.
    email = _sign_up(new_tab().page, shop)  # the account, made elsewhere
    page.goto(f"{shop}/rewards")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{shop}/rewards")

    customer_id = str(stack.user_id(email))
    eventually(lambda: sandbox.customer(customer_id), "the $signup at the sandbox")
    topped_up = sandbox.api(
        "POST", f"/v2/customers/{customer_id}/points", {"points": 500, "reason": "test"}
    )
    assert topped_up.status_code in (200, 201), topped_up.text
    page.reload()
    assert wait_for_sdk(page) == "customer"

    # Claim "$5 off": the code, a copy button that copies it.
    lion = page.locator("#loyaltylion")
    lion.get_by_role("button", name="Claim $5 off").click()
    claimed = lion.locator(".lion-claimed-code__code")
    expect(claimed).to_be_visible()
    code = claimed.inner_text().strip()
    lion.get_by_role("button", name=f"Copy code {code}").click()
    assert page.evaluate("() => navigator.clipboard.readText()") == code

    # The shop hears of the claim (LoyaltyLion's claimed-reward webhook) and lists it.
    def listed() -> bool:
        page.reload()
        return page.get_by_test_id("reward-codes").get_by_text(code).count() == 1

    eventually(listed, "the claimed code on the Rewards page", interval=0.3)
    panel = page.get_by_test_id("reward-codes")
    expect(panel.get_by_role("button", name=f"Copy code {code}")).to_be_visible()
    panel.get_by_role("link", name="Use at checkout").first.click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()

    # Checkout offers it: one click applies it, then the order carries it.
    _to_checkout(page, shop)
    fill_shipping(page)
    page.get_by_role("button", name=f"Use code {code}").click()
    expect(page.get_by_text(f"Discount code {code} applied: you save $5.00.")).to_be_visible()
    expect(page.get_by_label("Address", exact=True)).to_have_value("1 Lion Street")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_test_id("order-number")).to_be_visible()
    order_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    with stack.shop_app.app_context():
        assert [d.code for d in db.session.get(Order, order_id).discounts] == [code]
    # Used: no longer offered.
    _to_checkout(page, shop)
    expect(page.get_by_role("button", name=f"Use code {code}")).to_have_count(0)


# ------------------------------------------------------------ 6. keyboard and phone


# Every control a shopper can Tab to shows a ring at least this thick, in a colour with
# at least 3:1 contrast against the page (WCAG 2.2, 1.4.11 and 2.4.7).
# WCAG's contrast ratio between two computed colours ("rgb(r, g, b)").
CONTRAST_JS = """
const rgb = (text) => (text.match(/[0-9.]+/g) || []).slice(0, 3).map(Number);
const channel = (c) => {
  c /= 255;
  return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
};
const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
const contrast = (x, y) => {
  const a = lum(rgb(x)), b = lum(rgb(y));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
};
"""

FOCUS_PROBE = (
    "() => {"
    + CONTRAST_JS
    + """
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  // Product cards clip their corners: the card draws its link's ring.
  const card = el.closest('.product-card');
  const cardRing = card && getComputedStyle(card).outlineStyle !== 'none';
  const ring = getComputedStyle(cardRing ? card : el);
  let bgEl = (card || el).parentElement, bg = 'rgb(255, 255, 255)';
  while (bgEl) {
    const c = getComputedStyle(bgEl).backgroundColor;
    if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
    bgEl = bgEl.parentElement;
  }
  const box = el.getBoundingClientRect();
  const name = el.getAttribute('aria-label') || el.textContent || el.name || '';
  return {
    what: el.tagName + ' ' + name.trim().slice(0, 40),
    style: ring.outlineStyle,
    width: parseFloat(ring.outlineWidth),
    contrast: contrast(ring.outlineColor, bg),
    visible: box.width > 0 && box.height > 0,
  };
}"""
)


def _tab_through(page: Page, limit: int = 80) -> list[dict]:
    """Press Tab until focus comes back round; what each stop looked like."""
    seen: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_PROBE)
        if stop is None:
            continue
        if seen and stop["what"] == seen[0]["what"]:
            break
        seen.append(stop)
    return seen


@pytest.mark.parametrize("path", ["/", "/products/house-blend", "/cart/", "/checkout/", "/rewards"])
def test_tab_reaches_every_control_with_a_visible_focus_ring(
    stack: Stack, new_tab: Callable[..., Tab], path: str
) -> None:
    page = new_tab().page
    shop = stack.shop_url
    _sign_up(page, shop)
    page.goto(f"{shop}/products/house-blend")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{shop}{path}")
    if path == "/rewards":
        wait_for_sdk(page)
    stops = _tab_through(page)
    assert len(stops) >= 5, stops
    faint = [s for s in stops if s["style"] == "none" or s["width"] < 2 or s["contrast"] < 3]
    assert not faint, faint
    assert all(stop["visible"] for stop in stops), stops
    # Every link, button and field on the page was reached.
    controls = page.evaluate(
        """() => [...document.querySelectorAll('a[href], button, input, select, textarea')]
          .filter((el) => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length
                  && getComputedStyle(el).visibility !== 'hidden'
                  && !(el.type === 'radio' && !el.checked))
          .length"""
    )
    assert len(stops) >= controls, (len(stops), controls)


def test_status_pills_have_aa_contrast(stack: Stack, new_tab: Callable[..., Tab]) -> None:
    page = new_tab().page
    shop = stack.shop_url
    _sign_up(page, shop)
    _to_checkout(page, shop)
    fill_shipping(page)
    page.get_by_label("Pay later by invoice").check()
    page.get_by_role("button", name="Place order").click()
    page.goto(f"{shop}/account/")
    ratios = page.evaluate(
        "() => {"
        + CONTRAST_JS
        + """return [...document.querySelectorAll('.pill')].map((el) => {
          const s = getComputedStyle(el);
          return [el.textContent.trim(), contrast(s.color, s.backgroundColor)];
        }); }"""
    )
    assert ratios, "no status pills on the account page"
    assert all(ratio >= 4.5 for _, ratio in ratios), ratios


def test_on_a_phone_the_header_is_one_line_with_a_menu(
    stack: Stack, new_tab: Callable[..., Tab]
) -> None:
    page = new_tab(viewport=PHONE).page
    shop = stack.shop_url
    _sign_up(page, shop)
    page.goto(f"{shop}/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 80, header
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Account")).to_be_hidden()
    expect(page.get_by_role("link", name="Cart")).to_be_visible()
    # By keyboard: open, reach the links, Escape closes and returns focus.
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Account")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Shop"
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Menu"


def test_the_points_history_fits_a_phone_without_scrolling_sideways(
    stack: Stack, new_tab: Callable[..., Tab]
) -> None:
    sandbox = stack.sandbox
    assert sandbox is not None
    page = new_tab(viewport=PHONE).page
    shop = stack.shop_url
    email = _sign_up(page, shop)
    customer_id = str(stack.user_id(email))
    eventually(lambda: sandbox.customer(customer_id), "the $signup at the sandbox")
    page.goto(f"{shop}/rewards")
    assert wait_for_sdk(page) == "customer"
    history = page.locator("#loyaltylion .lion-history")
    expect(history).to_be_visible()
    # Readable names, not the ledger's own ("$signup (approved)").
    expect(history.locator("tbody tr").first).to_contain_text("Joined the program")
    expect(history.locator("tbody tr").first).to_contain_text("Approved")
    # Nothing in the history needs scrolling sideways (so nothing needs reaching by
    # keyboard to scroll): no box in it is wider than it shows.
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('#loyaltylion *')]
          .filter((el) => el.scrollWidth > el.clientWidth + 1
                  && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
          .map((el) => el.className)"""
    )
    assert overflowing == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
