"""Unit tests of the LoyaltyLion Admin API client (storefront/loyaltylion/client.py).

No network: a `requests` transport adapter is mounted on the session handed to the
client, so every call goes through the real `Session.request` path (auth, headers,
query string, JSON encoding, timeouts) and stops at the adapter, which records the
prepared request and answers with a real `requests.Response` (or raises).

Contract: docs/loyaltylion-contract.md (Admin API).
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from storefront.loyaltylion.client import (
    DEFAULT_API_URL,
    LoyaltyLionClient,
    parse_retry_after,
)
from storefront.loyaltylion.errors import (
    ConfigurationError,
    LoyaltyLionError,
    PermanentError,
    RetryableError,
)
from tests.loyaltylion.fake_transport import FakeTransport, dropped, refused

API_KEY = "ll_test_key_123"
SITE_TOKEN = "site-token"
SITE_SECRET = "site-secret"
CLIENT_LOGGER = "storefront.loyaltylion.client"


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()


@pytest.fixture
def make_client(transport: FakeTransport) -> Iterator[Callable[..., LoyaltyLionClient]]:
    """Build a client whose session can only reach the fake transport."""
    clients: list[LoyaltyLionClient] = []

    def build(api_url: str = DEFAULT_API_URL, **kwargs: Any) -> LoyaltyLionClient:
        session = requests.Session()
        session.trust_env = False  # no proxies or netrc from the environment
        session.mount("https://", transport)
        session.mount("http://", transport)
        kwargs.setdefault("api_key", API_KEY)
        client = LoyaltyLionClient(api_url, session=session, **kwargs)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client) -> LoyaltyLionClient:
    return make_client()


# -- authentication ----------------------------------------------------------------------


def test_api_key_is_sent_as_a_bearer_token(client, transport):
    transport.reply(200, {"site": {"id": 1}})
    client.whoami()
    assert transport.last.request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert client.auth_scheme == "bearer"


def test_api_key_wins_over_legacy_credentials_without_warning(make_client, transport, caplog):
    caplog.set_level(logging.WARNING, logger=CLIENT_LOGGER)
    client = make_client(api_key=API_KEY, site_token=SITE_TOKEN, site_secret=SITE_SECRET)
    client.track_activity({"name": "$signup"})
    assert transport.last.request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert client.auth_scheme == "bearer"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_without_api_key_falls_back_to_basic_auth_and_warns(make_client, transport, caplog):
    caplog.set_level(logging.WARNING, logger=CLIENT_LOGGER)
    client = make_client(api_key="", site_token=SITE_TOKEN, site_secret=SITE_SECRET)
    client.track_activity({"name": "$signup"})

    expected = base64.b64encode(f"{SITE_TOKEN}:{SITE_SECRET}".encode()).decode()
    assert transport.last.request.headers["Authorization"] == f"Basic {expected}"
    assert client.auth_scheme == "basic"
    warnings = [
        r for r in caplog.records if r.name == CLIENT_LOGGER and r.levelno == logging.WARNING
    ]
    assert len(warnings) == 1
    assert "deprecated" in warnings[0].getMessage().lower()


@pytest.mark.parametrize(
    "credentials",
    [
        {},
        {"api_key": ""},
        {"site_token": SITE_TOKEN},
        {"site_secret": SITE_SECRET},
        {"site_token": SITE_TOKEN, "site_secret": ""},
    ],
    ids=["nothing", "empty-key", "token-only", "secret-only", "empty-secret"],
)
def test_missing_credentials_raise_configuration_error(credentials):
    session = requests.Session()
    with pytest.raises(ConfigurationError):
        LoyaltyLionClient(session=session, **credentials)
    session.close()


def test_configuration_error_is_a_loyaltylion_error():
    assert issubclass(ConfigurationError, LoyaltyLionError)


# -- transport details -------------------------------------------------------------------


def call_every_endpoint(client: LoyaltyLionClient, transport: FakeTransport) -> None:
    transport.reply(204)
    client.track_activity({"name": "$signup"})
    client.update_activity_state("$review", "rev-7", "approved")
    client.create_order({"merchant_id": "42"})
    client.update_order("42", {"payment_status": "paid"})
    transport.reply(200, {"merchant_id": "42"})
    client.get_order("42")
    client.whoami()


def test_every_request_carries_the_explicit_timeout_tuple(make_client, transport):
    client = make_client(connect_timeout=1.5, read_timeout=7.25)
    call_every_endpoint(client, transport)
    assert len(transport.sent) == 6
    assert [sent.timeout for sent in transport.sent] == [(1.5, 7.25)] * 6


def test_default_timeouts_are_explicit_connect_and_read(client, transport):
    client.track_activity({"name": "$signup"})
    connect, read = transport.last.timeout
    assert connect > 0
    assert read > 0


def test_every_request_carries_the_configured_user_agent(make_client, transport):
    client = make_client(user_agent="my-store/2.3 (+python-requests)")
    call_every_endpoint(client, transport)
    assert len(transport.sent) == 6
    for sent in transport.sent:
        assert sent.request.headers["User-Agent"] == "my-store/2.3 (+python-requests)"


def test_the_default_user_agent_names_the_integration(client, transport):
    client.track_activity({"name": "$signup"})
    assert transport.last.request.headers["User-Agent"].startswith("loyaltylion-flask/")


@pytest.mark.parametrize(
    ("method", "call", "body"),
    [
        ("POST", lambda c: c.track_activity({"name": "$signup"}), {"name": "$signup"}),
        ("POST", lambda c: c.create_order({"merchant_id": "42"}), {"merchant_id": "42"}),
        ("PUT", lambda c: c.update_order("42", {"total_paid": "1.00"}), {"total_paid": "1.00"}),
        ("PUT", lambda c: c.update_activity_state("$review", "r1", "void"), {"state": "void"}),
    ],
    ids=["track_activity", "create_order", "update_order", "update_activity_state"],
)
def test_post_and_put_send_a_json_body(client, transport, method, call, body):
    call(client)
    sent = transport.last
    assert sent.method == method
    assert sent.request.headers["Content-Type"] == "application/json"
    assert sent.json == body


def test_get_requests_send_no_body(client, transport):
    transport.reply(200, {"ok": True})
    client.whoami()
    client.get_order("42")
    for sent in transport.sent:
        assert sent.method == "GET"
        assert sent.request.body is None


# Documented on Create Activity and Create Order only ("only required for programs that
# have multiple sites"); no other endpoint the client calls takes it.
SITE_ID_PATHS = {("POST", "/v2/activities"), ("POST", "/v2/orders")}


def test_site_id_goes_only_where_it_is_documented(make_client, transport):
    client = make_client(site_id=7)
    call_every_endpoint(client, transport)
    for sent in transport.sent:
        expected = {"site_id": ["7"]} if (sent.method, sent.path) in SITE_ID_PATHS else {}
        assert sent.query == expected, (sent.method, sent.path)
    assert {(s.method, s.path) for s in transport.sent} >= SITE_ID_PATHS


@pytest.mark.parametrize("site_id", [None, ""], ids=["none", "empty"])
def test_site_id_is_omitted_when_not_configured(make_client, transport, site_id):
    client = make_client(site_id=site_id)
    call_every_endpoint(client, transport)
    for sent in transport.sent:
        assert sent.raw_query == ""
        assert "site_id" not in (sent.request.url or "")


def test_api_url_is_the_documented_default_and_a_trailing_slash_is_ignored(make_client, transport):
    make_client().track_activity({})
    assert transport.last.request.url == "https://api.loyaltylion.com/v2/activities"
    make_client("http://127.0.0.1:5001/").track_activity({})
    assert transport.last.request.url == "http://127.0.0.1:5001/v2/activities"


# -- endpoints and paths -----------------------------------------------------------------


def test_track_activity_posts_to_activities(client, transport):
    transport.reply(201)
    assert client.track_activity({"name": "$signup"}) is None
    assert (transport.last.method, transport.last.path) == ("POST", "/v2/activities")


def test_update_activity_state_puts_state_and_keeps_the_dollar(client, transport):
    client.update_activity_state("$review", "rev-7", "approved")
    sent = transport.last
    assert (sent.method, sent.path) == ("PUT", "/v2/activities/$review/rev-7")
    assert sent.json == {"state": "approved"}


@pytest.mark.parametrize(
    ("merchant_id", "encoded"),
    [
        ("rev/7", "rev%2F7"),
        ("rev 7", "rev%207"),
        ("a b/c", "a%20b%2Fc"),
        ("rev?7#x", "rev%3F7%23x"),
        ("révue", "r%C3%A9vue"),
    ],
)
def test_update_activity_state_percent_encodes_the_merchant_id(
    client, transport, merchant_id, encoded
):
    client.update_activity_state("$review", merchant_id, "declined")
    assert transport.last.path == f"/v2/activities/$review/{encoded}"
    assert transport.last.raw_query == ""


def test_create_order_posts_to_orders(client, transport):
    transport.reply(201)
    assert client.create_order({"merchant_id": "42"}) is None
    assert (transport.last.method, transport.last.path) == ("POST", "/v2/orders")


def test_update_order_puts_to_the_order(client, transport):
    body = {
        "payment_status": "paid",
        "refund_status": "not_refunded",
        "cancellation_status": "not_cancelled",
        "total_paid": "10.00",
        "total_refunded": "0.00",
    }
    assert client.update_order("42", body) is None
    sent = transport.last
    assert (sent.method, sent.path) == ("PUT", "/v2/orders/42")
    assert sent.json == body


def test_update_order_percent_encodes_the_merchant_id(client, transport):
    client.update_order("A/42 b", {})
    assert transport.last.path == "/v2/orders/A%2F42%20b"


def test_get_order_returns_the_json_on_200(client, transport):
    order = {"id": 9, "merchant_id": "42", "total": "12.00"}
    transport.reply(200, order)
    assert client.get_order("42") == order
    assert (transport.last.method, transport.last.path) == ("GET", "/v2/orders/42")


def test_get_order_returns_none_on_404(client, transport):
    transport.reply(404, {"error": {"message": "Order not found"}})
    assert client.get_order("42") is None


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(401, PermanentError), (422, PermanentError), (503, RetryableError)],
)
def test_get_order_raises_other_errors(client, transport, status, error_type):
    transport.reply(status, {"error": {"message": "nope"}})
    with pytest.raises(error_type) as caught:
        client.get_order("42")
    assert caught.value.status == status


def test_whoami_gets_identity_and_returns_the_json(client, transport):
    identity = {"site": {"id": 1, "name": "Demo"}}
    transport.reply(200, identity)
    assert client.whoami() == identity
    assert (transport.last.method, transport.last.path) == ("GET", "/v2/identity/whoami")


def test_whoami_with_a_bad_key_raises_a_permanent_401(client, transport):
    transport.reply(401, {"error": {"message": "Invalid API key"}})
    with pytest.raises(PermanentError) as caught:
        client.whoami()
    assert caught.value.status == 401
    assert caught.value.message == "Invalid API key"


# -- error classification ----------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        requests.ConnectTimeout("connect timed out"),
        requests.ReadTimeout("read timed out"),
        requests.Timeout("timed out"),
        requests.ConnectionError("connection refused"),
    ],
    ids=["ConnectTimeout", "ReadTimeout", "Timeout", "ConnectionError"],
)
def test_network_failures_are_retryable_without_status(client, transport, error):
    transport.fail(error)
    with pytest.raises(RetryableError) as caught:
        client.track_activity({"name": "$signup"})
    assert caught.value.status is None
    assert caught.value.retry_after is None
    assert caught.value.__cause__ is error
    assert "POST /v2/activities" in str(caught.value)


@pytest.mark.parametrize(
    ("error", "ambiguous"),
    [
        (requests.ConnectTimeout("connect timed out"), False),
        (refused(), False),
        (requests.ReadTimeout("read timed out"), True),
        (dropped(), True),
    ],
    ids=["connect-timeout", "refused", "read-timeout", "dropped"],
)
def test_a_failure_after_the_request_went_out_is_ambiguous(client, transport, error, ambiguous):
    # Ambiguous: LoyaltyLion may have done it. The outbox looks an activity up before
    # it sends it again.
    transport.fail(error)
    with pytest.raises(RetryableError) as caught:
        client.track_activity({"name": "$signup"})
    assert caught.value.ambiguous is ambiguous


@pytest.mark.parametrize(
    ("status", "ambiguous"), [(408, False), (429, False), (500, True), (503, True)]
)
def test_a_5xx_is_ambiguous_a_refusal_is_not(client, transport, status, ambiguous):
    transport.reply(status, {"error": {"message": "no"}})
    with pytest.raises(RetryableError) as caught:
        client.track_activity({"name": "$signup"})
    assert caught.value.ambiguous is ambiguous


def test_list_activities_pages_by_date_then_by_cursor(client, transport):
    transport.reply(
        200,
        {
            "activities": [{"id": 9, "merchant_id": "review-1"}],
            "cursor": {"prev": None, "next": "abc"},
        },
    )
    items, cursor = client.list_activities(datetime(2026, 11, 25, 18, 30, tzinfo=UTC))
    assert (items, cursor) == ([{"id": 9, "merchant_id": "review-1"}], "abc")
    assert (transport.last.method, transport.last.path) == ("GET", "/v2/activities")
    assert transport.last.query == {"created_at_min": ["2026-11-25T18:30:00Z"], "limit": ["500"]}
    transport.reply(200, {"activities": [], "cursor": {"prev": "x", "next": None}})
    assert client.list_activities(cursor="abc") == ([], None)
    assert transport.last.query == {"cursor": ["abc"], "limit": ["500"]}


def test_list_orders_filters_the_first_page_only_then_follows_the_cursor(client, transport):
    transport.reply(
        200, {"orders": [{"id": 7, "merchant_id": "1001"}], "cursor": {"prev": None, "next": "n1"}}
    )
    items, cursor = client.list_orders(updated_at_min=datetime(2026, 11, 1, tzinfo=UTC))
    assert (items, cursor) == ([{"id": 7, "merchant_id": "1001"}], "n1")
    assert (transport.last.method, transport.last.path) == ("GET", "/v2/orders")
    assert transport.last.query == {"updated_at_min": ["2026-11-01T00:00:00Z"], "limit": ["500"]}
    # "any other filtering params will be ignored": a follow-up sends the cursor alone.
    transport.reply(200, {"orders": [], "cursor": {"prev": "p", "next": None}})
    assert client.list_orders(
        updated_at_min=datetime(2026, 11, 1, tzinfo=UTC), cursor="n1", limit=50
    ) == ([], None)
    assert transport.last.query == {"cursor": ["n1"], "limit": ["50"]}


def test_webhook_subscriptions(client, transport):
    hook = {"id": 3, "topic": "customers/update", "address": "https://shop.example/hook"}
    transport.reply(200, {"webhooks": [hook]})
    assert client.list_webhooks() == [hook]
    transport.reply(201, {"webhook": hook})
    assert client.create_webhook("customers/update", "https://shop.example/hook") == hook
    assert json.loads(transport.last.request.body) == {
        "webhook": {"topic": "customers/update", "address": "https://shop.example/hook"}
    }
    transport.reply(204)
    client.delete_webhook(3)
    assert (transport.last.method, transport.last.path) == ("DELETE", "/v2/webhooks/3")


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_raise_retryable_error_with_status(client, transport, status):
    transport.reply(status, {"error": {"message": "try later"}})
    with pytest.raises(RetryableError) as caught:
        client.create_order({"merchant_id": "42"})
    assert caught.value.status == status
    assert str(status) in str(caught.value)
    assert caught.value.retry_after is None  # no Retry-After header was sent


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_permanent_with_envelope_message_and_details(client, transport, status):
    details = {"customer_email": ["is required"], "total": ["must be a string"]}
    transport.reply(status, {"error": {"message": "Validation failed", "details": details}})
    with pytest.raises(PermanentError) as caught:
        client.create_order({"merchant_id": "42"})
    error = caught.value
    assert error.status == status
    assert error.message == "Validation failed"
    assert error.details == details
    assert error.not_found is (status == 404)
    assert str(error).startswith(f"{status}: Validation failed")


def test_permanent_error_without_details_has_empty_details(client, transport):
    transport.reply(403, {"error": {"message": "Missing scope write_orders"}})
    with pytest.raises(PermanentError) as caught:
        client.create_order({})
    assert caught.value.message == "Missing scope write_orders"
    assert caught.value.details == {}
    assert str(caught.value) == "403: Missing scope write_orders"


@pytest.mark.parametrize(
    ("raw_body", "content_type"),
    [
        (b"<html><body><h1>Bad Request</h1></body></html>", "text/html"),
        (b"", "text/plain"),
        (b"not json {", "application/json"),
        (b'["error"]', "application/json"),
    ],
    ids=["html", "empty", "broken-json", "json-without-envelope"],
)
def test_non_envelope_error_body_still_gives_a_permanent_error_with_a_message(
    client, transport, raw_body, content_type
):
    transport.reply(
        400, raw_body=raw_body, headers={"Content-Type": content_type}, reason="Bad Request"
    )
    with pytest.raises(PermanentError) as caught:
        client.track_activity({})
    assert caught.value.status == 400
    assert caught.value.message == "Bad Request"
    assert caught.value.details == {}


def test_non_json_error_body_without_reason_names_the_status(client, transport):
    transport.reply(422, raw_body=b"oops", headers={"Content-Type": "text/plain"}, reason="")
    with pytest.raises(PermanentError) as caught:
        client.track_activity({})
    assert caught.value.message == "HTTP 422"


def test_envelope_without_message_falls_back_to_the_reason(client, transport):
    transport.reply(422, {"error": {"details": {"name": ["is required"]}}})
    with pytest.raises(PermanentError) as caught:
        client.track_activity({})
    assert caught.value.message == "Unprocessable Entity"
    assert caught.value.details == {"name": ["is required"]}


def test_envelope_without_message_and_without_reason_names_the_status(client, transport):
    transport.reply(422, {"error": {"details": {}}}, reason="")
    with pytest.raises(PermanentError) as caught:
        client.track_activity({})
    assert caught.value.message == "HTTP 422"


def test_retryable_error_with_non_json_body_is_still_retryable(client, transport):
    transport.reply(
        502, raw_body=b"<html>Bad Gateway</html>", headers={"Content-Type": "text/html"}
    )
    with pytest.raises(RetryableError) as caught:
        client.track_activity({})
    assert caught.value.status == 502
    assert "Bad Gateway" in str(caught.value)


def test_success_statuses_do_not_raise(client, transport):
    for status in (200, 201, 202, 204):
        transport.reply(status)
        client.track_activity({})
    assert len(transport.sent) == 4


# -- Retry-After -------------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 18, 30, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "seconds"), [("2", 2.0), ("0", 0.0), (" 120 ", 120.0)])
def test_parse_retry_after_delta_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


@pytest.mark.parametrize(
    "value",
    [
        "Wed, 25 Nov 2026 18:30:30 GMT",  # IMF-fixdate, the preferred form
        "Wednesday, 25-Nov-26 18:30:30 GMT",  # obsolete RFC 850 form
    ],
    ids=["imf-fixdate", "rfc850"],
)
def test_parse_retry_after_http_date_in_the_future(value):
    assert parse_retry_after(value, now=NOW.timestamp()) == 30.0


def test_parse_retry_after_http_date_from_formatdate():
    later = NOW + timedelta(minutes=5)
    value = email.utils.format_datetime(later, usegmt=True)
    assert parse_retry_after(value, now=NOW.timestamp()) == 300.0


def test_parse_retry_after_http_date_in_the_past_is_zero():
    assert parse_retry_after("Wed, 25 Nov 2026 18:29:00 GMT", now=NOW.timestamp()) == 0.0


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "soon", "-1", "1.5", "2 seconds", "Someday, 99 Foo 2026 25:61:00 GMT"],
)
def test_parse_retry_after_garbage_is_none(value):
    assert parse_retry_after(value, now=NOW.timestamp()) is None


def test_parse_retry_after_non_ascii_digit_is_none():
    assert parse_retry_after("²") is None


def test_parse_retry_after_imf_fixdate_ignores_the_local_time_zone(new_york_local_time):
    assert parse_retry_after("Wed, 25 Nov 2026 18:30:30 GMT", now=NOW.timestamp()) == 30.0


def test_parse_retry_after_asctime_date_is_gmt_whatever_the_local_zone(new_york_local_time):
    assert parse_retry_after("Wed Nov 25 18:30:30 2026", now=NOW.timestamp()) == 30.0


def test_429_with_retry_after_seconds_carries_it(client, transport):
    transport.reply(429, {"error": {"message": "Too many requests"}}, headers={"Retry-After": "2"})
    with pytest.raises(RetryableError) as caught:
        client.track_activity({})
    assert caught.value.status == 429
    assert caught.value.retry_after == 2.0


def test_503_with_retry_after_seconds_carries_it(client, transport):
    transport.reply(503, raw_body=b"maintenance", headers={"Retry-After": "7"})
    with pytest.raises(RetryableError) as caught:
        client.update_order("42", {})
    assert caught.value.status == 503
    assert caught.value.retry_after == 7.0


def test_503_with_retry_after_http_date_carries_the_remaining_seconds(client, transport):
    later = email.utils.formatdate(time.time() + 120, usegmt=True)
    transport.reply(503, headers={"Retry-After": later})
    with pytest.raises(RetryableError) as caught:
        client.create_order({})
    assert caught.value.retry_after is not None
    assert 110.0 <= caught.value.retry_after <= 120.0


def test_429_with_unparseable_retry_after_has_none(client, transport):
    transport.reply(429, headers={"Retry-After": "later please"})
    with pytest.raises(RetryableError) as caught:
        client.track_activity({})
    assert caught.value.retry_after is None


def test_429_with_non_ascii_digit_retry_after_is_still_retryable(client, transport):
    transport.reply(429, headers={"Retry-After": "²"})
    with pytest.raises(RetryableError) as caught:
        client.track_activity({})
    assert caught.value.retry_after is None
