"""The customer auth token and the SDK init options (storefront/loyaltylion/sdk.py)."""

import hashlib
import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from storefront.loyaltylion.payloads import Customer
from storefront.loyaltylion.sdk import (
    auth_token,
    csp_origins,
    init_options,
    loader_url,
    snippet_settings,
    start_url,
)

# Known vectors: sha1(id + date + email + secret), plain concatenation.
VECTORS = [
    (
        "1001",
        "2018-01-01T10:00:00Z",
        "ada@example.com",
        "secret",
        hashlib.sha1(
            b"10012018-01-01T10:00:00Zada@example.comsecret", usedforsecurity=False
        ).hexdigest(),
    ),
]


def test_auth_token_matches_the_documented_formula():
    customer_id, date, email, secret, expected = VECTORS[0]
    assert auth_token(customer_id, date, email, secret) == expected


def test_auth_token_of_a_fixed_vector():
    # `printf '%s' '422026-11-25T18:30:00Zb@shop.tests3cr3t' | sha1sum`
    expected = "327beaeaea0c64438bdf93c7cb33dc696dd93899"
    assert auth_token(42, "2026-11-25T18:30:00Z", "b@shop.test", "s3cr3t") == expected


@pytest.mark.parametrize(
    "variant",
    [
        ("1001", "2018-01-01T10:00:00Z", "", "secret"),  # the official modules' email-less form
        ("1001", "2018-01-01T10:00:00Z", "ada@example.com", "other-secret"),
        ("1001", "2018-01-01T10:00:01Z", "ada@example.com", "secret"),
    ],
)
def test_any_other_input_gives_another_token(variant):
    assert auth_token(*variant) != VECTORS[0][4]


def test_auth_token_needs_a_secret():
    with pytest.raises(ValueError, match="secret"):
        auth_token(1, "2026-01-01T00:00:00Z", "a@b.c", "")


def test_guest_init_carries_only_the_site_token():
    assert init_options("site-token") == {"token": "site-token"}


def test_customer_init_carries_customer_and_a_fresh_auth_pair():
    now = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    options = init_options(
        "site-token", customer=Customer(7, "c@example.com"), secret="shh", now=now
    )
    assert options["customer"] == {"id": "7", "email": "c@example.com"}
    assert options["auth"]["date"] == "2026-11-25T18:30:00Z"
    assert options["auth"]["token"] == auth_token(7, "2026-11-25T18:30:00Z", "c@example.com", "shh")
    assert "shh" not in json.dumps(options)


def test_the_published_paths_use_the_utc_day_and_hour():
    # 23:30 in New York is 04:30 the next day in UTC: the UTC day and hour are used.
    late_evening = datetime(2026, 11, 25, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert loader_url(now=late_evening) == (
        "https://sdk.loyaltylion.net/static/2/20261126/loader.js"
    )
    assert loader_url("http://127.0.0.1:5001", now=late_evening, revision="r2") == (
        "http://127.0.0.1:5001/static/2/20261126/loader-r2.js"
    )
    assert start_url("https://sdk.loyaltylion.net", "tok123", now=late_evening) == (
        "https://sdk.loyaltylion.net/sdk/start/20261126T04/tok123.js"
    )


def test_snippet_settings_carry_the_origin_and_an_override_only_when_set():
    assert snippet_settings("tok", sdk_origin="http://127.0.0.1:5001/") == {
        "sdkOrigin": "http://127.0.0.1:5001",
        "loaderUrl": None,
        "init": {"token": "tok"},
    }
    pinned = snippet_settings("tok", loader_override="https://cdn.example/loader.js")
    assert pinned["sdkOrigin"] == "https://sdk.loyaltylion.net"
    assert pinned["loaderUrl"] == "https://cdn.example/loader.js"


def test_csp_origins_are_the_sdk_origin_the_override_the_api_and_the_extras():
    config = {
        "LOYALTYLION_SDK_ORIGIN": "https://sdk.loyaltylion.net",
        "LOYALTYLION_SDK_URL": "https://cdn.example/lion/loader.js",
        "LOYALTYLION_API_URL": "https://api.loyaltylion.com",
        "LOYALTYLION_CSP_EXTRA_ORIGINS": ["https://images.example", "https://sdk.loyaltylion.net"],
    }
    assert csp_origins(config) == [
        "https://sdk.loyaltylion.net",
        "https://cdn.example",
        "https://api.loyaltylion.com",
        "https://images.example",
    ]
    assert csp_origins({}) == ["https://sdk.loyaltylion.net"]


class TestRenderedPages:
    @pytest.fixture
    def app_config(self, app_config):
        return {
            **app_config,
            "LOYALTYLION_TOKEN": "site-token-123",
            "LOYALTYLION_SECRET": "site-secret-xyz",
            "LOYALTYLION_SDK_ORIGIN": "http://127.0.0.1:5001",
            "LOYALTYLION_SDK_URL": "",
        }

    @staticmethod
    def _sdk_config(response) -> dict:
        html = response.get_data(as_text=True)
        match = re.search(
            r'<script type="application/json" id="loyaltylion-config">(.*?)</script>', html
        )
        assert match, "every page carries the SDK config"
        return json.loads(match.group(1))

    def test_a_guest_page_inits_with_the_token_only(self, client):
        config = self._sdk_config(client.get("/"))
        assert config == {
            "sdkOrigin": "http://127.0.0.1:5001",
            "loaderUrl": None,
            "init": {"token": "site-token-123"},
        }

    def test_a_customer_page_authenticates_with_a_fresh_token(self, app, client, auth):
        auth.login()
        first = self._sdk_config(client.get("/"))["init"]
        assert first["customer"]["email"] == "customer@example.com"
        assert first["auth"]["token"] == auth_token(
            first["customer"]["id"],
            first["auth"]["date"],
            "customer@example.com",
            "site-secret-xyz",
        )

    @pytest.mark.parametrize("path", ["/", "/rewards", "/cart/", "/account/", "/checkout/"])
    def test_the_secret_never_reaches_the_browser(self, client, auth, path):
        auth.login()
        client.post("/cart/add", data={"product_id": 1, "quantity": 1})
        response = client.get(path)
        assert response.status_code == 200
        assert b"site-secret-xyz" not in response.data
        assert "site-secret-xyz" not in str(response.headers)
        assert response.data.count(b'id="loyaltylion-config"') == 1

    def test_without_a_secret_customers_stay_guests(self, app, client, auth):
        app.config["LOYALTYLION_SECRET"] = ""
        auth.login()
        assert self._sdk_config(client.get("/"))["init"] == {"token": "site-token-123"}


def test_a_missing_secret_is_logged_once_at_start_not_on_every_page(database_uri, caplog):
    """With a site token and no secret, customers stay guests in the SDK: said once, when
    the app starts, rather than on every page a customer opens."""
    from storefront import create_app
    from tests.conftest import TEST_CONFIG, AuthActions, dispose

    config = {
        **TEST_CONFIG,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "LOYALTYLION_TOKEN": "site-token-123",
        "LOYALTYLION_SECRET": "",
    }
    with caplog.at_level("WARNING", logger="storefront.loyaltylion"):
        app = create_app(config)
    try:
        warnings = [r for r in caplog.records if "LOYALTYLION_SECRET is not set" in r.message]
        assert len(warnings) == 1
        caplog.clear()
        from storefront.schema import create_tables
        from storefront.seed import seed_demo_data

        with app.app_context():
            create_tables()
            seed_demo_data()
        client = app.test_client()
        AuthActions(client).login()
        for path in ("/", "/rewards", "/account/"):
            assert client.get(path).status_code == 200
        assert not [r for r in caplog.records if "LOYALTYLION_SECRET" in r.message]
    finally:
        dispose(app)
