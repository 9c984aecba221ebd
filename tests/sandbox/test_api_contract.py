"""The Admin API subset over real HTTP: what it accepts, what it rejects and how."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from .support import SandboxClient, order_body, order_state


def _setup_customer(client: SandboxClient) -> None:
    client.signup("42")  # 200 points


def _setup_rich_customer(client: SandboxClient) -> None:
    client.signup("42")
    assert client.api("POST", "/v2/customers/42/points", {"points": 1000}).status_code == 201


def _setup_order(client: SandboxClient) -> None:
    client.create_order("1001", "42")


def _setup_review(client: SandboxClient) -> None:
    body = {
        "name": "product_review",
        "customer_id": "42",
        "customer_email": "42@example.com",
        "merchant_id": "review-7",
        "guest": False,
    }
    assert client.api("POST", "/v2/activities", body).status_code == 201


@dataclass
class Endpoint:
    id: str
    method: str
    path: str
    body: dict[str, Any]
    status: int
    # From the reference: the fields a request must carry.
    required: tuple[str, ...]
    # One wrongly typed value per field.
    mistyped: dict[str, Any] = field(default_factory=dict)
    setup: Callable[[SandboxClient], None] | None = None


ENDPOINTS = [
    Endpoint(
        "create-activity",
        "POST",
        "/v2/activities",
        {
            "name": "$signup",
            "customer_id": "42",
            "customer_email": "ada@example.com",
            "merchant_id": "signup-42",
            "date": "2026-11-25T18:30:00Z",
            "ip_address": "203.0.113.9",
            "user_agent": "Mozilla/5.0",
            "referral_id": "NOPE1234",
            "tracking_id": "email-7",
            "properties": {"source": "test"},
            "guest": False,
        },
        201,
        required=("name", "customer_id", "customer_email"),
        mistyped={
            "name": 7,
            "customer_id": True,
            "customer_email": "not-an-email",
            "guest": "false",
            "date": "25/11/2026",
            "properties": "x",
        },
    ),
    Endpoint(
        "update-activity",
        "PUT",
        "/v2/activities/product_review/review-7",
        {"state": "approved"},
        204,
        required=("state",),
        mistyped={"state": "pending"},
        setup=_setup_review,
    ),
    Endpoint(
        "create-order",
        "POST",
        "/v2/orders",
        order_body(
            "1001",
            "42",
            total_paid="0.00",
            merchant_number="#1001",
            discount_codes=[{"code": "WELCOME", "amount": "5.00"}],
            claimed_reward_ids=[],
            date="2026-11-25T18:30:00Z",
            ip_address="203.0.113.9",
            user_agent="Mozilla/5.0",
            referral_id="NOPE1234",
            tracking_id="email-7",
            guest=False,
        ),
        201,
        required=(
            "merchant_id",
            "customer_id",
            "customer_email",
            "total",
            "total_shipping",
            "payment_status",
        ),
        mistyped={
            "merchant_id": 1001,
            "customer_id": 42,
            "customer_email": 42,
            "total": 59.95,
            "total_shipping": "5,95",
            "payment_status": "unpaid",
            "total_paid": "1,234.50",
            "discount_codes": {"code": "WELCOME", "amount": "5.00"},
            "claimed_reward_ids": ["1"],
            "guest": "no",
        },
    ),
    Endpoint(
        "update-order",
        "PUT",
        "/v2/orders/1001",
        order_state(),
        204,
        required=(
            "payment_status",
            "refund_status",
            "cancellation_status",
            "total_paid",
            "total_refunded",
        ),
        mistyped={
            "payment_status": "done",
            "refund_status": True,
            "cancellation_status": "canceled",
            "total_paid": 59.95,
            "total_refunded": "12.345",
        },
        setup=_setup_order,
    ),
    Endpoint(
        "add-points",
        "POST",
        "/v2/customers/42/points",
        {"points": 50, "reason": "Goodwill"},
        201,
        required=("points",),
        mistyped={"points": "50", "reason": 5},
        setup=_setup_customer,
    ),
    Endpoint(
        "remove-points",
        "POST",
        "/v2/customers/42/remove_points",
        {"points": 50, "reason": "Correction"},
        204,
        required=("points",),
        mistyped={"points": 0},
        setup=_setup_customer,
    ),
    Endpoint(
        "claim-reward",
        "POST",
        "/v2/customers/42/claimed_rewards",
        {"reward_id": 1},
        201,
        required=("reward_id",),
        mistyped={"reward_id": "1"},
        setup=_setup_rich_customer,
    ),
    Endpoint(
        "update-customer",
        "PATCH",
        "/v2/customers/42",
        {"customer": {"birthday": "1990-07-14", "blocked": False}},
        200,
        required=("customer",),
        mistyped={"customer": "1990-07-14"},
        setup=_setup_customer,
    ),
]

BY_ID = {e.id: e for e in ENDPOINTS}


def _prepare(client: SandboxClient, endpoint: Endpoint) -> None:
    if endpoint.setup:
        endpoint.setup(client)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_a_valid_documented_payload_is_accepted(sandbox: SandboxClient, endpoint: Endpoint) -> None:
    _prepare(sandbox, endpoint)
    response = sandbox.api(endpoint.method, endpoint.path, endpoint.body)
    assert response.status_code == endpoint.status, response.text
    entry = sandbox.log(endpoint.path)[0]
    assert (entry["method"], entry["verdict"], entry["errors"]) == (endpoint.method, "valid", {})


@pytest.mark.parametrize(
    ("endpoint", "missing"),
    [(e, f) for e in ENDPOINTS for f in e.required],
    ids=lambda v: v if isinstance(v, str) else v.id,
)
def test_each_missing_required_field_is_rejected_by_name(
    sandbox: SandboxClient, endpoint: Endpoint, missing: str
) -> None:
    _prepare(sandbox, endpoint)
    body = {k: v for k, v in endpoint.body.items() if k != missing}
    response = sandbox.api(endpoint.method, endpoint.path, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"] == {missing: ["is required"]}
    assert missing in error["message"]
    entry = sandbox.log(endpoint.path)[0]
    assert entry["verdict"] == "invalid"
    assert entry["errors"] == {missing: ["is required"]}


@pytest.mark.parametrize(
    ("endpoint", "field_name"),
    [(e, f) for e in ENDPOINTS for f in e.mistyped],
    ids=lambda v: v if isinstance(v, str) else v.id,
)
def test_each_mistyped_field_is_rejected_by_name(
    sandbox: SandboxClient, endpoint: Endpoint, field_name: str
) -> None:
    _prepare(sandbox, endpoint)
    body = {**endpoint.body, field_name: endpoint.mistyped[field_name]}
    response = sandbox.api(endpoint.method, endpoint.path, body)
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert list(details) == [field_name]
    assert details[field_name] and all(isinstance(m, str) for m in details[field_name])


@pytest.mark.parametrize(
    ("field_name", "value", "words"),
    [
        ("total", 59.95, "decimal string"),
        ("total", "1,234.50", "no thousands separator"),
        ("total_shipping", "5.955", "at most 2 decimals"),
        ("discount_codes", {"code": "SAVE5", "amount": "5.00"}, "single object is not accepted"),
        ("discount_codes", [{"code": "SAVE5", "amount": 5.0}], "discount_codes[0].amount"),
    ],
)
def test_order_money_and_discount_codes_are_strict(
    sandbox: SandboxClient, field_name: str, value: Any, words: str
) -> None:
    response = sandbox.api("POST", "/v2/orders", order_body("1001", "42", **{field_name: value}))
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert list(details) == [field_name]
    assert words in details[field_name][0]
    # Rejected means not recorded.
    assert sandbox.api("GET", "/v2/orders/1001").status_code == 404


def test_unknown_fields_are_accepted_and_flagged_in_the_log(sandbox: SandboxClient) -> None:
    body = order_body("1001", "42", guest=False, shipping_method="ups")
    assert sandbox.api("POST", "/v2/orders", body).status_code == 201
    entry = sandbox.log("/v2/orders")[0]
    assert entry["verdict"] == "valid"
    assert any("shipping_method" in w for w in entry["warnings"])


def test_a_body_that_is_not_json_is_rejected(sandbox: SandboxClient) -> None:
    response = sandbox.api(
        "POST", "/v2/orders", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "body" in response.json()["error"]["details"]

    form = sandbox.api("POST", "/v2/orders", data={"merchant_id": "1"})
    assert form.status_code == 400
    assert form.json()["error"]["details"] == {"Content-Type": ["must be application/json"]}


# ------------------------------------------------------------------------- auth

AUTH_CASES = {
    "missing": {},
    "wrong-key": {"Authorization": "Bearer not_the_key"},
    "empty-bearer": {"Authorization": "Bearer "},
    "other-scheme": {"Authorization": "Token sandbox_api_key"},
    "wrong-basic": {
        "Authorization": "Basic " + base64.b64encode(b"sandbox_site_token:nope").decode()
    },
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
@pytest.mark.parametrize("case", list(AUTH_CASES))
def test_a_wrong_or_missing_key_gets_401_with_the_envelope(
    sandbox: SandboxClient, endpoint: Endpoint, case: str
) -> None:
    response = sandbox.http.request(
        endpoint.method,
        sandbox.url + endpoint.path,
        json=endpoint.body,
        headers=AUTH_CASES[case],
        timeout=10,
    )
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["message"].startswith("Unauthorized")
    assert list(error["details"]) == ["Authorization"]
    # Nothing was recorded.
    assert sandbox.control("GET", "/customers/42").status_code == 404


@pytest.mark.parametrize("path", ["/v2/identity/whoami", "/v2/orders", "/v2/customers"])
def test_reads_need_the_key_too(sandbox: SandboxClient, path: str) -> None:
    response = sandbox.http.get(sandbox.url + path, timeout=10)
    assert response.status_code == 401
    assert "error" in response.json()


def test_whoami_confirms_a_working_key(sandbox: SandboxClient) -> None:
    response = sandbox.api("GET", "/v2/identity/whoami")
    assert response.status_code == 200
    assert response.json()["identity"]["kind"] == "api_key"


def test_legacy_basic_auth_works_with_a_deprecation_warning(sandbox: SandboxClient) -> None:
    response = sandbox.http.get(
        sandbox.url + "/v2/identity/whoami",
        auth=("sandbox_site_token", "sandbox_site_secret"),
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["identity"]["kind"] == "token_secret"
    entry = sandbox.log("/v2/identity/whoami")[0]
    assert entry["auth_scheme"] == "basic"
    assert any("deprecated" in w for w in entry["warnings"])


def test_the_log_never_holds_credentials(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.http.get(
        sandbox.url + "/v2/identity/whoami",
        auth=("sandbox_site_token", "sandbox_site_secret"),
        timeout=10,
    )
    sandbox.http.get(sandbox.url + "/v2/orders", headers={"Authorization": "Bearer leaked_key"})
    dumped = json.dumps(sandbox.log())
    basic = base64.b64encode(b"sandbox_site_token:sandbox_site_secret").decode()
    for secret in ("sandbox_api_key", "leaked_key", "sandbox_site_secret", basic):
        assert secret not in dumped
    assert {e["auth_scheme"] for e in sandbox.log()} == {"bearer", "basic", "invalid"}


# ---------------------------------------------------------------- order lifecycle


def test_updating_an_order_before_creating_it_is_404(sandbox: SandboxClient) -> None:
    response = sandbox.update_order("never-created")
    assert response.status_code == 404
    error = response.json()["error"]
    assert "POST /v2/orders" in error["message"]
    assert error["details"] == {"merchant_id": ["not found"]}


def test_changing_an_unknown_activity_is_404(sandbox: SandboxClient) -> None:
    response = sandbox.api("PUT", "/v2/activities/product_review/nope", {"state": "approved"})
    assert response.status_code == 404
    assert response.json()["error"]["details"] == {"merchant_id": ["not found"]}


def test_a_duplicate_order_create_is_400_and_changes_nothing(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42", total="59.95")
    before_order = sandbox.control("GET", "/orders/1001").json()
    before_customer = sandbox.customer("42")

    again = order_body("1001", "42", total="999.00", payment_status="paid")
    response = sandbox.api("POST", "/v2/orders", again)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": "An order with merchant_id 1001 already exists",
            "details": {"merchant_id": ["already exists"]},
        }
    }
    assert sandbox.control("GET", "/orders/1001").json() == before_order
    assert sandbox.customer("42") == before_customer
    assert sandbox.log("/v2/orders")[0]["verdict"] == "rejected"


def test_get_order_answers_the_documented_shape(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42")
    sandbox.update_order("1001", total_paid="59.95")
    order = sandbox.api("GET", "/v2/orders/1001").json()
    assert {
        "cancellation_status": "not_cancelled",
        "merchant_id": "1001",
        "payment_status": "paid",
        "refund_status": "not_refunded",
        "total_paid": "59.95",
        "total_shipping": "5.95",
        "total": "59.95",
    }.items() <= order.items()
    assert {"merchant_created_at", "merchant_updated_at", "payments", "refunds"} <= set(order)
    missing = sandbox.api("GET", "/v2/orders/nope")
    assert missing.status_code == 404
    assert "error" in missing.json()


def test_site_id_is_accepted_and_recorded(sandbox: SandboxClient) -> None:
    response = sandbox.api("POST", "/v2/orders?site_id=7", order_body("1001", "42"))
    assert response.status_code == 201
    entry = sandbox.log("/v2/orders")[0]
    assert (entry["site_id"], entry["query"]) == ("7", "site_id=7")
    assert sandbox.control("GET", "/orders/1001").json()["site_id"] == "7"
    signup = {"name": "$signup", "customer_id": "42", "customer_email": "a@b.c", "guest": False}
    assert sandbox.api("POST", "/v2/activities?site_id=7", signup).status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/v2/orders/1001?site_id=7", None),
        ("GET", "/v2/orders/1001?site_id=7", None),
        ("PATCH", "/v2/customers/42?site_id=7", {"customer": {"birthday": "1990-07-14"}}),
        ("PUT", "/v2/activities/product_review/r-1?site_id=7", {"state": "approved"}),
        ("GET", "/v2/identity/whoami?site_id=7", None),
    ],
)
def test_site_id_where_the_docs_do_not_have_it_is_a_400(
    sandbox: SandboxClient, method: str, path: str, body: Any
) -> None:
    # Documented on create activity and create order only: a client that adds it to
    # every call is caught here (the real API's answer is not documented).
    response = sandbox.api(method, path, body)
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"site_id": ["not a parameter of this endpoint"]}


def test_site_id_is_a_number(sandbox: SandboxClient) -> None:
    response = sandbox.api("POST", "/v2/orders?site_id=main", order_body("1001", "42"))
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["site_id"]


def test_unknown_api_paths_answer_the_envelope(sandbox: SandboxClient) -> None:
    response = sandbox.api("POST", "/v2/orders/1001/paid", {})
    assert response.status_code in (404, 405)
    assert "error" in response.json()
    assert sandbox.log("/v2/orders/1001/paid")[0]["response_status"] == response.status_code


def test_the_log_records_payload_status_and_verdict(sandbox: SandboxClient) -> None:
    body = order_body("1001", "42", total=59.95)
    sandbox.api("POST", "/v2/orders", body)
    entry = sandbox.log("/v2/orders")[0]
    assert json.loads(entry["request_body"]) == body
    assert entry["response_status"] == 400
    assert json.loads(entry["response_body"])["error"]["details"].keys() == {"total"}
    assert entry["verdict"] == "invalid"
    assert entry["created_at"].endswith("Z")
