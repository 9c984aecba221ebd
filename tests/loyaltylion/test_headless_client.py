"""Unit tests of the LoyaltyLion Headless API client (storefront/loyaltylion/headless.py).

No network, as in test_client.py: a `requests` transport adapter is mounted on the
session handed to the client, so every call goes through the real `Session.request`
path (headers, query string, JSON encoding, timeouts) and stops at the adapter, which
records the prepared request and answers with a real `requests.Response` (or raises).
One test opens a real socket to prove a refused connection is HeadlessUnavailable.

Contract: the published request types of loyaltylion/typescript-headless-api-client
(src/types/schemas.ts) and https://developers.loyaltylion.com/headless-api/errors, whose
example bodies the error tests answer with.
"""

from __future__ import annotations

import email.utils
import http
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from storefront.loyaltylion.client import USER_AGENT
from storefront.loyaltylion.errors import (
    DEFAULT_SHOPPER_MESSAGE,
    SHOPPER_MESSAGES,
    ConfigurationError,
    HeadlessAuthError,
    HeadlessError,
    HeadlessInvalidRequest,
    HeadlessNotFound,
    HeadlessRateLimited,
    HeadlessUnavailable,
    HeadlessUnprocessable,
)
from storefront.loyaltylion.headless import (
    HEADLESS_VERSION,
    REDEEMABLE_KINDS,
    HeadlessClient,
)
from tests.loyaltylion.fake_transport import FakeTransport, dropped, refused

API_KEY = "ll_headless_test_key_0123456789"
SITE_ID = 4242
BASE = f"/headless/2025-06/{SITE_ID}"
LOGGER = "storefront.loyaltylion.headless"

# The example bodies of https://developers.loyaltylion.com/headless-api/errors.
BODY_400 = {
    "error": {
        "message": "Invalid request",
        "details": {"channel": 'Invalid option: expected one of "web"|"pos"|"mobile"'},
    }
}
BODY_401 = {"error": {"message": "Authentication is required"}}
BODY_404 = {"error": {"code": "not_found", "message": "Reward with ID `1000` not found"}}
# The docs name reward_out_of_stock as the 422 example; the stored copy shows no body,
# so this one is the envelope the types give RedeemRewardErrorRewardOutOfStock.
BODY_422 = {"error": {"code": "reward_out_of_stock", "message": "Reward is out of stock"}}
# The types' 429 body: a code and no message.
BODY_429 = {"error": {"code": "rate_limited"}}


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport(200, {"ok": True})


@pytest.fixture
def make_client(transport: FakeTransport) -> Iterator[Callable[..., HeadlessClient]]:
    clients: list[HeadlessClient] = []

    def build(**kwargs: Any) -> HeadlessClient:
        session = requests.Session()
        session.trust_env = False
        session.mount("https://", transport)
        session.mount("http://", transport)
        kwargs.setdefault("api_key", API_KEY)
        kwargs.setdefault("site_id", SITE_ID)
        client = HeadlessClient(session=session, **kwargs)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client) -> HeadlessClient:
    return make_client()


# -- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize("api_key", ["", None])
def test_a_missing_api_key_is_a_configuration_error_naming_the_setting(api_key):
    with pytest.raises(ConfigurationError) as caught:
        HeadlessClient(api_key=api_key, site_id=SITE_ID)
    assert "LOYALTYLION_API_KEY" in str(caught.value)
    assert "not supported" in str(caught.value)  # no token + secret fallback


def test_an_api_key_is_required_even_with_legacy_credentials_at_hand():
    with pytest.raises(TypeError):
        HeadlessClient(site_id=SITE_ID, site_token="t", site_secret="s")  # type: ignore[call-arg]


@pytest.mark.parametrize("site_id", ["", None, "  ", "abc", "12a", True, "１２"])
def test_a_missing_or_non_numeric_site_id_is_a_configuration_error(site_id):
    with pytest.raises(ConfigurationError) as caught:
        HeadlessClient(api_key=API_KEY, site_id=site_id)
    assert "LOYALTYLION_SITE_ID" in str(caught.value)


def test_a_site_id_given_as_a_string_is_the_same_site(make_client, transport):
    make_client(site_id=" 4242 ").get_configuration()
    assert transport.last.path == f"{BASE}/configuration"


def test_an_unknown_channel_is_a_configuration_error():
    with pytest.raises(ConfigurationError) as caught:
        HeadlessClient(api_key=API_KEY, site_id=SITE_ID, channel="store")
    assert "web, pos, mobile" in str(caught.value)


@pytest.mark.parametrize("api_key", [f"{API_KEY}\n", f" {API_KEY}", "ll_a\x00b"])
def test_an_api_key_requests_would_refuse_is_a_configuration_error_that_does_not_quote_it(
    api_key,
):
    with pytest.raises(ConfigurationError) as caught:
        HeadlessClient(api_key=api_key, site_id=SITE_ID)
    assert api_key.strip() not in str(caught.value)


def test_the_repr_does_not_show_the_key(client):
    assert API_KEY not in repr(client)


# -- what every request carries --------------------------------------------------------------


def test_every_request_carries_the_bearer_key_channel_accept_and_user_agent(client, transport):
    client.get_configuration()
    headers = transport.last.request.headers
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert headers["X-LoyaltyLion-Channel"] == "web"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == USER_AGENT
    assert "Accept-Language" not in headers
    assert transport.last.query == {}  # no language unless asked for


@pytest.mark.parametrize("channel", ["web", "pos", "mobile"])
def test_the_channel_is_the_documented_header(make_client, transport, channel):
    make_client(channel=channel).get_customer("c1")
    assert transport.last.request.headers["X-LoyaltyLion-Channel"] == channel


def test_language_is_the_documented_query_parameter_on_every_call(make_client, transport):
    client = make_client(language="fr")
    client.get_configuration()
    client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1")
    assert [sent.query for sent in transport.sent] == [{"language": ["fr"]}] * 2
    assert "Accept-Language" not in transport.last.request.headers


def test_a_custom_user_agent_is_sent(make_client, transport):
    make_client(user_agent="mystore/1.0").get_configuration()
    assert transport.last.request.headers["User-Agent"] == "mystore/1.0"


def test_the_key_is_not_left_on_a_session_handed_in(client):
    assert "Authorization" not in client.session.headers


def test_default_timeouts_are_one_second_to_connect_and_two_to_read(client, transport):
    client.get_configuration()
    assert transport.last.timeout == (1.0, 2.0)


def test_timeouts_are_configurable_and_sent_with_every_call(make_client, transport):
    client = make_client(connect_timeout=0.25, read_timeout=0.75)
    client.get_configuration()
    client.subscribe_to_email_marketing("c1")
    assert [sent.timeout for sent in transport.sent] == [(0.25, 0.75)] * 2


def test_the_api_url_is_the_documented_default_and_a_trailing_slash_is_ignored(
    make_client, transport
):
    make_client().get_configuration()
    assert transport.last.request.url == f"https://api.loyaltylion.com{BASE}/configuration"
    make_client(api_url="http://sandbox.test:5001/").get_configuration()
    assert transport.last.request.url == f"http://sandbox.test:5001{BASE}/configuration"


def test_the_version_is_2025_06():
    assert HEADLESS_VERSION == "2025-06"
    assert REDEEMABLE_KINDS == ("cart_discount_voucher", "free_shipping_voucher")


# -- each endpoint: method, path, body -----------------------------------------------------

CART_SHOPIFY = {
    "kind": "shopify",
    "id": "gid://shopify/Cart/Z2NwLWV1cm",
    "cost": {"total_amount": {"amount": "99.95", "currency_code": "USD"}},
    "lines": [
        {
            "id": "gid://shopify/CartLine/1",
            "quantity": 1,
            "cost": {
                "total_amount": {"amount": "99.95", "currency_code": "USD"},
                "amount_per_quantity": {"amount": "99.95", "currency_code": "USD"},
            },
            "merchandise": {"id": "gid://shopify/ProductVariant/1001"},
            "attributes": [{"key": "customersFirstOrder", "value": None}],
        }
    ],
}

CALLS: list[tuple[str, Callable[[HeadlessClient], Any], str, str, Any]] = [
    ("get_configuration", lambda c: c.get_configuration(), "GET", "/configuration", None),
    ("get_customer", lambda c: c.get_customer("cust-7"), "GET", "/customers/cust-7", None),
    (
        "initialize_session",
        lambda c: c.initialize_session("cust-7", customer={"email": "ada@example.com"}),
        "POST",
        "/customers/cust-7/sessions",
        {"customer": {"email": "ada@example.com"}},
    ),
    (
        "initialize_session_full",
        lambda c: c.initialize_session(
            "cust-7",
            customer={"email": "ada@example.com"},
            session={"page_url": "https://shop.example/products/1"},
            cart={"kind": "empty"},
        ),
        "POST",
        "/customers/cust-7/sessions",
        {
            "customer": {"email": "ada@example.com"},
            "session": {"page_url": "https://shop.example/products/1"},
            "cart": {"kind": "empty"},
        },
    ),
    (
        "initialize_session_shopify_cart",
        lambda c: c.initialize_session(
            "cust-7", customer={"email": "ada@example.com"}, cart=CART_SHOPIFY
        ),
        "POST",
        "/customers/cust-7/sessions",
        {"customer": {"email": "ada@example.com"}, "cart": CART_SHOPIFY},
    ),
    (
        "redeem_cart_discount_voucher",
        lambda c: c.redeem_cart_discount_voucher(reward_id=11, merchant_id="cust-7"),
        "POST",
        "/rewards/cart_discount_voucher/redeem",
        {"reward_id": 11, "customer_merchant_id": "cust-7"},
    ),
    (
        "redeem_free_shipping_voucher",
        lambda c: c.redeem_free_shipping_voucher(reward_id=12, merchant_id="cust-7"),
        "POST",
        "/rewards/free_shipping_voucher/redeem",
        {"reward_id": 12, "customer_merchant_id": "cust-7"},
    ),
    (
        "redeem",
        lambda c: c.redeem("cart_discount_voucher", reward_id=13, merchant_id="cust-7"),
        "POST",
        "/rewards/cart_discount_voucher/redeem",
        {"reward_id": 13, "customer_merchant_id": "cust-7"},
    ),
    (
        "set_birthday",
        lambda c: c.set_birthday("cust-7", month=9, day=20, year=1993),
        "POST",
        "/customers/cust-7/birthday",
        {"birthday": {"month": 9, "day": 20, "year": 1993}},
    ),
    (
        "subscribe_to_email_marketing",
        lambda c: c.subscribe_to_email_marketing("cust-7"),
        "POST",
        "/customers/cust-7/email_marketing/subscribe",
        None,
    ),
    (
        "complete_custom_rule",
        lambda c: c.complete_custom_rule("cust-7", rule_id=21),
        "POST",
        "/rules/custom/complete",
        {"rule_id": 21, "customer_merchant_id": "cust-7"},
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "body"),
    [row[1:] for row in CALLS],
    ids=[row[0] for row in CALLS],
)
def test_each_method_sends_its_method_path_and_exact_body(
    client, transport, call, method, path, body
):
    call(client)
    sent = transport.last
    assert len(transport.sent) == 1
    assert sent.method == method
    assert sent.path == BASE + path
    if body is None:
        assert sent.request.body is None
        assert "Content-Type" not in sent.request.headers
    else:
        assert sent.json == body  # dict equality: exactly these keys, nothing else
        assert sent.request.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(("call", "method", "path", "body"), [row[1:] for row in CALLS])
def test_each_method_returns_the_parsed_json_object(client, transport, call, method, path, body):
    answer = {"voucher_code": "LL-XYA3816", "nested": {"a": [1, 2]}}
    transport.reply(201 if method == "POST" else 200, answer)
    assert call(client) == answer


def test_optional_session_fields_that_are_none_are_left_out(client, transport):
    client.initialize_session(
        "c1", customer={"email": "ada@example.com"}, session={"page_url": None}
    )
    assert transport.last.json == {"customer": {"email": "ada@example.com"}}


def test_initialize_session_needs_the_customer_email_the_type_requires(client, transport):
    with pytest.raises(TypeError):
        client.initialize_session("c1")  # type: ignore[call-arg]
    for customer in ({}, {"email": None}, {"email": ""}, {"email": "not-an-address"}):
        with pytest.raises(ValueError, match="email"):
            client.initialize_session("c1", customer=customer)
    assert transport.sent == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"customer": {"email": "a@example.com", "first_name": "Ada"}}, "first_name"),
        ({"session": {"url": "https://x"}}, "url"),
        ({"cart": {"kind": "woocommerce"}}, "cart"),
        ({"cart": {"kind": "empty", "id": "x"}}, "id"),
        ({"cart": {"kind": "shopify", "id": "x"}}, "missing"),
    ],
)
def test_fields_the_types_do_not_have_are_refused_before_sending(client, transport, kwargs, match):
    kwargs.setdefault("customer", {"email": "a@example.com"})
    with pytest.raises(ValueError, match=match):
        client.initialize_session("c1", **kwargs)
    assert transport.sent == []


@pytest.mark.parametrize("kind", ["gift_card", "product_cart", "custom", "", "../configuration"])
def test_redeem_refuses_an_unsupported_kind_before_sending(client, transport, kind):
    with pytest.raises(ValueError, match="cart_discount_voucher"):
        client.redeem(kind, reward_id=1, merchant_id="c1")
    assert transport.sent == []


@pytest.mark.parametrize("reward_id", [0, -1, True, "5", 5.0, None])
def test_redeem_needs_a_positive_integer_reward_id(client, transport, reward_id):
    with pytest.raises(ValueError, match="reward_id"):
        client.redeem_cart_discount_voucher(reward_id=reward_id, merchant_id="c1")
    assert transport.sent == []


def test_redeem_takes_no_cart_because_the_types_have_none(client):
    with pytest.raises(TypeError):
        client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1", cart={"kind": "empty"})  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "birthday",
    [
        {"month": 0, "day": 1, "year": 1990},
        {"month": 13, "day": 1, "year": 1990},
        {"month": 1, "day": 0, "year": 1990},
        {"month": 1, "day": 32, "year": 1990},
        {"month": 1, "day": 1, "year": 1899},
        {"month": 1, "day": 1, "year": time.gmtime().tm_year + 1},
        {"month": "1", "day": 1, "year": 1990},
    ],
)
def test_set_birthday_checks_the_documented_ranges_before_sending(client, transport, birthday):
    with pytest.raises(ValueError):
        client.set_birthday("c1", **birthday)
    assert transport.sent == []


def test_set_birthday_needs_the_year_the_type_requires(client):
    with pytest.raises(TypeError):
        client.set_birthday("c1", month=9, day=20)  # type: ignore[call-arg]


def test_complete_custom_rule_needs_a_positive_integer_rule_id(client, transport):
    with pytest.raises(ValueError, match="rule_id"):
        client.complete_custom_rule("c1", rule_id=0)
    with pytest.raises(TypeError):
        client.complete_custom_rule("c1", name="product_review")  # type: ignore[call-arg]
    assert transport.sent == []


@pytest.mark.parametrize("merchant_id", ["", "  ", None])
def test_an_empty_merchant_id_is_refused(client, transport, merchant_id):
    with pytest.raises(ValueError, match="merchant_id"):
        client.get_customer(merchant_id)
    with pytest.raises(ValueError, match="merchant_id"):
        client.complete_custom_rule(merchant_id, rule_id=1)
    assert transport.sent == []


@pytest.mark.parametrize("merchant_id", [".", ".."])
def test_a_merchant_id_that_is_a_dot_segment_is_refused(client, transport, merchant_id):
    # A URL parser would drop it and send the call to another endpoint.
    with pytest.raises(ValueError, match="path segment"):
        client.get_customer(merchant_id)
    assert transport.sent == []


# -- merchant IDs in the path ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("merchant_id", "encoded"),
    [
        # The docs' own example: "you must encode it as a URL parameter"
        ("gid://shopify/Customer/1001", "gid%3A%2F%2Fshopify%2FCustomer%2F1001"),
        ("a b/c?d#e%f&g=h+i", "a%20b%2Fc%3Fd%23e%25f%26g%3Dh%2Bi"),
        ("josé-名前", "jos%C3%A9-%E5%90%8D%E5%89%8D"),
        ("guest-42_x.y~z", "guest-42_x.y~z"),
    ],
)
@pytest.mark.parametrize(
    ("call", "suffix"),
    [
        (lambda c, m: c.get_customer(m), ""),
        (lambda c, m: c.initialize_session(m, customer={"email": "a@example.com"}), "/sessions"),
        (lambda c, m: c.set_birthday(m, month=1, day=2, year=1990), "/birthday"),
        (lambda c, m: c.subscribe_to_email_marketing(m), "/email_marketing/subscribe"),
    ],
    ids=["get_customer", "initialize_session", "set_birthday", "subscribe"],
)
def test_merchant_ids_are_percent_encoded_as_one_path_segment(
    client, transport, merchant_id, encoded, call, suffix
):
    call(client, merchant_id)
    assert transport.last.path == f"{BASE}/customers/{encoded}{suffix}"


def test_merchant_ids_in_a_body_are_sent_as_they_are(client, transport):
    client.redeem_free_shipping_voucher(reward_id=1, merchant_id="gid://shopify/Customer/1001")
    assert transport.last.json["customer_merchant_id"] == "gid://shopify/Customer/1001"
    client.complete_custom_rule("josé", rule_id=3)
    assert transport.last.json["customer_merchant_id"] == "josé"


# -- errors -----------------------------------------------------------------------------------


def test_400_is_an_invalid_request_with_the_documented_details(client, transport):
    transport.reply(400, BODY_400)
    with pytest.raises(HeadlessInvalidRequest) as caught:
        client.get_configuration()
    error = caught.value
    assert (error.status, error.code, error.message) == (400, None, "Invalid request")
    assert error.details == {"channel": 'Invalid option: expected one of "web"|"pos"|"mobile"'}
    assert "Invalid option" in str(error)


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_are_auth_errors(client, transport, status):
    transport.reply(status, BODY_401)
    with pytest.raises(HeadlessAuthError) as caught:
        client.get_customer("c1")
    assert (caught.value.status, caught.value.message) == (status, "Authentication is required")
    assert caught.value.code is None


def test_404_is_not_found_with_its_code_and_message(client, transport):
    transport.reply(404, BODY_404)
    with pytest.raises(HeadlessNotFound) as caught:
        client.redeem_cart_discount_voucher(reward_id=1000, merchant_id="c1")
    error = caught.value
    assert (error.status, error.code) == (404, "not_found")
    assert error.message == "Reward with ID `1000` not found"
    assert (error.method, error.path) == ("POST", f"{BASE}/rewards/cart_discount_voucher/redeem")
    assert str(error) == (
        f"POST {BASE}/rewards/cart_discount_voucher/redeem: 404 [not_found] "
        "Reward with ID `1000` not found"
    )


def test_get_customer_raises_not_found_for_an_unknown_customer(client, transport):
    transport.reply(404, {"error": {"code": "not_found", "message": "Customer not found"}})
    with pytest.raises(HeadlessNotFound):
        client.get_customer("nobody")


def test_422_is_unprocessable_with_its_code_and_a_shopper_message(client, transport):
    transport.reply(422, BODY_422)
    with pytest.raises(HeadlessUnprocessable) as caught:
        client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1")
    error = caught.value
    assert (error.status, error.code, error.message) == (
        422,
        "reward_out_of_stock",
        "Reward is out of stock",
    )
    assert error.shopper_message == "That reward has run out. Try another one."


def test_422_without_a_message_falls_back_to_the_reason(client, transport):
    transport.reply(422, {"error": {"code": "insufficient_points"}})
    with pytest.raises(HeadlessUnprocessable) as caught:
        client.redeem_free_shipping_voucher(reward_id=1, merchant_id="c1")
    assert caught.value.message == "Unprocessable Entity"
    assert caught.value.shopper_message == "You don't have enough points for that reward yet."


# The 422 codes of the operations the client calls, as the types list them.
REDEEM_CODES = [
    "insufficient_points",
    "customer_not_enrolled",
    "customer_blocked",
    "reward_not_enabled_for_customer",
    "reward_out_of_stock",
    "reward_kind_mismatch",
    "reward_limit_reached",
]
RULE_CODES = [
    "customer_not_enrolled",
    "customer_blocked",
    "rule_not_enabled_for_customer",
    "rule_kind_mismatch",
    "rule_limit_reached",
    "rule_requirements_not_met",
]
OTHER_CODES = [
    "invalid_date",
    "subscription_failed",
    "unsupported_platform",
    "email_already_in_use",
]


@pytest.mark.parametrize("code", sorted(set(REDEEM_CODES + RULE_CODES + OTHER_CODES)))
def test_every_documented_422_code_has_its_own_plain_english_message(client, transport, code):
    transport.reply(422, {"error": {"code": code, "message": f"internal text for {code}"}})
    with pytest.raises(HeadlessUnprocessable) as caught:
        client.complete_custom_rule("c1", rule_id=1)
    message = caught.value.shopper_message
    assert message == SHOPPER_MESSAGES[code]
    assert message != DEFAULT_SHOPPER_MESSAGE
    assert code not in message and "internal text" not in message


@pytest.mark.parametrize("body", [{"error": {"code": "brand_new_code"}}, {"error": {}}, None])
def test_an_unknown_or_missing_422_code_gets_the_default_shopper_message(client, transport, body):
    transport.reply(422, body)
    with pytest.raises(HeadlessUnprocessable) as caught:
        client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1")
    assert caught.value.shopper_message == "We couldn't claim that reward. Please try again."


def test_429_is_rate_limited_with_retry_after_in_seconds(client, transport):
    transport.reply(429, BODY_429, headers={"Retry-After": "3"})
    with pytest.raises(HeadlessRateLimited) as caught:
        client.get_configuration()
    error = caught.value
    assert (error.status, error.code, error.retry_after) == (429, "rate_limited", 3.0)
    assert error.message == "Too Many Requests"


def test_429_retry_after_as_an_http_date(client, transport):
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    transport.reply(429, BODY_429, headers={"Retry-After": when})
    with pytest.raises(HeadlessRateLimited) as caught:
        client.get_configuration()
    assert 25 <= caught.value.retry_after <= 31


def test_429_without_retry_after_has_none(client, transport):
    transport.reply(429, BODY_429)
    with pytest.raises(HeadlessRateLimited) as caught:
        client.get_configuration()
    assert caught.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_5xx_and_408_are_unavailable_and_ambiguous(client, transport, status):
    transport.reply(status, raw_body=b"<html>upstream error</html>")
    with pytest.raises(HeadlessUnavailable) as caught:
        client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1")
    error = caught.value
    assert error.status == status
    assert error.ambiguous is True
    assert error.message == http.HTTPStatus(status).phrase


def test_503_carries_its_retry_after(client, transport):
    transport.reply(503, {"error": {"message": "down"}}, headers={"Retry-After": "7"})
    with pytest.raises(HeadlessUnavailable) as caught:
        client.get_configuration()
    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize("status", [405, 409, 418])
def test_other_statuses_are_a_plain_headless_error(client, transport, status):
    transport.reply(status, {"error": {"message": "nope"}})
    with pytest.raises(HeadlessError) as caught:
        client.get_configuration()
    assert type(caught.value) is HeadlessError
    assert caught.value.status == status


def test_a_redirect_is_not_followed(client, transport):
    transport.reply(302, headers={"Location": "https://elsewhere.example/steal"})
    with pytest.raises(HeadlessError) as caught:
        client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1")
    assert caught.value.status == 302
    assert len(transport.sent) == 1


def test_a_failure_is_sent_once_the_client_never_retries(client, transport):
    transport.reply(503, raw_body=b"")
    with pytest.raises(HeadlessUnavailable):
        client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1")
    assert len(transport.sent) == 1


def test_every_typed_error_is_a_headless_error():
    for error_type in (
        HeadlessInvalidRequest,
        HeadlessAuthError,
        HeadlessNotFound,
        HeadlessUnprocessable,
        HeadlessRateLimited,
        HeadlessUnavailable,
    ):
        assert issubclass(error_type, HeadlessError)


# -- no usable answer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "ambiguous"),
    [
        (requests.ConnectTimeout("connect timed out"), False),
        (requests.ReadTimeout("read timed out"), True),
        (requests.Timeout("timed out"), True),
        (refused(), False),
        (dropped(), True),
        (requests.exceptions.ChunkedEncodingError("broken"), True),
    ],
    ids=["connect-timeout", "read-timeout", "timeout", "refused", "dropped", "chunked"],
)
def test_network_failures_are_unavailable_without_status(client, transport, error, ambiguous):
    transport.fail(error)
    with pytest.raises(HeadlessUnavailable) as caught:
        client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1")
    assert caught.value.status is None
    assert caught.value.ambiguous is ambiguous
    assert caught.value.__cause__ is error
    assert f"POST {BASE}/rewards/cart_discount_voucher/redeem" in str(caught.value)


def test_a_real_refused_connection_is_unavailable():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HeadlessClient(
        f"http://127.0.0.1:{port}", api_key=API_KEY, site_id=SITE_ID, connect_timeout=0.5
    )
    client.session.trust_env = False
    try:
        with pytest.raises(HeadlessUnavailable) as caught:
            client.get_configuration()
    finally:
        client.close()
    assert caught.value.ambiguous is False
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize(
    "raw_body",
    [b"<html>ok</html>", b"", b"[1, 2]", b'"text"', b"null", b"{not json"],
    ids=["html", "empty", "list", "string", "null", "broken"],
)
def test_a_2xx_that_is_not_a_json_object_is_unavailable(client, transport, raw_body):
    transport.reply(200, raw_body=raw_body)
    with pytest.raises(HeadlessUnavailable) as caught:
        client.get_configuration()
    assert caught.value.status == 200
    assert caught.value.ambiguous is True


def test_a_non_json_error_body_still_gives_the_typed_error(client, transport):
    transport.reply(404, raw_body=b"<html>Not here</html>")
    with pytest.raises(HeadlessNotFound) as caught:
        client.get_customer("c1")
    assert (caught.value.message, caught.value.code) == ("Not Found", None)


def test_an_error_without_reason_names_the_status(client, transport):
    transport.reply(418, raw_body=b"", reason="")
    with pytest.raises(HeadlessError) as caught:
        client.get_configuration()
    assert caught.value.message == "HTTP 418"


# -- the API key stays secret; what is logged ----------------------------------------------------

ECHO = f"key {API_KEY} is not valid"
FAILURES: list[tuple[str, Callable[[FakeTransport], None]]] = [
    ("400", lambda t: t.reply(400, BODY_400)),
    ("400-echo", lambda t: t.reply(400, {"error": {"message": ECHO, "details": {API_KEY: ECHO}}})),
    ("401-echo", lambda t: t.reply(401, {"error": {"message": ECHO}})),
    ("403", lambda t: t.reply(403, BODY_401)),
    ("404", lambda t: t.reply(404, BODY_404)),
    ("422-echo", lambda t: t.reply(422, {"error": {"code": API_KEY, "message": ECHO}})),
    ("429", lambda t: t.reply(429, BODY_429, headers={"Retry-After": "1"})),
    ("500", lambda t: t.reply(500, raw_body=b"")),
    ("500-echo", lambda t: t.reply(500, {"error": {"message": ECHO}})),
    ("418", lambda t: t.reply(418, {"error": {"message": ECHO}})),
    ("not-json", lambda t: t.reply(200, raw_body=f"<p>{API_KEY}</p>".encode())),
    ("connect-timeout", lambda t: t.fail(requests.ConnectTimeout("connect timed out"))),
    ("read-timeout", lambda t: t.fail(requests.ReadTimeout("read timed out"))),
    ("refused", lambda t: t.fail(refused())),
    ("dropped", lambda t: t.fail(dropped())),
]


@pytest.mark.parametrize("arrange", [row[1] for row in FAILURES], ids=[row[0] for row in FAILURES])
def test_the_api_key_is_in_no_exception_and_no_log_record(make_client, transport, caplog, arrange):
    caplog.set_level(logging.DEBUG)
    client = make_client(language="en")
    arrange(transport)
    with pytest.raises(HeadlessError) as caught:
        client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1")
    error = caught.value
    texts = [str(error), repr(error), error.message, str(error.details), str(error.code)]
    texts += [str(arg) for arg in error.args]
    for record in caplog.records:
        texts += [record.getMessage(), str(record.args), str(record.exc_info or "")]
    assert all(API_KEY not in text for text in texts)


@pytest.mark.parametrize("arrange", [row[1] for row in FAILURES], ids=[row[0] for row in FAILURES])
def test_each_failure_logs_one_warning_with_method_path_status_and_code(
    make_client, transport, caplog, arrange
):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    client = make_client(language="en")
    arrange(transport)
    with pytest.raises(HeadlessError) as caught:
        client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1")
    records = [r for r in caplog.records if r.name == LOGGER]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.WARNING
    line = record.getMessage()
    assert f"POST {BASE}/rewards/cart_discount_voucher/redeem " in line
    assert "?" not in line and "language" not in line  # the path, never the query
    status = caught.value.status
    assert f"status={status if status is not None else '-'}" in line
    assert "code=" in line


def test_the_log_line_names_the_code(client, transport, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    transport.reply(422, BODY_422)
    with pytest.raises(HeadlessUnprocessable):
        client.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1")
    assert caplog.records[-1].getMessage() == (
        f"LoyaltyLion Headless API POST {BASE}/rewards/cart_discount_voucher/redeem failed: "
        "status=422 code=reward_out_of_stock"
    )


def test_a_success_logs_nothing(client, transport, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    client.get_configuration()
    assert [r for r in caplog.records if r.name == LOGGER] == []


# -- the sandbox's contract ---------------------------------------------------------------------

CONTRACT_CALLS: list[tuple[str, Callable[[HeadlessClient], Any]]] = [
    (
        "customers.initializeSession",
        lambda c: c.initialize_session("c1", customer={"email": "ada@example.com"}),
    ),
    (
        "customers.initializeSession",
        lambda c: c.initialize_session(
            "c1",
            customer={"email": "ada@example.com"},
            session={"page_url": "https://shop.example/"},
            cart={"kind": "empty"},
        ),
    ),
    (
        "rewards.redeemCartDiscountVoucher",
        lambda c: c.redeem_cart_discount_voucher(reward_id=1, merchant_id="c1"),
    ),
    (
        "rewards.redeemFreeShippingVoucher",
        lambda c: c.redeem_free_shipping_voucher(reward_id=2, merchant_id="c1"),
    ),
    (
        "customers.initializeSession",
        lambda c: c.initialize_session(
            "c1", customer={"email": "ada@example.com"}, cart=CART_SHOPIFY
        ),
    ),
    ("customers.setBirthday", lambda c: c.set_birthday("c1", month=2, day=29, year=1996)),
    ("rules.completeCustom", lambda c: c.complete_custom_rule("c1", rule_id=3)),
    ("customers.emailMarketingSubscribe", lambda c: c.subscribe_to_email_marketing("c1")),
]
CONTRACT_REASON = (
    "loyaltylion_sandbox/headless_contract.py (the sandbox's JSON Schemas of the Headless "
    "request types) does not exist yet"
)


@pytest.mark.parametrize(
    ("operation", "call"),
    CONTRACT_CALLS,
    ids=[f"{op}-{i}" for i, (op, _) in enumerate(CONTRACT_CALLS)],
)
def test_every_body_the_client_sends_validates_against_the_sandbox_contract(
    client, transport, operation, call
):
    contract = pytest.importorskip("loyaltylion_sandbox.headless_contract", reason=CONTRACT_REASON)
    call(client)
    body = transport.last.request.body
    sent = None if body is None else json.loads(body)
    # validate_request returns {field: [problems]}, {} when the body is valid.
    assert contract.validate_request(operation, sent) == {}


def test_the_sandbox_contract_does_find_a_wrong_body():
    """The test above would prove nothing if validate_request accepted anything."""
    contract = pytest.importorskip("loyaltylion_sandbox.headless_contract", reason=CONTRACT_REASON)
    assert contract.validate_request("rewards.redeemCartDiscountVoucher", {"reward_id": 1})
    assert contract.validate_request("customers.setBirthday", {"birthday": {"month": 9, "day": 2}})
    assert contract.validate_request("customers.initializeSession", {"customer": {}})
