"""The server side of the shopper's path (the browser side is tests/browser/
test_shopper_experience.py): the checkout draft, the claimed codes LoyaltyLion's
webhook tells the shop about, where logging in returns to, and the words a shopper
and an admin read."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from sqlalchemy import select

from storefront import seed
from storefront.extensions import db
from storefront.loyaltylion import WebhookEvent
from storefront.models import Order, Voucher
from storefront.seed import CUSTOMER_EMAIL
from tests.conftest import place_order, text_of, user_id
from tests.test_checkout import fill_cart, make_code
from tests.test_webhooks import SECRET, deliver, envelope

ROOT = Path(__file__).resolve().parent.parent
TYPED = {"name": "Rita Typed", "address": "12 Careful Road", "city": "Leeds",
         "postcode": "LS1 4AP", "country": "IE", "payment_method": "invoice"}  # fmt: skip


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "LOYALTYLION_SECRET": SECRET}


@pytest.fixture
def shopper(app, client, auth):
    auth.login()
    fill_cart(client, app, "house-blend")
    return client


def _shown(response, value: str) -> bool:
    return f'value="{value}"' in response.get_data(as_text=True)


# -- the checkout draft -----------------------------------------------------------------


def test_a_bad_code_keeps_everything_typed(shopper):
    response = shopper.post("/checkout/discount", data={**TYPED, "code": "NOPE-1234"})
    assert response.status_code == 400
    assert "We don&#39;t recognise the discount code NOPE-1234." in response.get_data(as_text=True)
    for field in ("name", "address", "city", "postcode"):
        assert _shown(response, TYPED[field]), field
    page = response.get_data(as_text=True)
    assert re.search(r'<option selected value="IE">|<option value="IE" selected', page)
    assert re.search(r'checked[^>]*value="invoice"|value="invoice"[^>]*checked', page)
    # Not shown as mistakes: only the code was checked.
    assert "Enter a street address" not in page


def test_apply_and_remove_keep_the_draft_across_the_redirect(app, shopper):
    code = make_code(app)
    applied = shopper.post("/checkout/discount", data={**TYPED, "code": code})
    assert applied.status_code == 303
    assert applied.headers["Location"] == "/checkout/#order-summary"
    page = shopper.get("/checkout/")
    assert all(_shown(page, TYPED[f]) for f in ("name", "address", "city", "postcode"))
    removed = shopper.post("/checkout/discount/remove", data={**TYPED, "city": "York"})
    assert removed.status_code == 303
    assert _shown(shopper.get("/checkout/"), "York")


def test_place_order_with_a_typed_code_applies_it_first(app, shopper):
    code = make_code(app)
    response = shopper.post("/checkout/", data={**TYPED, "code": code, "attempt": "x" * 24})
    # 307 keeps the method and the body: the same form goes to "Apply".
    assert response.status_code == 307
    assert response.headers["Location"] == "/checkout/discount"
    # A browser posts the same body there (tests/browser checks it does); do so by hand.
    shopper.post(response.headers["Location"], data={**TYPED, "code": code})
    assert f"Discount code {code} applied: you save $5.00." in text_of(shopper.get("/checkout/"))
    with app.app_context():
        assert db.session.execute(select(Order.id)).first() is None  # nothing placed yet


def test_the_draft_is_forgotten_once_the_order_is_placed(app, shopper):
    shopper.post("/checkout/discount/remove", data=TYPED)
    place_order(shopper)
    with shopper.session_transaction() as session:
        assert "checkout_draft" not in session


# -- claimed codes --------------------------------------------------------------------------


def claimed_body(merchant_id, code: str, envelope_id: str = "evt-claim-1", **overrides) -> bytes:
    """program_events/customer.claimed_reward as documented (the gift-card fields null)."""
    payload = {
        "customer": {"id": 1001, "merchant_id": str(merchant_id), "email": CUSTOMER_EMAIL},
        "title": "$5 off",
        "reward_type": "voucher",
        "discount_type": "flat",
        "voucher_code": code,
        "discount_amount": 5,
        "gift_card_last_characters": None,
        "currency": None,
        "initial_value": None,
        "balance": None,
        **overrides,
    }
    return envelope("program_events/customer.claimed_reward", payload, envelope_id)


def _outcome(app) -> tuple[str, str]:
    with app.app_context():
        event = db.session.execute(select(WebhookEvent)).scalar_one()
        return event.status, event.note or event.error or ""


def test_a_claimed_code_is_recorded_and_offered_at_checkout(app, shopper):
    code = make_code(app)
    customer = user_id(app, CUSTOMER_EMAIL)
    assert deliver(shopper, claimed_body(customer, code.lower())).status_code == 200
    status, outcome = _outcome(app)
    assert status == "processed", outcome
    with app.app_context():
        voucher = db.session.execute(select(Voucher).where(Voucher.code == code)).scalar_one()
        assert voucher.claimed_by_id == customer and voucher.claimed_at is not None
    page = shopper.get("/checkout/").get_data(as_text=True)
    assert f'name="use_code" value="{code}"' in page
    assert f'aria-label="Use code {code}"' in page
    # One click: the button posts the whole form with the code.
    used = shopper.post("/checkout/discount", data={**TYPED, "use_code": code})
    assert used.status_code == 303
    assert code in text_of(shopper.get("/checkout/"))
    # Shown on Rewards and the account page too, with a way to the cart.
    rewards = shopper.get("/rewards").get_data(as_text=True)
    assert code in rewards and 'href="/cart/"' in rewards
    assert f'data-copy="{code}"' in rewards


def test_a_claim_of_a_code_the_shop_never_made_fails_for_an_admin_to_see(app, shopper):
    deliver(shopper, claimed_body(user_id(app, CUSTOMER_EMAIL), "NOT-OURS-1"))
    status, outcome = _outcome(app)
    assert status == "failed"
    assert "not one of the shop's codes" in outcome


def test_a_code_given_to_someone_else_is_not_taken_over(app, client, auth, shopper):
    code = make_code(app)
    deliver(shopper, claimed_body(user_id(app, CUSTOMER_EMAIL), code))
    auth.logout()
    auth.signup(email="other@example.com")
    deliver(client, claimed_body(user_id(app, "other@example.com"), code, "evt-claim-2"))
    with app.app_context():
        statuses = db.session.execute(
            select(WebhookEvent.status).order_by(WebhookEvent.id)
        ).scalars()
        assert list(statuses) == ["processed", "failed"]
    assert f'value="{code}"' not in client.get("/checkout/").get_data(as_text=True)


def test_a_gift_card_claim_is_ignored(app, shopper):
    deliver(shopper, claimed_body(1, None, reward_type="gift_card"))
    assert _outcome(app)[0] == "ignored"


def test_a_used_code_is_no_longer_offered(app, shopper):
    code = make_code(app)
    deliver(shopper, claimed_body(user_id(app, CUSTOMER_EMAIL), code))
    shopper.post("/checkout/discount", data={"use_code": code})
    place_order(shopper)
    fill_cart(shopper, app, "house-blend")
    assert f'value="{code}"' not in shopper.get("/checkout/").get_data(as_text=True)


# -- where logging in returns to ----------------------------------------------------------


def test_logging_in_from_a_page_returns_to_it(client):
    came = client.get("/login", headers={"Referer": "http://localhost/rewards"})
    assert came.status_code == 302
    assert came.headers["Location"] == "/login?next=/rewards"
    # Another site's page is not a place to return to.
    foreign = client.get("/login", headers={"Referer": "https://evil.example/rewards"})
    assert foreign.status_code == 200
    logged_in = client.post(
        "/login?next=/rewards",
        data={"email": CUSTOMER_EMAIL, "password": seed.CUSTOMER_PASSWORD},
    )
    assert logged_in.headers["Location"] == "/rewards"


# -- words ----------------------------------------------------------------------------------


def test_the_confirmation_says_what_happens_to_the_points(app, shopper):
    paid = shopper.get(place_order(shopper).headers["Location"])
    assert "Your points for this order are on their way" in text_of(paid)
    assert "once it is paid" not in text_of(paid)
    fill_cart(shopper, app, "house-blend")
    unpaid = shopper.get(place_order(shopper, payment_method="invoice").headers["Location"])
    assert "show as pending until it is paid" in text_of(unpaid)


def test_the_header_asks_the_sdk_for_spendable_points(shopper):
    page = shopper.get("/").get_data(as_text=True)
    assert '<span data-lion-points="approved" data-testid="header-points">' in page
    assert "to spend" in page


def test_the_readme_and_seed_agree_on_the_product_count():
    readme = (ROOT / "README.md").read_text()
    count = int(re.search(r"(\d+) products in (\d+) categories", readme).group(1))
    assert count == len(seed.PRODUCTS)


def test_seed_reports_products_for_sale_and_gifts_apart(app, runner):
    with app.app_context():  # `flask` itself pushes one for every command
        output = runner.invoke(args=["seed"]).output
    assert "0 products for sale, 0 reward gift" in output  # the fixture seeded already


def test_cancelling_an_order_needs_the_box_ticked(app, client, auth, shopper):
    order_url = place_order(shopper).headers["Location"]
    order_id = int(order_url.rstrip("/").rsplit("/", 1)[1])
    auth.logout()
    auth.login(email=seed.ADMIN_EMAIL, password=seed.ADMIN_PASSWORD)
    refused = client.post(f"/admin/orders/{order_id}/cancel", data={"cancel-submit": "Cancel"})
    assert refused.status_code == 400
    assert "to confirm" in text_of(refused)
    with app.app_context():
        assert db.session.get(Order, order_id).cancellation_status == "not_cancelled"


def test_the_delivery_log_names_orders_by_their_number(app, client, auth, shopper):
    order_url = place_order(shopper).headers["Location"]
    order_id = int(order_url.rstrip("/").rsplit("/", 1)[1])
    auth.logout()
    auth.login(email=seed.ADMIN_EMAIL, password=seed.ADMIN_PASSWORD)
    page = client.get("/admin/loyaltylion/deliveries").get_data(as_text=True)
    assert f'<span data-testid="event-subject">Order #{1000 + order_id}</span>' in page


# -- running it -----------------------------------------------------------------------------


def test_dev_names_a_busy_port_and_the_variable_to_change(runner):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = runner.invoke(args=["dev", "--port", str(port), "--sandbox-port", "0"])
    assert result.exit_code != 0
    assert f"Cannot serve the shop on 127.0.0.1:{port}" in result.output
    assert f"make run PORT={port + 10}" in result.output
    assert "Shop: http" not in result.output  # nothing claimed to be running


def test_serve_names_a_busy_port_and_the_variable_to_change(runner):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = runner.invoke(args=["serve", "--port", str(port), "--sandbox-port", "0"])
    assert result.exit_code != 0
    assert f"Cannot serve the shop on 127.0.0.1:{port}" in result.output
    assert f"make serve PORT={port + 10}" in result.output
    assert "Shop: http" not in result.output  # nothing claimed to be running
