"""The LoyaltyLion SDK on every page, proven in a real browser under the shop's CSP.

* the site secret never leaves the server (every page, as guest, customer and admin);
* guests init with the site token only; customers with {id, email} and a fresh auth
  token the sandbox accepts; a tampered token or date leaves a guest and says why;
* init runs exactly once per page (a second call throws);
* the SDK fills the points, the referral URL and the "Refer a friend" modal;
* the Content-Security-Policy is sent and the SDK works under it, with no violation.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Response, Route, expect
from sqlalchemy import select

from loyaltylion_sandbox.constants import SANDBOX_API_KEY, SANDBOX_SITE_SECRET, SANDBOX_SITE_TOKEN
from storefront.devserver import give_demo_points
from storefront.extensions import db
from storefront.models import Product
from storefront.seed import ADMIN_EMAIL, ADMIN_PASSWORD, CUSTOMER_EMAIL, CUSTOMER_PASSWORD
from tests.sandbox_client import auth_token

from .conftest import Tab
from .support import SHOP_CONFIG, ShopSession, Stack, log_in, wait_for_sdk

pytestmark = pytest.mark.browser

# Server-side credentials: none of them may reach a browser.
SECRETS = {
    "site secret": SANDBOX_SITE_SECRET,
    "Admin API key": SANDBOX_API_KEY,
    "Flask SECRET_KEY": SHOP_CONFIG["SECRET_KEY"],
}

# Wraps `loyaltylion.init` wherever it is defined (the shop's stub, then the SDK
# loader that takes it over) and records each call. Injected by Playwright before any
# page script, so it is no inline script and the page's CSP stays as served.
COUNT_INIT_CALLS = """
(() => {
  const calls = [];
  window.__lionInitCalls = calls;
  let current;
  Object.defineProperty(window, 'loyaltylion', {
    configurable: true,
    enumerable: true,
    get() { return current; },
    set(value) {
      current = value;
      if (!value || typeof value !== 'object' || Object.getOwnPropertyDescriptor(value, 'init')) {
        return;
      }
      let impl;
      let definitions = 0;
      Object.defineProperty(value, 'init', {
        configurable: true,
        enumerable: true,
        get() { return impl; },
        set(fn) {
          const definedBy = definitions === 0 ? 'stub' : 'loader';
          definitions += 1;
          impl = function (options) {
            const call = {definedBy, options: JSON.parse(JSON.stringify(options ?? null))};
            calls.push(call);
            try {
              const result = fn.apply(this, arguments);
              call.ok = true;
              return result;
            } catch (error) {
              call.ok = false;
              call.error = error.message;
              throw error;
            }
          };
        },
      });
    },
  });
})();
"""

# Records Content-Security-Policy violations as the browser reports them.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


@dataclass
class Shop:
    stack: Stack
    customer_id: str
    order_id: int

    @property
    def url(self) -> str:
        return self.stack.shop_url

    @property
    def sandbox_url(self) -> str:
        assert self.stack.sandbox is not None
        return self.stack.sandbox.url


@pytest.fixture(scope="module")
def shop(stack: Stack) -> Iterator[Shop]:
    """The seeded customer with points in the sandbox, one order, and a full cart."""
    assert stack.sandbox is not None
    customer_id = stack.user_id(CUSTOMER_EMAIL)
    give_demo_points(stack.sandbox.app, (str(customer_id), CUSTOMER_EMAIL))
    with stack.shop_app.app_context():
        products = dict(db.session.execute(select(Product.slug, Product.id)).all())
    customer = ShopSession(stack.shop_url)

    def add_to_cart(slug: str) -> None:
        added = customer.post_form(
            f"/products/{slug}", "/cart/add", {"product_id": products[slug], "quantity": 1}
        )
        assert added.ok, added.text

    try:
        customer.login(CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
        add_to_cart("house-blend")
        placed = customer.post_form(
            "/checkout/",
            "/checkout/",
            {
                "name": "Casey Customer",
                "address": "2 Mane Road",
                "city": "Leeds",
                "postcode": "LS1 4AP",
                "country": "GB",
                "payment_method": "card",
            },
        )
        match = re.search(r"/checkout/confirmation/(\d+)", placed.url)
        assert match, placed.url
        order_id = int(match.group(1))
        add_to_cart("pour-over-dripper")  # so that /checkout/ has something to show
    finally:
        customer.close()
    yield Shop(stack, str(customer_id), order_id)


def _sandbox_customer(shop: Shop) -> dict:
    assert shop.stack.sandbox is not None
    found = shop.stack.sandbox.customer(shop.customer_id)
    assert found is not None
    return found


# ------------------------------------------------------------------------ the secret


def _links(base: str, response_url: str, content_type: str, text: str) -> Iterator[str]:
    if "html" in content_type:
        found = re.findall(r'(?:href|src|action)="([^"]+)"', text)
    elif "css" in content_type:
        found = re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", text)
    else:
        return
    for link in found:
        url = urldefrag(urljoin(response_url, link.replace("&amp;", "&")))[0]
        if url.startswith(base + "/"):
            yield url


def _crawl(session: ShopSession, seeds: list[str], limit: int = 400) -> dict[str, int]:
    """GET every same-origin page and asset reachable from `seeds`; check each response
    (body and headers) for the server's secrets. Returns {path: status}."""
    base = session.url
    queue = deque(base + seed for seed in seeds)
    seen: set[str] = set(queue)
    visited: dict[str, int] = {}
    while queue:
        url = queue.popleft()
        assert len(visited) < limit, "the crawl found far more pages than the shop has"
        response = session.get(url, allow_redirects=False)
        path = url.removeprefix(base)
        visited[path] = response.status_code
        headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
        for what, secret in SECRETS.items():
            assert secret not in response.text, f"the {what} is in the body of {path}"
            assert secret not in headers, f"the {what} is in the headers of {path}"
        content_type = response.headers.get("Content-Type", "")
        if "html" in content_type:
            assert "Content-Security-Policy" in response.headers, f"no CSP on {path}"
        targets = list(_links(base, url, content_type, response.text))
        if response.is_redirect:
            targets.append(urljoin(url, response.headers["Location"]))
        for target in targets:
            if target.startswith(base + "/") and target not in seen:
                seen.add(target)
                queue.append(target)
    return visited


def test_no_secret_in_anything_the_shop_serves(shop: Shop) -> None:
    confirmation = f"/checkout/confirmation/{shop.order_id}"  # linked once, after the order
    seeds = [
        "/",
        "/rewards",
        "/cart/",
        "/checkout/",
        "/account/",
        "/admin/",
        confirmation,
        "/login",
        "/signup",
        "/no-such-page",
    ]
    guest = ShopSession(shop.url)
    customer = ShopSession(shop.url)
    admin = ShopSession(shop.url)
    try:
        guest_pages = _crawl(guest, seeds)
        customer.login(CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
        customer_pages = _crawl(customer, seeds)
        admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        admin_pages = _crawl(admin, seeds)
        # The customer's config block carries an auth token: computed, never the secret.
        page = customer.get("/account/").text
        assert '"auth"' in page and SANDBOX_SITE_TOKEN in page
    finally:
        for session in (guest, customer, admin):
            session.close()

    # The crawl reached what each of them can see (and guests were sent to log in).
    for path in (
        "/",
        "/rewards",
        "/products/house-blend",
        "/category/coffee",
        "/login",
        "/loyaltylion/static/snippet.js",
        "/loyaltylion/static/theme.css",
        "/static/css/shop.css",
    ):
        assert guest_pages.get(path) == 200, path
    assert guest_pages.get("/account/") == 302  # to the login page
    assert guest_pages.get("/checkout/") == 302  # a guest's empty cart: back to the cart
    assert guest_pages.get(confirmation) == 404  # the customer's order, not the guest's
    for path in ("/account/", "/checkout/", confirmation, f"/account/orders/{shop.order_id}"):
        assert customer_pages.get(path) == 200, path
    for path in (
        "/admin/",
        f"/admin/orders/{shop.order_id}",
        "/admin/vouchers",
        "/admin/loyaltylion/deliveries",
        "/admin/loyaltylion/webhooks",
    ):
        assert admin_pages.get(path) == 200, path
    assert min(map(len, (guest_pages, customer_pages, admin_pages))) > 20


def _body_of(page: Page, response: Response) -> bytes:
    """The response's body; Chromium sometimes drops a finished resource's body early
    (`No resource with given identifier`): then fetch the same URL again, with the
    page's cookies, which gives the same bytes for these GET pages and assets."""
    try:
        return response.body()
    except PlaywrightError as error:
        if "No resource with given identifier" not in str(error):
            raise
        return page.request.get(response.url).body()


def test_no_secret_in_what_the_browser_receives(shop: Shop, tab: Tab) -> None:
    """Every response the browser gets, from the shop and from the SDK's host."""
    page = tab.page
    received: list[Response] = []
    origins: set[str] = set()
    page.on("response", lambda response: received.append(response))

    def check_received(*, bodies: bool = True) -> None:
        # Bodies can only be read until the page navigates away.
        for response in received:
            parts = urlsplit(response.url)
            origins.add(f"{parts.scheme}://{parts.netloc}")
            headers = json.dumps(response.headers_array())
            # Chromium fetches the favicon for itself and does not keep its body (the
            # same file is checked as the header's <img>).
            favicon = response.request.resource_type == "other" and parts.path.endswith(".svg")
            has_body = (
                bodies
                and not favicon
                and response.request.method != "OPTIONS"
                and not 300 <= response.status < 400
            )
            body = _body_of(page, response) if has_body else b""
            for what, secret in SECRETS.items():
                assert secret.encode() not in body, f"the {what} is in {response.url}"
                assert secret not in headers, f"the {what} is in the headers of {response.url}"
        received.clear()

    for path in ("/", "/rewards"):
        page.goto(shop.url + path)
        assert wait_for_sdk(page) == "guest"
        check_received()
    log_in(page, shop.url, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    check_received(bodies=False)  # the log-in flow's pages: navigated away from
    for path in ("/account/", "/rewards", "/checkout/"):
        page.goto(shop.url + path)
        assert wait_for_sdk(page) == "customer"
        assert SANDBOX_SITE_SECRET not in page.content()
        check_received()
    assert origins == {shop.url, shop.sandbox_url}  # the shop's pages and the SDK's calls


# --------------------------------------------------------------------- init options


def _config(page: Page) -> dict:
    return json.loads(page.locator("#loyaltylion-config").text_content() or "null")


def test_a_guest_page_inits_with_the_site_token_only(shop: Shop, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{shop.url}/products/house-blend")
    assert wait_for_sdk(page) == "guest"
    assert _config(page) == {
        "sdkOrigin": shop.sandbox_url,
        "loaderUrl": None,
        "init": {"token": SANDBOX_SITE_TOKEN},
    }
    assert page.evaluate("() => window.loyaltylion._initData") == {"token": SANDBOX_SITE_TOKEN}
    assert page.evaluate("() => window.lion === window.loyaltylion") is True
    assert page.evaluate("() => window.loyaltylion.sandbox.authenticated") is False
    assert tab.console_errors == [] and tab.page_errors == []


def test_a_customer_page_inits_with_a_token_the_sandbox_accepts(shop: Shop, tab: Tab) -> None:
    page = tab.page
    log_in(page, shop.url, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    page.goto(f"{shop.url}/rewards")
    assert wait_for_sdk(page) == "customer"

    init = page.evaluate("() => window.loyaltylion._initData")
    assert init == _config(page)["init"]
    assert set(init) == {"token", "customer", "auth"}
    assert init["token"] == SANDBOX_SITE_TOKEN
    assert init["customer"] == {"id": shop.customer_id, "email": CUSTOMER_EMAIL}
    assert set(init["auth"]) == {"date", "token"}
    date = init["auth"]["date"]
    made = datetime.fromisoformat(date)
    assert made.tzinfo is not None
    assert abs(datetime.now(UTC) - made) < timedelta(minutes=1)  # fresh, made for this render
    assert init["auth"]["token"] == auth_token(
        shop.customer_id, date, CUSTOMER_EMAIL, SANDBOX_SITE_SECRET
    )

    sandbox = page.evaluate(
        "() => ({authenticated: loyaltylion.sandbox.authenticated,"
        " id: loyaltylion.sandbox.customer.id, error: loyaltylion.sandbox.lastError})"
    )
    assert sandbox == {"authenticated": True, "id": shop.customer_id, "error": None}
    assert tab.console_errors == [] and tab.page_errors == []


INIT_ONCE_PAGES = {
    "home": "/",
    "product": "/products/house-blend",
    "cart": "/cart/",
    "checkout": "/checkout/",
    "account": "/account/",
    "rewards": "/rewards",
}


def test_every_page_calls_init_exactly_once(shop: Shop, tab: Tab) -> None:
    tab.context.add_init_script(script=COUNT_INIT_CALLS)
    page = tab.page
    page.goto(f"{shop.url}/")
    assert wait_for_sdk(page) == "guest"
    pages = {"home (guest)": page.evaluate("() => window.__lionInitCalls")}
    log_in(page, shop.url, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    for name, path in INIT_ONCE_PAGES.items():
        response = page.goto(shop.url + path)
        assert response is not None and response.ok, path
        assert wait_for_sdk(page) == "customer", path
        pages[name] = page.evaluate("() => window.__lionInitCalls")
        second = page.evaluate(
            "() => { try { loyaltylion.init({token: 'sandbox_site_token'}); return 'no error'; }"
            " catch (error) { return error.message; } }"
        )
        assert second == "Cannot call lion.init more than once", path

    for name, calls in pages.items():
        init = calls[0]["options"]
        # The page called init once (the shop's stub recorded it); the SDK then ran that
        # same recorded call once when it started. Nothing else called it.
        assert [(c["definedBy"], c["ok"], c["options"]) for c in calls] == [
            ("stub", True, init),
            ("loader", True, init),
        ], name
        assert ("customer" in init) is (name != "home (guest)"), name
    assert tab.page_errors == []
    assert tab.console_errors == []


@pytest.mark.parametrize("tamper", ["token", "date"])
def test_a_tampered_auth_leaves_a_guest_with_a_console_error(
    shop: Shop, tab: Tab, tamper: str
) -> None:
    page = tab.page
    log_in(page, shop.url, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    tampered: list[str] = []

    def alter_auth(route: Route) -> None:
        response = route.fetch()
        html = response.text()
        config = re.search(r'id="loyaltylion-config">(.*?)</script>', html, re.S)
        assert config, "no SDK config on the page"
        settings = json.loads(config.group(1))
        auth = settings["init"]["auth"]
        if tamper == "token":
            auth["token"] = auth["token"][:-1] + ("0" if auth["token"][-1] != "0" else "1")
        else:  # one second later: still inside the window, but not what was signed
            date = datetime.fromisoformat(auth["date"]) + timedelta(seconds=1)
            auth["date"] = date.isoformat().replace("+00:00", "Z")
        tampered.append(json.dumps(auth))
        body = html.replace(config.group(1), json.dumps(settings))
        route.fulfill(response=response, body=body)

    # A document Playwright fulfils has no address space of its own, so Chromium's Local
    # Network Access check would block the loopback SDK; grant it for this origin only.
    # (A browser from before Local Network Access knows no such permission, nor needs it.)
    with contextlib.suppress(PlaywrightError):
        tab.context.grant_permissions(["local-network-access"], origin=shop.url)
    tab.context.route(f"{shop.url}/account/", alter_auth)
    response = page.goto(f"{shop.url}/account/")
    assert tampered, "the page was not intercepted"
    assert response is not None and "content-security-policy" in response.headers
    assert wait_for_sdk(page) == "guest"
    assert page.evaluate("() => loyaltylion.sandbox.authenticated") is False
    assert page.evaluate("() => loyaltylion.sandbox.customer") is None
    assert page.evaluate("() => loyaltylion.sandbox.lastError") == (
        "customer authentication failed: auth token does not match"
    )
    assert tab.console_errors == [
        "LoyaltyLion sandbox: customer authentication failed: auth token does not match"
    ]
    # A guest's SDK shows no points and no referral link.
    expect(page.get_by_test_id("header-points")).to_have_text("0")
    expect(page.locator("[data-lion-referral-url]")).to_have_text("")


# -------------------------------------------------------------- hooks the SDK fills


def test_points_and_referral_url_are_filled_by_the_sdk(shop: Shop, tab: Tab) -> None:
    page = tab.page
    log_in(page, shop.url, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    # As served, the hooks are placeholders: the numbers come from the SDK only.
    served = tab.context.request.get(f"{shop.url}/account/").text()
    assert '<span data-lion-points="approved" data-testid="header-points">–</span>' in served
    assert "<span data-lion-referral-url></span>" in served

    page.goto(f"{shop.url}/account/")
    assert wait_for_sdk(page) == "customer"
    member = _sandbox_customer(shop)
    balances = member["balances"]
    assert balances["approved"] > 0
    # Spendable points where a shopper decides; pending ones labelled apart.
    expect(page.get_by_test_id("header-points")).to_have_text(str(balances["approved"]))
    expect(page.locator('.points-total [data-lion-points="approved"]')).to_have_text(
        str(balances["approved"])
    )
    expect(page.locator('.points-pending [data-lion-points="pending"]')).to_have_text(
        str(balances["pending"])
    )
    referral_url = member["customer"]["referral_url"]
    assert referral_url == f"{shop.url}/?ll_ref_id={member['customer']['referral_id']}"
    expect(page.locator("[data-lion-referral-url]")).to_have_text(referral_url)


def test_refer_a_friend_opens_the_referral_modal(shop: Shop, tab: Tab) -> None:
    page = tab.page
    log_in(page, shop.url, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    page.goto(f"{shop.url}/account/")
    assert wait_for_sdk(page) == "customer"
    opener = page.get_by_role("button", name="Refer a friend")
    opener.click()
    dialog = page.get_by_role("dialog", name="Refer a friend")
    expect(dialog).to_be_visible()
    link = dialog.get_by_label("Your referral link")
    expect(link).to_have_value(_sandbox_customer(shop)["customer"]["referral_url"])
    expect(link).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()


# ------------------------------------------------------------------------------ CSP


def _directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_the_sdk_works_under_the_content_security_policy(shop: Shop, tab: Tab) -> None:
    tab.context.add_init_script(script=RECORD_CSP_VIOLATIONS)
    page = tab.page
    log_in(page, shop.url, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    response = page.goto(f"{shop.url}/rewards")
    assert response is not None
    policy = _directives(response.headers["content-security-policy"])
    for directive in ("script-src", "connect-src", "style-src"):
        assert "'self'" in policy[directive] and shop.sandbox_url in policy[directive], directive
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(policy["script-src"])
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]

    # The SDK loaded, authenticated, rendered and styled the loyalty page...
    assert wait_for_sdk(page) == "customer"
    expect(page.locator("#loyaltylion .lion-loyalty-page--customer")).to_be_visible()
    assert page.evaluate(
        "() => document.querySelector('link[data-lion-sandbox-css]').sheet !== null"
    )
    page.get_by_role("button", name="Share your referral link").click()
    expect(page.get_by_role("dialog", name="Refer a friend")).to_be_visible()
    # ...without a single CSP violation or console error.
    assert page.evaluate("() => window.__cspViolations") == []
    assert tab.console_errors == [] and tab.page_errors == []

    # And the policy is really enforced: an injected inline script does not run.
    ran = page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__inlineRan = true'; document.head.appendChild(s);"
        " return window.__inlineRan === true; }"
    )
    assert ran is False
    violations = page.evaluate("() => window.__cspViolations")
    assert violations and violations[0].startswith("script-src")
