"""Security headers (storefront/headers.py): a CSP that admits the LoyaltyLion SDK and API
origins and nothing else third-party, and no inline script anywhere."""

import re

import pytest


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "LOYALTYLION_TOKEN": "site-token",
        "LOYALTYLION_SECRET": "site-secret",
        "LOYALTYLION_API_URL": "https://api.loyaltylion.com",
        "LOYALTYLION_SDK_URL": "",
    }


def _csp(response) -> dict[str, set[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: set(part.split()[1:]) for part in policy.split(";") if part.strip()}


def test_csp_allows_self_and_the_loyaltylion_origins_only(client):
    csp = _csp(client.get("/"))
    lion = {"https://sdk.loyaltylion.net", "https://api.loyaltylion.com"}
    assert csp["default-src"] == {"'self'"}
    assert csp["script-src"] == {"'self'"} | lion
    assert csp["connect-src"] == {"'self'"} | lion
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == {"'none'"}
    assert csp["object-src"] == {"'none'"}


def test_sandbox_origin_replaces_loyaltylions_in_sandbox_mode(app, client):
    app.config["LOYALTYLION_SDK_URL"] = "http://127.0.0.1:5001/sdk/loader.js"
    app.config["LOYALTYLION_API_URL"] = "http://127.0.0.1:5001"
    assert _csp(client.get("/"))["script-src"] == {"'self'", "http://127.0.0.1:5001"}


@pytest.mark.parametrize("path", ["/", "/products/house-blend", "/login", "/signup", "/rewards"])
def test_no_page_has_an_inline_script(client, path):
    html = client.get(path).get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_other_hardening_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_outside_debug_cookies_are_secure_and_http_only(app_config, monkeypatch):
    from storefront import create_app
    from tests.conftest import TEST_CONFIG, dispose

    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    production_like = {k: v for k, v in TEST_CONFIG.items() if not k.endswith("COOKIE_SECURE")}
    shop = create_app({**production_like, **app_config})
    assert not shop.debug
    assert shop.config["SESSION_COOKIE_SECURE"] is True
    assert shop.config["REMEMBER_COOKIE_SECURE"] is True
    assert shop.config["SESSION_COOKIE_HTTPONLY"] is True
    assert "Strict-Transport-Security" in shop.test_client().get("/").headers
    dispose(shop)
