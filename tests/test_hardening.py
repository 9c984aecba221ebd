"""Hostile input and brute force: each answers a 4xx with a reason, never a 500, and
what a session or a setting promises holds. (Races are in test_concurrency.py.)"""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storefront import create_app
from storefront.config import SettingError, settings_from_env
from storefront.extensions import db
from storefront.loyaltylion.redact import mask_emails
from storefront.models import CartItem
from storefront.seed import CUSTOMER_EMAIL, CUSTOMER_PASSWORD
from tests.conftest import TEST_CONFIG, build_app, dispose, place_order, product_id, text_of
from tests.test_webhooks import SECRET, envelope, post, reward_payload

# -- 3. masking in linear time, and capped webhook bodies ----------------------------------

# The pattern the masking used to be; it took quadratic time on a long run without an
# "@". The linear scanner must agree with it on everything.
_OLD_STOP = r"\s@\"'<>,;:{}\[\]()"
_OLD_EMAIL = re.compile(rf"([^{_OLD_STOP}])[^{_OLD_STOP}]*@([^{_OLD_STOP}]+)")


@settings(max_examples=500)
@given(st.text(alphabet='ab.@ ,:"x\n{}é', max_size=40))
def test_masking_agrees_with_the_address_pattern(text):
    assert mask_emails(text) == _OLD_EMAIL.sub(lambda m: f"{m[1]}***@{m[2]}", text)


def test_masking_a_long_run_without_an_at_sign_returns_it_unchanged():
    text = "a" * 200_000 + "@" + " " + "b" * 200_000  # quadratic for the old pattern
    assert mask_emails(text) == text


@pytest.fixture
def app_config(app_config) -> dict:
    return {**app_config, "LOYALTYLION_SECRET": SECRET}


def test_a_webhook_body_over_the_cap_is_refused_unread(app, client):
    cap = app.config["LOYALTYLION_WEBHOOK_MAX_BYTES"]
    body = envelope("rewards/store_fulfilment", reward_payload(1, filler="x" * cap))
    response = post(client, body)
    assert response.status_code == 413


def test_a_webhook_with_a_long_field_is_stored_and_its_log_renders(app, client, auth):
    body = envelope("customers/update", {"customer": {"merchant_id": "", "note": "a" * 30_000}})
    assert post(client, body).status_code == 200
    auth.login_admin()
    assert client.get("/admin/loyaltylion/webhooks").status_code == 200


# -- 4. JSON bodies with values no HTML form can send ---------------------------------------

JSON_SHAPES = [
    {"quantity": 5, "product_id": 1},  # numbers: read as their text, accepted
    {"quantity": [1, 2], "product_id": {"id": 1}},
    {"quantity": None, "product_id": True},
    [1, 2, 3],
    "just a string",
]
CUSTOMER_FORMS = [
    "/cart/add",
    "/cart/update",
    "/cart/remove",
    "/checkout/discount",
    "/checkout/",
    "/account/preferences",
    "/account/close",
    "/products/house-blend/reviews",
]
ADMIN_FORMS = [
    "/admin/orders/1/edit",
    "/admin/orders/1/payment",
    "/admin/orders/1/refund",
    "/admin/orders/1/cancel",
    "/admin/vouchers",
]


@pytest.mark.parametrize("shape", range(len(JSON_SHAPES)))
def test_every_form_answers_odd_json_with_a_4xx(app, client, auth, shape):
    body = JSON_SHAPES[shape]
    for path in ("/signup", "/login"):
        assert client.post(path, json=body).status_code < 500, path
    auth.login()
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    place_order(client)  # order 1, for the admin's forms
    for path in CUSTOMER_FORMS:
        response = client.post(path, json=body)
        assert response.status_code < 500, (path, response.status_code)
    auth.logout()
    auth.login_admin()
    for path in ADMIN_FORMS:
        response = client.post(path, json=body)
        assert response.status_code < 500, (path, response.status_code)


def test_json_numbers_are_read_as_an_html_form_would_send_them(app, client, auth):
    auth.login()
    house_blend = product_id(app, "house-blend")
    response = client.post("/cart/add", json={"product_id": house_blend, "quantity": 2})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.execute(select(CartItem.quantity)).scalar_one() == 2


# -- 7. a login takes the same work for known and unknown emails ---------------------------


def test_an_unknown_email_is_checked_against_a_hash_of_the_real_method(app, client, monkeypatch):
    import storefront.auth.routes as routes

    checked: list[str] = []
    real_check = routes.check_password_hash

    def spy(hashed: str, password: str) -> bool:
        checked.append(hashed.split("$", 1)[0])
        return real_check(hashed, password)

    monkeypatch.setattr(routes, "check_password_hash", spy)
    client.post("/login", data={"email": CUSTOMER_EMAIL, "password": "wrong-password-1"})
    client.post("/login", data={"email": "nobody@example.com", "password": "wrong-password-1"})
    known, unknown = checked
    assert known == unknown == app.config["PASSWORD_HASH_METHOD"]


# -- 8. rate limits --------------------------------------------------------------------------

LIMITED = {
    "LOGIN_RATE_LIMIT": "5 per minute",
    "LOGIN_ACCOUNT_RATE_LIMIT": "3 per 15 minutes",
    "SIGNUP_RATE_LIMIT": "2 per hour",
    "DISCOUNT_CODE_RATE_LIMIT": "3 per minute",
}


@pytest.fixture
def limited_app(database_uri) -> Flask:
    app = build_app({**TEST_CONFIG, **LIMITED, "SQLALCHEMY_DATABASE_URI": database_uri})
    yield app
    dispose(app)


def _login(client, password: str, address: str = "198.51.100.1"):
    return client.post(
        "/login",
        data={"email": CUSTOMER_EMAIL, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_logins_from_one_address_are_limited_with_a_readable_429(limited_app):
    client = limited_app.test_client()
    for n in range(5):  # five accounts tried from one address
        response = client.post(
            "/login",
            data={"email": f"someone{n}@example.com", "password": "guess"},
            environ_base={"REMOTE_ADDR": "203.0.113.5"},
        )
        assert response.status_code == 401
    refused = _login(client, CUSTOMER_PASSWORD, address="203.0.113.5")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in text_of(refused)
    assert _login(client, CUSTOMER_PASSWORD, address="203.0.113.6").status_code == 302


def test_failed_logins_against_one_account_lock_it_from_every_address(limited_app):
    client = limited_app.test_client()
    for n in range(3):  # three addresses, one account
        assert _login(client, "wrong-password", address=f"192.0.2.{n}").status_code == 401
    refused = _login(client, CUSTOMER_PASSWORD, address="192.0.2.200")
    assert refused.status_code == 429  # even the right password, for now
    assert "Retry-After" in refused.headers


def test_successful_logins_do_not_count_against_the_account(limited_app):
    client = limited_app.test_client()
    for n in range(4):
        assert _login(client, CUSTOMER_PASSWORD, address=f"192.0.2.{n}").status_code == 302
        client.post("/logout")


def test_signups_are_limited(limited_app):
    client = limited_app.test_client()
    for n in range(2):
        client.post(
            "/signup", data={"email": f"new{n}@example.com", "password": "a-good-password-1"}
        )
    refused = client.post(
        "/signup", data={"email": "new9@example.com", "password": "a-good-password-1"}
    )
    assert refused.status_code == 429


def test_discount_code_attempts_are_limited_per_customer(limited_app):
    client = limited_app.test_client()
    _login(client, CUSTOMER_PASSWORD)
    client.post(
        "/cart/add", data={"product_id": product_id(limited_app, "house-blend"), "quantity": 1}
    )
    for n in range(3):
        assert client.post("/checkout/discount", data={"code": f"GUESS{n}"}).status_code == 400
    assert client.post("/checkout/discount", data={"code": "GUESS9"}).status_code == 429


# -- 9. logging out ends the session server-side ----------------------------------------------


def test_a_copied_session_cookie_stops_working_after_logout(app, client, auth):
    auth.login()
    cookie = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/account/").status_code == 302  # to the login page


def test_a_copied_remember_cookie_stops_working_after_logout(app, client, auth):
    client.post(
        "/login", data={"email": CUSTOMER_EMAIL, "password": CUSTOMER_PASSWORD, "remember": "y"}
    )
    remember = client.get_cookie("remember_token")
    assert remember is not None
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/account/").status_code == 302


def test_logging_in_again_after_logout_works(app, client, auth):
    auth.login()
    auth.logout()
    assert auth.login().status_code == 302
    assert client.get("/account/").status_code == 200


# -- 10. inputs that used to reach the database as they were ----------------------------------


@pytest.mark.parametrize("path", ["/products/house%00blend", "/category/coffee%00"])
def test_a_nul_character_in_the_path_is_a_400(client, path):
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("path", ["/?ll_ref_id=a%00b", "/cart/?x=%00", "/?page=%00"])
def test_a_nul_character_in_the_query_is_ignored_or_refused_never_a_500(client, path):
    assert client.get(path).status_code < 500


def test_a_nul_character_in_a_form_field_is_a_400(client):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400


def test_a_nul_character_in_a_json_form_field_is_refused_by_the_form(client):
    response = client.post("/login", json={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400


def test_a_nul_character_in_a_webhook_id_is_a_400(client):
    body = json.dumps({"id": "evt\x00", "topic": "customers/update", "payload": {}}).encode()
    assert post(client, body).status_code == 400


@pytest.mark.parametrize("log", ["deliveries", "webhooks"])
def test_a_huge_page_number_on_the_logs_is_an_empty_page(client, auth, log):
    auth.login_admin()
    response = client.get(f"/admin/loyaltylion/{log}?page=99999999999999999999")
    assert response.status_code == 200


# -- 11. boolean settings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), ("yes", True), ("On", True), ("0", False), ("off", False)],
)
def test_boolean_settings_read_the_usual_spellings(monkeypatch, tmp_path, raw, expected):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", raw)
    assert settings_from_env(tmp_path)["SESSION_COOKIE_SECURE"] is expected


def test_session_cookie_secure_from_the_environment_is_kept(monkeypatch, database_uri):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    config = {k: v for k, v in TEST_CONFIG.items() if k != "SESSION_COOKIE_SECURE"}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": database_uri})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
    finally:
        dispose(app)


def test_a_boolean_setting_that_is_neither_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("CSP_REPORT_ONLY", "maybe")
    with pytest.raises(SettingError, match="CSP_REPORT_ONLY='maybe'"):
        settings_from_env(tmp_path)
