"""The SDK stand-in in a real browser (Debian's Chromium through Playwright).

A throwaway "shop" app, served on its own port, renders a page with the head
snippet (a stub like LoyaltyLion's official one that queues calls and loads the
sandbox's loader.js asynchronously), an init call and the documented hooks. The
sandbox is configured with that shop origin, so CORS is exercised for real.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request

from loyaltylion_sandbox.server import RunningServer, start_server
from scripts.chromium import CHROMIUM_ARGS, chromium_path, find_problem

from .support import SandboxClient, auth_token, dispose, make_sandbox_app, now_iso

pytestmark = pytest.mark.browser

SITE_TOKEN = "sandbox_site_token"
CUSTOMER = {"id": "42", "email": "ada@example.com"}

# LoyaltyLion's published snippet (https://developers.loyaltylion.com/sdk/installation),
# written out: the dated loader at once, and inside init the buffering stubs and the
# per-site start script, both with crossOrigin = "". `{mode}` "loader-only" leaves the
# start script out, as a snippet that loads one script only would.
STUB = """
(function (t, n, origin, mode) {
  var e = n.loyaltylion || [];
  if (e.isLoyaltyLion) { return; }
  n.loyaltylion = e;
  if (n.lion === undefined) { n.lion = e; }
  e.version = 2;
  e.isLoyaltyLion = true;
  var a = new Date().toISOString().replace(/-/g, '');
  c(origin + '/static/2/' + a.slice(0, 8) + '/loader.js');
  var l = false;
  e.init = function (opts) {
    if (l) { throw new Error('Cannot call lion.init more than once'); }
    l = true;
    var token = (e._token = opts.token);
    if (!token) { throw new Error('Token must be supplied to lion.init'); }
    var buffer = [];
    '_push configure bootstrap shutdown on removeListener authenticateCustomer'.split(' ')
      .forEach(function (name) {
        e[name] = function () { buffer.push([name, Array.prototype.slice.call(arguments, 0)]); };
      });
    if (mode !== 'loader-only') {
      c(origin + '/sdk/start/' + a.slice(0, 11) + '/' + token + '.js');
    }
    e._initData = opts;
    e._buffer = buffer;
  };
  function c(src) {
    var first = t.getElementsByTagName('script')[0];
    var s = t.createElement('script');
    s.src = src;
    s.crossOrigin = '';
    first.parentNode.insertBefore(s, first);
  }
})(document, window, {origin}, {mode});
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test shop</title><link rel="icon" href="data:,">
<script>{stub}</script>
<script>{calls}</script>
</head>
<body>
  <header>Points: <span id="total" data-lion-points></span>
    (<span id="approved" data-lion-points="approved"></span> approved,
     <span id="pending" data-lion-points="pending"></span> pending)
    <button type="button" id="refer" data-lion-refer>Refer a friend</button>
  </header>
  <p>Your link: <span id="ref" data-lion-referral-url></span></p>
  <aside data-lion-rules-list></aside>
  <main data-lion-integrated-page></main>
</body></html>
"""


def _auth(customer: dict[str, str], tamper: bool = False) -> dict[str, str]:
    date = now_iso()
    token = auth_token(customer["id"], date, customer["email"])
    if tamper:
        token = token[:-1] + ("0" if token[-1] != "0" else "1")
    return {"date": date, "token": token}


def make_shop(sandbox_url: dict[str, str]) -> Flask:
    shop = Flask("test_shop")

    @shop.get("/page")
    def page() -> str:
        mode = request.args.get("mode", "customer")
        init = {"token": "not-a-site-token" if mode == "unknown-token" else SITE_TOKEN}
        if mode in ("customer", "tampered", "loader-only", "unknown-token"):
            init.update(customer=CUSTOMER, auth=_auth(CUSTOMER, tamper=mode == "tampered"))
        # init first: the published snippet defines the buffering stubs (`on` among
        # them) inside init.
        calls = f"loyaltylion.init({json.dumps(init)});"
        calls += "window.readyCalls = 0;"
        calls += "loyaltylion.on('ready', () => { window.readyCalls += 1; });"
        if mode == "queued":
            # Guest init, then a login on the same page, both before the SDK started.
            login = {"customer": CUSTOMER, "auth": _auth(CUSTOMER)}
            calls += f"loyaltylion.authenticateCustomer({json.dumps(login)});"
        stub = STUB.replace("{origin}", json.dumps(sandbox_url["url"]))
        return PAGE.replace("{stub}", stub.replace("{mode}", json.dumps(mode))).replace(
            "{calls}", calls
        )

    @shop.post("/webhooks/loyaltylion")
    def webhook() -> tuple[str, int]:
        # The sandbox's default webhook URL is <shop origin>/webhooks/loyaltylion.
        return "ok", 200

    return shop


@pytest.fixture(scope="module")
def browser_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    problem = find_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    from playwright.sync_api import sync_playwright

    sandbox_url: dict[str, str] = {}
    shop_server: RunningServer = start_server(make_shop(sandbox_url), quiet=True)
    app = make_sandbox_app(
        tmp_path_factory.mktemp("browser") / "sandbox.sqlite3", SANDBOX_SHOP_ORIGIN=shop_server.url
    )
    sandbox_server = start_server(app, quiet=True)
    sandbox_url["url"] = sandbox_server.url
    client = SandboxClient(sandbox_server.url)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield {"browser": browser, "shop": shop_server.url, "client": client}
        finally:
            browser.close()
            client.close()
            sandbox_server.shutdown()
            shop_server.shutdown()
            dispose(app)


@pytest.fixture
def env(browser_env: dict[str, Any]) -> Iterator[dict[str, Any]]:
    client: SandboxClient = browser_env["client"]
    client.reset()
    client.signup(CUSTOMER["id"], email=CUSTOMER["email"])  # 200
    assert client.api("POST", "/v2/customers/42/points", {"points": 500}).status_code == 201
    client.create_order("1001", "42", total="10.00", total_shipping="0.00")  # 100 pending
    context = browser_env["browser"].new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    yield {**browser_env, "page": page, "console_errors": errors}
    context.close()


def _open(env: dict[str, Any], mode: str) -> Any:
    page = env["page"]
    page.goto(f"{env['shop']}/page?mode={mode}")
    page.wait_for_function(
        "() => ['guest', 'customer', 'error'].includes(document.documentElement.dataset.lionState)"
        " && window.loyaltylion.sandbox"
    )
    page.evaluate("() => window.loyaltylion.sandbox.settled")
    return page


def test_an_authenticated_customer_sees_points_and_can_claim(env: dict[str, Any]) -> None:
    page = _open(env, "customer")
    assert page.evaluate("document.documentElement.dataset.lionState") == "customer"
    sandbox = page.evaluate(
        "() => ({auth: loyaltylion.sandbox.authenticated, id: loyaltylion.sandbox.customer.id,"
        " err: loyaltylion.sandbox.lastError, same: window.lion === window.loyaltylion})"
    )
    assert sandbox == {"auth": True, "id": "42", "err": None, "same": True}
    assert page.evaluate("window.readyCalls") == 1

    root = page.locator("#loyaltylion")
    assert root.locator(".lion-loyalty-page__points-value").inner_text() == "700"
    assert page.locator("#total").inner_text() == "800"  # approved + pending
    assert page.locator("#approved").inner_text() == "700"
    assert page.locator("#pending").inner_text() == "100"
    assert "?ll_ref_id=" in page.locator("#ref").inner_text()
    assert "Create an account" in page.locator("[data-lion-rules-list]").inner_text()

    claim = root.get_by_role("button", name="Claim $5 off")
    assert claim.is_enabled()
    claim.click()
    code = root.locator(".lion-claimed-code__code")
    code.wait_for()
    assert code.inner_text() == "LLSBX-5OFF-0001"
    assert root.locator(".lion-loyalty-page__points-value").inner_text() == "200"
    assert page.locator("#approved").inner_text() == "200"
    assert "Not used yet" in root.locator(".lion-claimed-rewards").inner_text()

    # Now 300 short: the button is disabled and says why.
    again = root.get_by_role("button", name="Claim $5 off")
    assert again.is_disabled()
    reason_id = again.get_attribute("aria-describedby")
    assert page.locator(f"#{reason_id}").inner_text() == "You need 300 more points"
    assert env["console_errors"] == []

    balances = env["client"].balances("42")
    assert (balances["approved"], balances["spent"]) == (200, 500)


def test_init_runs_exactly_once(env: dict[str, Any]) -> None:
    page = _open(env, "customer")
    message = page.evaluate(
        "() => { try { loyaltylion.init({token: 'sandbox_site_token'}); return 'no error'; }"
        " catch (e) { return e.message; } }"
    )
    assert message == "Cannot call lion.init more than once"
    assert page.evaluate("loyaltylion.sandbox.started") is True
    # The page's init, replayed once when the SDK started: one session, one ready.
    sessions = env["client"].log("/sdk/session", method="POST")
    assert len(sessions) == 1
    assert page.evaluate("window.readyCalls") == 1


def _scripts(env: dict[str, Any]) -> list[str]:
    return [
        entry["path"]
        for entry in reversed(env["client"].log(method="GET"))
        if entry["path"].endswith(".js")
    ]


@pytest.mark.parametrize("mode", ["loader-only", "unknown-token"])
def test_the_loader_alone_never_starts_the_sdk(env: dict[str, Any], mode: str) -> None:
    page = env["page"]
    page.goto(f"{env['shop']}/page?mode={mode}")
    page.wait_for_function("() => window.loyaltylion && window.loyaltylion.isSandbox")
    page.wait_for_timeout(1500)  # ample time for a start script, had one been coming
    assert page.evaluate("document.documentElement.dataset.lionState") == "waiting"
    assert page.evaluate("loyaltylion.sandbox.started") is False
    assert page.locator("#loyaltylion").count() == 0
    assert page.locator("#total").inner_text() == ""
    assert page.locator("#ref").inner_text() == ""
    assert env["client"].log("/sdk/session") == []
    scripts = _scripts(env)
    loaders = [path for path in scripts if path.startswith("/static/2/")]
    starts = [path for path in scripts if path.startswith("/sdk/start/")]
    assert len(loaders) == 1 and loaders[0].endswith("/loader.js")
    if mode == "loader-only":
        assert starts == []
    else:
        [start_path] = starts
        assert start_path.endswith("/not-a-site-token.js")
        [start] = env["client"].log("/sdk/start/")
        assert start["response_status"] == 404


def test_a_tampered_token_leaves_a_guest_with_a_console_error(env: dict[str, Any]) -> None:
    page = _open(env, "tampered")
    assert page.evaluate("document.documentElement.dataset.lionState") == "guest"
    assert page.evaluate("loyaltylion.sandbox.authenticated") is False
    expected = "LoyaltyLion sandbox: customer authentication failed: auth token does not match"
    assert expected in env["console_errors"]
    assert page.evaluate("loyaltylion.sandbox.lastError").startswith(
        "customer authentication failed: auth token does not match"
    )
    root = page.locator("#loyaltylion")
    assert root.get_by_role("link", name="Join now").get_attribute("href") == "/signup"
    assert root.get_by_role("link", name="Log in").get_attribute("href") == "/login"
    assert root.get_by_role("button", name="Claim").count() == 0
    assert page.locator("#total").inner_text() == "0"
    assert page.locator("#ref").inner_text() == ""


def test_queued_calls_replay_in_order_and_logout_works(env: dict[str, Any]) -> None:
    page = _open(env, "queued")
    assert page.evaluate("document.documentElement.dataset.lionState") == "customer"
    assert page.evaluate("loyaltylion.sandbox.customer.email") == CUSTOMER["email"]
    assert page.evaluate("window.readyCalls") == 1

    page.evaluate("() => loyaltylion.logoutCustomer()")
    assert page.evaluate("document.documentElement.dataset.lionState") == "guest"
    assert page.evaluate("loyaltylion.sandbox.customer") is None
    assert page.locator("#total").inner_text() == "0"
    assert page.locator("#loyaltylion").get_by_role("link", name="Join now").is_visible()


def test_the_referral_modal_opens_with_the_link(env: dict[str, Any]) -> None:
    page = _open(env, "customer")
    page.locator("#refer").click()
    dialog = page.get_by_role("dialog", name="Refer a friend")
    dialog.wait_for()
    link = dialog.get_by_label("Your referral link").input_value()
    assert link.startswith(env["shop"] + "/?ll_ref_id=")
    assert link == page.locator("#ref").inner_text()
    page.keyboard.press("Escape")
    assert dialog.count() == 0
    # Focus goes back to what opened it.
    assert page.evaluate("document.activeElement.id") == "refer"


def test_a_custom_reward_is_claimed_and_shows_its_fulfilment(env: dict[str, Any]) -> None:
    page = _open(env, "customer")
    root = page.locator("#loyaltylion")
    claim = root.get_by_role("button", name="Claim Free tote bag on your next order")
    assert claim.is_enabled()
    claim.click()

    status = root.locator(".lion-claimed-custom__status")
    status.wait_for()
    assert status.inner_text() == "Claimed — fulfilment pending"
    assert root.locator(".lion-claimed-code__code").count() == 0  # no code for a custom reward
    assert root.locator(".lion-loyalty-page__points-value").inner_text() == "400"
    item = root.locator(".lion-claimed-reward--custom")
    assert "Free tote bag on your next order" in item.inner_text()

    # The shop answers the webhook; the page notices within a poll or two.
    [delivery] = env["client"].deliver()
    assert delivery["state"] == "delivered"
    page.wait_for_function(
        "() => document.querySelector('#loyaltylion .lion-claimed-custom__status')"
        ".textContent === 'Claimed — fulfilled'"
    )
    assert item.locator(".lion-claimed-reward__status").inner_text() == "Claimed — fulfilled"
    assert env["console_errors"] == []
