"""LOYALTYLION_UI=headless against the sandbox, over real HTTP: the shop renders the
program itself from the Headless API, claims a reward with a form POST, and carries on
when the API is slow or failing.

Every call the shop makes to the Headless API is checked against the request schemas
written from LoyaltyLion's published types (loyaltylion_sandbox/headless_contract.py),
and every answer it got against the response schemas.
"""

from __future__ import annotations

import json
import logging
import re
import time

import pytest
import requests
from sqlalchemy import func, select

from loyaltylion_sandbox import headless_contract
from loyaltylion_sandbox.server import start_server
from storefront.devserver import reward_codes as shop_reward_codes
from storefront.extensions import db
from storefront.models import Order, RewardClaim, User, Voucher
from storefront.orders import service as orders
from storefront.seed import CUSTOMER_EMAIL, CUSTOMER_PASSWORD
from tests.conftest import place_order, product_id, text_of
from tests.delivery import PAST_BACKOFF, drain
from tests.integration.conftest import sandbox_get, serving_sandbox
from tests.test_concurrency import at_once, copy_of, logged_in

HEADLESS = "/headless/2025-06/"
_ATTEMPT = re.compile(r'name="attempt" value="([^"]+)"')


@pytest.fixture(scope="module")
def sandbox_server(tmp_path_factory):
    """This module's own sandbox, with no seeded codes: the "$5 off" pool is the
    shop's batch (`_import_shop_codes`), as in production."""
    with serving_sandbox(tmp_path_factory, "headless-sandbox", SANDBOX_SEED_CODES=0) as server:
        yield server


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LOYALTYLION_UI": "headless", "LOYALTYLION_HEADLESS_BUDGET": 0.5}


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.email == email)).scalar_one()


def _import_shop_codes(app, sandbox, count: int = 5) -> list[str]:
    """The "$5 off" reward's pool at the sandbox is the shop's own batch, as in
    production (README: Going live)."""
    codes = shop_reward_codes(app)[:count]
    sandbox.import_codes(1, codes)
    return codes


def _give_points(sandbox, customer_id: int, email: str, points: int) -> None:
    sandbox.signup(str(customer_id), email)
    response = sandbox.api("POST", f"/v2/customers/{customer_id}/points", {"points": points})
    assert response.status_code in (200, 201), response.text


def _member_with_points(app, client, auth, email: str = "hl@example.com") -> int:
    """A signed-up customer with a paid order: signup and purchase points, approved."""
    auth.signup(email=email)
    # $74.00 at 10 points per $1, and 200 for joining: 940 points, the Silver tier.
    client.post("/cart/add", data={"product_id": product_id(app, "hand-grinder"), "quantity": 1})
    response = place_order(client, payment_method="invoice")
    order_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        order = db.session.get(Order, order_id)
        orders.record_payment(order, order.balance_due_cents)
    drain(app, ahead=PAST_BACKOFF)
    return _user_id(app, email)


_OPERATIONS = [
    ("GET", re.compile(r"/configuration$"), "configuration.getConfiguration"),
    ("POST", re.compile(r"/customers/[^/]+/sessions$"), "customers.initializeSession"),
    ("GET", re.compile(r"/customers/[^/]+$"), "customers.getCustomer"),
    (
        "POST",
        re.compile(r"/rewards/cart_discount_voucher/redeem$"),
        "rewards.redeemCartDiscountVoucher",
    ),
    (
        "POST",
        re.compile(r"/rewards/free_shipping_voucher/redeem$"),
        "rewards.redeemFreeShippingVoucher",
    ),
    ("POST", re.compile(r"/customers/[^/]+/birthday$"), "customers.setBirthday"),
    (
        "POST",
        re.compile(r"/customers/[^/]+/email_marketing/subscribe$"),
        "customers.emailMarketingSubscribe",
    ),
    ("POST", re.compile(r"/rules/custom/complete$"), "rules.completeCustom"),
]


def _operation(method: str, path: str) -> str:
    for verb, pattern, operation in _OPERATIONS:
        if method == verb and pattern.search(path):
            return operation
    raise AssertionError(f"the shop called an operation it has no schema for: {method} {path}")


def _headless_log(app) -> list[dict]:
    return [
        entry
        for entry in sandbox_get(app, "/_sandbox/requests?limit=500")["requests"]
        if entry["path"].startswith(HEADLESS)
    ]


def test_the_rewards_page_shows_the_sandbox_s_points_and_tiers_without_the_sdk(
    app, client, auth, sandbox
):
    _import_shop_codes(app, sandbox)
    customer_id = _member_with_points(app, client, auth)
    balances = sandbox.customer(str(customer_id))["balances"]
    assert balances["approved"] == 940

    page = client.get("/rewards")
    html = text_of(page)
    assert page.status_code == 200
    assert "loyaltylion-config" not in page.text and "snippet.js" not in page.text  # no SDK
    assert f"{balances['approved']:,} points to spend" in html
    assert "Your tier: Silver" in html  # 500-1499 approved points in the sandbox's tiers
    assert "Bronze" in html and "Gold" in html
    assert "Claim $5 off" in html
    assert "Make a purchase 10 points per $1" in html  # ways to earn
    assert "Order #1001" in html and "Joined the program" in html  # the points history
    header = re.search(r'data-testid="header-points">([^<]+)<', page.text).group(1)
    assert header == f"{balances['approved']:,}"
    # The same numbers through the Headless API directly.
    headless = sandbox.headless_customer(str(customer_id))
    assert headless["points_approved"] == balances["approved"]


def test_claiming_puts_the_code_in_the_cart_and_checkout_takes_it(app, client, auth, sandbox):
    codes = _import_shop_codes(app, sandbox)
    customer_id = _member_with_points(app, client, auth, email="claim@example.com")
    before = sandbox.customer(str(customer_id))["balances"]["approved"]
    attempt = _ATTEMPT.search(client.get("/rewards").text).group(1)

    response = client.post("/rewards/claim", data={"reward_id": 1, "attempt": attempt})
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart/")
    cart = client.get("/cart/")
    code = re.search(r'data-testid="cart-code">Code <code>([^<]+)</code>', cart.text).group(1)
    assert code in codes
    assert f"Your code {code} is in your cart" in text_of(cart)
    assert sandbox.customer(str(customer_id))["balances"]["approved"] == before - 500
    with app.app_context():
        voucher = db.session.execute(select(Voucher).where(Voucher.code == code)).scalar_one()
        assert voucher.claimed_by_id == customer_id  # checkout offers it as theirs

    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    order_page = client.get("/checkout/")
    assert re.search(rf"Discount \(\s*{code}\s*\)", text_of(order_page))
    response = place_order(client, payment_method="card")
    order_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert [d.code for d in order.discounts] == [code]

    # Shown as claimed on the next Rewards page, with the new balance.
    page = text_of(client.get("/rewards"))
    assert code in page
    assert f"{before - 500:,} points to spend" in page


def test_the_same_press_twice_claims_once(app, sandbox):
    """A double click: two POSTs of one rendered form, at once, against the real server."""
    _import_shop_codes(app, sandbox)
    server = start_server(app, quiet=True)
    try:
        customer_id = _user_id(app, CUSTOMER_EMAIL)
        _give_points(sandbox, customer_id, CUSTOMER_EMAIL, 2000)
        http = logged_in(server, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
        form = http.get(f"{server.url}/rewards", timeout=10).text
        attempt = _ATTEMPT.search(form).group(1)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        twin = copy_of(http)
        data = {"reward_id": "1", "attempt": attempt, "csrf_token": csrf}
        answers = at_once(
            [
                lambda session=session: session.post(
                    f"{server.url}/rewards/claim", data=data, timeout=20, allow_redirects=False
                )
                for session in (http, twin)
            ]
        )
    finally:
        server.shutdown()
    assert sorted(a.status_code for a in answers) == [303, 303], [a.text[:300] for a in answers]
    redeems = [e for e in _headless_log(app) if e["path"].endswith("/redeem")]
    assert len(redeems) == 1, "one press, one redemption"
    with app.app_context():
        assert db.session.execute(select(func.count(RewardClaim.id))).scalar_one() == 1


def test_a_slow_api_does_not_hold_the_page_and_checkout_carries_on(app, client, auth, sandbox):
    _give_points(sandbox, _user_id(app, CUSTOMER_EMAIL), CUSTOMER_EMAIL, 100)
    auth.login()
    client.get("/rewards")  # the configuration is cached from here on
    sandbox.set_faults("slow", scope="headless", delay=2.0, count=50)
    started = time.monotonic()
    page = client.get("/rewards")
    took = time.monotonic() - started
    assert page.status_code == 200
    assert "Points unavailable right now" in text_of(page)
    assert took < 1.5, f"the page took {took:.2f}s with a 0.5s budget and a 2s API"
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    started = time.monotonic()
    placed = place_order(client, payment_method="card")
    assert "/checkout/confirmation/" in placed.headers["Location"]
    assert time.monotonic() - started < 2.5, "checkout (page and submit) within two budgets"


def test_a_failing_api_is_logged_once_and_the_pages_still_render(
    app, client, auth, sandbox, caplog
):
    auth.login()
    sandbox.set_faults("5xx", scope="headless", count=100)
    with caplog.at_level(logging.WARNING, logger="storefront.loyaltylion"):
        for path in ("/rewards", "/account/", "/", "/rewards"):
            response = client.get(path)
            assert response.status_code == 200, path
    assert "Points unavailable right now" in text_of(client.get("/rewards"))
    outages = [r for r in caplog.records if "Headless API unavailable" in r.getMessage()]
    assert len(outages) == 1, [r.getMessage() for r in caplog.records]


def test_a_guest_sees_the_program_and_a_way_in(client):
    html = text_of(client.get("/rewards"))
    assert "$5 off" in html and "500 points" in html
    assert "Claim $5 off" not in html
    assert "Sign up" in html and "Log in" in html


def test_claiming_is_for_the_headless_mode_and_logged_in_customers(app, client, auth):
    response = client.post("/rewards/claim", data={"reward_id": 1, "attempt": "x" * 24})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login()
    assert (
        client.post("/rewards/claim", data={"reward_id": "two", "attempt": "x" * 24}).status_code
        == 400
    )
    assert (
        client.post("/rewards/claim", data={"reward_id": 1, "attempt": "short"}).status_code == 400
    )


def test_a_reward_the_customer_cannot_afford_is_refused_with_a_reason(app, client, auth, sandbox):
    auth.signup(email="poor@example.com")
    drain(app, ahead=PAST_BACKOFF)
    page = client.get("/rewards")
    assert "Claim $5 off" not in page.text  # no button: the reason instead
    # A stale page's form, say.
    response = client.post("/rewards/claim", data={"reward_id": 1, "attempt": "a" * 24})
    assert response.status_code == 409
    assert "Not enough points yet" in text_of(response)
    assert [e for e in _headless_log(app) if e["path"].endswith("/redeem")] == []


def test_every_headless_call_the_shop_made_matches_the_published_types(app, client, auth, sandbox):
    _import_shop_codes(app, sandbox)
    _member_with_points(app, client, auth, email="contract@example.com")
    client.get("/account/")
    attempt = _ATTEMPT.search(client.get("/rewards").text).group(1)
    client.post("/rewards/claim", data={"reward_id": 1, "attempt": attempt})
    auth.logout()
    client.get("/rewards")

    log = _headless_log(app)
    operations = set()
    for entry in log:
        operation = _operation(entry["method"], entry["path"])
        operations.add(operation)
        if entry.get("request_body"):
            assert (
                headless_contract.validate_request(operation, json.loads(entry["request_body"]))
                == {}
            ), entry
        assert entry["response_status"] < 300, entry
        assert (
            headless_contract.validate_response(
                operation, entry["response_status"], json.loads(entry["response_body"])
            )
            == []
        ), entry
    assert {
        "configuration.getConfiguration",
        "customers.initializeSession",
        "rewards.redeemCartDiscountVoucher",
    } <= operations


def test_the_api_key_never_reaches_a_page(app, client, auth):
    auth.login()
    for path in ("/rewards", "/account/", "/cart/"):
        body = client.get(path).text
        assert app.config["LOYALTYLION_API_KEY"] not in body
        assert app.config["LOYALTYLION_SDK_SECRET"] not in body


def test_the_session_token_on_the_page_is_accepted_by_the_api_for_that_customer_only(
    app, client, auth
):
    customer_id = _member_with_points(app, client, auth, email="token@example.com")
    page = client.get("/account/").text
    data = json.loads(re.search(r'id="loyaltylion-headless">([^<]+)<', page).group(1))
    assert data["merchantId"] == str(customer_id)
    url = f"{data['apiUrl']}{HEADLESS}{data['siteId']}/customers/{customer_id}"
    headers = {"Authorization": f"Bearer {data['token']}", "X-LoyaltyLion-Channel": "web"}
    own = requests.get(url, headers=headers, timeout=5)
    assert own.status_code == 200 and own.json()["customer"]["merchant_id"] == str(customer_id)
    other = requests.get(url.rsplit("/", 1)[0] + "/1", headers=headers, timeout=5)
    assert other.status_code == 403


def test_the_header_reuses_its_points_for_a_minute_and_the_rewards_page_always_asks(
    app, client, auth, sandbox
):
    """Every page view asking would spend the program's 20 requests/second (the
    delivery workers' budget too): the header's figure is reused for
    LOYALTYLION_HEADLESS_POINTS_TTL seconds; the Rewards and account pages ask."""
    customer_id = _user_id(app, CUSTOMER_EMAIL)
    _give_points(sandbox, customer_id, CUSTOMER_EMAIL, 700)
    points = sandbox.customer(str(customer_id))["balances"]["approved"]
    auth.login()

    def sessions() -> int:
        return sum(e["path"].endswith("/sessions") for e in _headless_log(app))

    client.get("/rewards")
    asked = sessions()
    for path in ("/", "/products/house-blend", "/cart/"):
        page = client.get(path).text
        assert f'data-testid="header-points">{points:,}<' in page
    assert sessions() == asked, "the header reused the figure the Rewards page read"
    client.get("/account/")
    client.get("/rewards")
    assert sessions() == asked + 2
    # An order reaches LoyaltyLion: the next page's header asks again.
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    place_order(client, payment_method="card")
    client.get("/products/house-blend")  # read after the placing, before the delivery
    asked = sessions()
    drain(app, ahead=PAST_BACKOFF)
    page = client.get("/").text
    assert sessions() == asked + 1
    points = sandbox.customer(str(customer_id))["balances"]["approved"]
    assert f'data-testid="header-points">{points:,}<' in page
    app.config["LOYALTYLION_HEADLESS_POINTS_TTL"] = 0
    client.get("/")
    assert sessions() == asked + 2
