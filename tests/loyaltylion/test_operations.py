"""Running delivery: the CLI commands and the store admin's delivery log."""

from __future__ import annotations

from sqlalchemy import select

from storefront.extensions import db
from storefront.loyaltylion.models import DEAD, DELIVERED, OutboxEvent
from storefront.loyaltylion.redact import mask_emails
from tests.delivery import drain


def _dead_signup(app, auth, email="dead@example.com") -> int:
    app.config["LOYALTYLION_API_KEY"] = "wrong-key"
    auth.signup(email=email)
    auth.logout()
    drain(app)
    app.config["LOYALTYLION_API_KEY"] = "test-api-key"
    with app.app_context():
        event = db.session.execute(select(OutboxEvent)).scalar_one()
        assert event.status == DEAD
        return event.id


def test_status_reports_queue_depth_and_dead_count(app, auth, runner):
    auth.signup(email="one@example.com")
    result = runner.invoke(args=["loyaltylion", "status"])
    assert result.exit_code == 0
    assert "pending:    1" in result.output
    assert "dead:       0" in result.output
    assert "oldest pending: 20" in result.output


def test_retry_dead_requeues_and_delivers(app, auth, runner, recording):
    _dead_signup(app, auth)
    result = runner.invoke(args=["loyaltylion", "retry-dead"])
    assert result.exit_code == 0
    assert "1 dead event(s) queued again" in result.output
    drain(app)
    with app.app_context():
        assert db.session.execute(select(OutboxEvent.status)).scalar_one() == DELIVERED


def test_check_says_which_api_accepted_the_key_and_in_which_mode(app, runner):
    result = runner.invoke(args=["loyaltylion", "check"])
    assert result.exit_code == 0
    api_url = app.config["LOYALTYLION_API_URL"]
    assert f"OK: {api_url} accepted the API key (GET /v2/identity/whoami" in result.output
    # The tests' API is a stand-in on the loopback: never reported as LoyaltyLion's.
    assert "Mode: a stand-in, not LoyaltyLion (https://api.loyaltylion.com)" in result.output
    assert "Mode: live" not in result.output


def test_check_says_clearly_when_the_key_is_refused(app, runner):
    app.config["LOYALTYLION_API_KEY"] = "wrong-key"
    result = runner.invoke(args=["loyaltylion", "check"])
    assert result.exit_code != 0
    assert "The API key was refused" in result.output
    assert "401" in result.output
    assert "wrong-key" not in result.output  # never echo a secret


def test_check_says_when_the_api_is_unreachable(app, runner):
    app.config["LOYALTYLION_API_URL"] = "http://127.0.0.1:9"
    result = runner.invoke(args=["loyaltylion", "check"])
    assert result.exit_code != 0
    assert "Could not reach http://127.0.0.1:9" in result.output


def test_delivery_log_is_for_admins_only(client, auth):
    anonymous = client.get("/admin/loyaltylion/deliveries")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    auth.login()
    assert client.get("/admin/loyaltylion/deliveries").status_code == 403


def test_delivery_log_shows_events_with_masked_emails_and_retries_dead_ones(app, client, auth):
    event_id = _dead_signup(app, auth, email="ada.lovelace@example.com")
    auth.login_admin()
    page = client.get("/admin/loyaltylion/deliveries?status=dead")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "$signup" in html
    assert "Invalid API key" in html  # the last error, kept
    assert "a***@example.com" in html
    assert "ada.lovelace@example.com" not in html
    assert f'Retry<span class="ll-visually-hidden"> event {event_id}' in html

    response = client.post(f"/admin/loyaltylion/deliveries/{event_id}/retry")
    assert response.status_code == 303  # See Other: back to the log, by GET
    with app.app_context():
        assert db.session.get(OutboxEvent, event_id).status == "pending"


def test_mask_emails_keeps_first_letter_and_domain():
    assert mask_emails('{"customer_email": "bob@shop.example"}') == (
        '{"customer_email": "b***@shop.example"}'
    )
