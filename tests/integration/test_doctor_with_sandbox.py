"""`loyaltylion doctor` over real HTTP to the sandbox: green on a healthy store, and for
each broken item red, on the line that names it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import loyaltylion_sandbox as sandbox_package
from storefront.devserver import SANDBOX_REWARD_ID
from storefront.extensions import db
from storefront.loyalty import loyaltylion
from storefront.loyaltylion import Customer, OutboxEvent
from storefront.loyaltylion.models import DEAD, utcnow
from storefront.models import Voucher
from storefront.vouchers.service import generate_batch
from tests.integration.conftest import serving_sandbox

WEBHOOK_URL = "http://127.0.0.1:5000/webhooks/loyaltylion"


@pytest.fixture(scope="module")
def sandbox_server(tmp_path_factory):
    # No seeded codes: the reward holds only the shop's own, as `make run` stocks it.
    with serving_sandbox(tmp_path_factory, "doctor-sandbox", SANDBOX_SEED_CODES=0) as server:
        yield server


@pytest.fixture
def settings(database_uri, sandbox_url) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "LOYALTYLION_SANDBOX": True,
        **sandbox_package.shop_settings(sandbox_url),
        "LOYALTYLION_WEBHOOK_URL": WEBHOOK_URL,
    }


@pytest.fixture
def app_config(settings):
    return settings


@pytest.fixture
def shop_codes(app) -> list[str]:
    with app.app_context():
        batch = generate_batch(name="$5 off", amount_cents=500, count=20)
        return list(
            db.session.execute(select(Voucher.code).where(Voucher.batch_id == batch.id)).scalars()
        )


@pytest.fixture
def healthy(app, runner, sandbox, shop_codes):
    """Webhooks subscribed, the reward stocked with the shop's codes."""
    subscribed = runner.invoke(args=["loyaltylion", "webhooks", "subscribe"])
    assert subscribed.exit_code == 0, subscribed.output
    response = sandbox.control(
        "POST", f"/rewards/{SANDBOX_REWARD_ID}/codes", json={"codes": shop_codes}
    )
    assert response.status_code == 201, response.text
    return shop_codes


def doctor(runner):
    result = runner.invoke(args=["loyaltylion", "doctor"])
    lines = {}
    for line in result.output.splitlines():
        status, _, rest = line.partition("  ")
        if status.strip() in ("OK", "FAIL", "SKIP"):
            name = rest.strip().split("  ")[0]
            lines[name] = (status.strip(), rest)
    return result, lines


def failed(lines) -> dict[str, str]:
    return {name: text for name, (status, text) in lines.items() if status == "FAIL"}


def test_green_on_a_healthy_sandbox_and_says_it_is_the_sandbox(runner, healthy):
    result, lines = doctor(runner)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Sandbox: ")
    assert "these checks test it, not a real account" in result.output
    assert {status for status, _ in lines.values()} == {"OK"}
    assert len([line for line in result.output.splitlines() if line.startswith("OK")]) == 8
    assert set(lines) == {
        "API key",
        "API key scopes",
        "Site token and secret",
        "Secret stays on the server",
        "Webhooks",
        "Reward voucher codes",
        "Outbox",
        "Content-Security-Policy",
    }
    assert "Ready (against the sandbox)." in result.output


def test_a_refused_api_key(app, runner, healthy):
    app.config["LOYALTYLION_API_KEY"] = "not-the-key"

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert "refused the key (401)" in failed(lines)["API key"]


def test_a_key_without_the_scopes_the_shop_uses(runner, healthy, sandbox):
    sandbox.settings(api_key_scopes=["read_customers", "read_orders"])

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert set(failed(lines)) == {"API key scopes"}
    assert "Missing write_customers, write_orders" in failed(lines)["API key scopes"]


def test_no_site_secret(app, runner, healthy):
    app.config["LOYALTYLION_SECRET"] = ""

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert "Set LOYALTYLION_SECRET" in failed(lines)["Site token and secret"]


def test_a_page_that_shows_the_secret(app, runner, healthy):
    secret = app.config["LOYALTYLION_SECRET"]
    app.add_url_rule("/debug-settings", "debug_settings", lambda: f"secret={secret}")
    app.config["LOYALTYLION_DOCTOR_PAGES"] = ["/", "/debug-settings"]

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert set(failed(lines)) == {"Secret stays on the server"}
    assert "/debug-settings" in failed(lines)["Secret stays on the server"]


def test_webhooks_not_subscribed(runner, shop_codes, sandbox):
    sandbox.control("POST", f"/rewards/{SANDBOX_REWARD_ID}/codes", json={"codes": shop_codes})

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert set(failed(lines)) == {"Webhooks"}
    assert "webhooks subscribe" in failed(lines)["Webhooks"]


def test_webhooks_sent_to_another_address(app, runner, healthy):
    app.config["LOYALTYLION_WEBHOOK_URL"] = "https://shop.example/webhooks/loyaltylion"

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert "not sent to https://shop.example/webhooks/loyaltylion" in failed(lines)["Webhooks"]


def test_a_reward_code_the_shop_never_made(runner, healthy, sandbox):
    sandbox.control("POST", f"/rewards/{SANDBOX_REWARD_ID}/codes", json={"codes": ["NOT-OURS-1"]})

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert set(failed(lines)) == {"Reward voucher codes"}
    assert "1 code(s) the shop never made (NOT-OURS-1" in failed(lines)["Reward voucher codes"]


def test_an_unclaimed_reward_code_already_used_in_the_shop(app, runner, healthy):
    with app.app_context():
        voucher = db.session.execute(select(Voucher).where(Voucher.code == healthy[0])).scalar_one()
        voucher.used_at = utcnow()
        db.session.commit()

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert f"already used here ({healthy[0]}" in failed(lines)["Reward voucher codes"]


def test_a_dead_event_in_the_outbox(app, runner, healthy):
    with app.app_context():
        event = loyaltylion.record_signup(Customer(1, "a@b.c"))
        event.status = DEAD
        db.session.commit()

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert set(failed(lines)) == {"Outbox"}
    assert "1 dead event(s)" in failed(lines)["Outbox"]


def test_an_event_waiting_over_an_hour(app, runner, healthy):
    with app.app_context():
        event = loyaltylion.record_signup(Customer(1, "a@b.c"))
        event.created_at = utcnow() - timedelta(hours=2)
        db.session.commit()
        assert db.session.execute(select(OutboxEvent)).scalar_one().status == "pending"

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert "is a worker running" in failed(lines)["Outbox"]


def test_a_policy_that_blocks_the_sdk(app, runner, healthy):
    @app.after_request
    def strict_policy(response):
        response.headers["Content-Security-Policy"] = "default-src 'self'; script-src 'self'"
        return response

    result, lines = doctor(runner)

    assert result.exit_code == 1
    assert set(failed(lines)) == {"Content-Security-Policy"}
    origin = app.config["LOYALTYLION_SDK_ORIGIN"]
    assert f"{origin} in script-src" in failed(lines)["Content-Security-Policy"]


def test_green_in_headless_mode(app, runner, healthy):
    app.config["LOYALTYLION_UI"] = "headless"
    result, lines = doctor(runner)
    assert result.exit_code == 0, result.output
    assert lines["Headless API"][0] == "OK"
    assert "configuration answered" in lines["Headless API"][1]
    assert lines["Session tokens"][0] == "OK"


def test_headless_mode_without_a_site_id(app, runner, healthy):
    app.config.update(LOYALTYLION_UI="headless", LOYALTYLION_SITE_ID="")
    result, lines = doctor(runner)
    assert result.exit_code == 1
    assert "LOYALTYLION_SITE_ID" in failed(lines)["Headless API"]


def test_headless_mode_with_the_headless_api_failing(app, runner, healthy, sandbox):
    app.config["LOYALTYLION_UI"] = "headless"
    sandbox.set_faults("5xx", scope="headless", count=5)
    result, lines = doctor(runner)
    assert result.exit_code == 1
    assert "Get Configuration failed" in failed(lines)["Headless API"]
    assert "API key" not in failed(lines)  # the Admin API is fine


def test_a_page_that_shows_the_sdk_secret(app, runner, healthy):
    @app.get("/leaky-sdk")
    def leaky_sdk():
        return f"<p>{app.config['LOYALTYLION_SDK_SECRET']}</p>"

    app.config["LOYALTYLION_DOCTOR_PAGES"] = ["/", "/leaky-sdk"]
    result, lines = doctor(runner)
    assert result.exit_code == 1
    assert "LOYALTYLION_SDK_SECRET in /leaky-sdk" in failed(lines)["Secret stays on the server"]
