"""The browser side: the endpoints the SDK stand-in calls (its scripts: sdk_scripts.py).

POST /sdk/session     {token, customer?, auth?} -> program state (+ session token)
GET  /sdk/state       Bearer <session token> -> program state
POST /sdk/claim       Bearer <session token>, {reward_id} -> claimed code + state

The JSON endpoints answer cross-origin requests from the configured shop origin
only (SANDBOX_SHOP_ORIGIN); requests without an Origin header (curl, tests) pass.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from loyaltylion_sandbox import customers, program_events, reqlog
from loyaltylion_sandbox.customer_auth import check_customer_auth, issue_session, read_session
from loyaltylion_sandbox.errors import SandboxError, envelope
from loyaltylion_sandbox.resources import claimed_reward_resource, sdk_state
from loyaltylion_sandbox.transactions import mutating

bp = Blueprint("sandbox_sdk", __name__, url_prefix="/sdk")

ALLOWED_METHODS = ("GET", "POST")
ALLOWED_HEADERS = "Content-Type, Authorization"


def shop_origin() -> str:
    return current_app.config["SANDBOX_SHOP_ORIGIN"].rstrip("/")


def _origin_allowed(origin: str) -> bool:
    return origin.rstrip("/") == shop_origin()


def _forbidden_origin(origin: str) -> Response:
    response = jsonify(
        envelope(
            f"Origin {origin} is not allowed: the sandbox SDK answers {shop_origin()} only "
            "(set SANDBOX_SHOP_ORIGIN)",
            {"Origin": ["not the configured shop origin"]},
        )
    )
    response.status_code = 403
    return response


@bp.before_request
def _cors_gate() -> Response | None:
    return cors_gate(ALLOWED_HEADERS)


def cors_gate(allowed_headers: str) -> Response | None:
    """CORS for the configured shop origin only: answer preflights (403 for another
    origin or method), refuse cross-origin requests from elsewhere, log the call. Also
    the Headless API's gate (headless.py), with its own allowed headers."""
    origin = request.headers.get("Origin")
    if request.method == "OPTIONS":
        wanted = request.headers.get("Access-Control-Request-Method", "")
        if not origin or not _origin_allowed(origin) or wanted not in ALLOWED_METHODS:
            return _forbidden_origin(origin or "(none)")
        response = Response(status=204)
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
        response.headers["Access-Control-Allow-Headers"] = allowed_headers
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"
        return response
    call = reqlog.begin()
    if origin and not _origin_allowed(origin):
        call.verdict = "rejected"
        call.errors = {"Origin": [f"{origin} is not the configured shop origin"]}
        return _forbidden_origin(origin)
    return None


@bp.after_request
def _cors_headers(response: Response) -> Response:
    return cors_headers(response)


def cors_headers(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if origin and _origin_allowed(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers.add("Vary", "Origin")
    return response


def _json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise SandboxError(400, "Body must be a JSON object", {"body": ["must be a JSON object"]})
    return body


def _session_customer():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    merchant_id = read_session(token.strip()) if scheme.lower() == "bearer" else None
    customer = customers.get_customer(merchant_id) if merchant_id else None
    if customer is None:
        raise SandboxError(
            401,
            "SDK session missing, expired or unknown: authenticate the customer again",
            {"Authorization": ["send Bearer <session_token> from POST /sdk/session"]},
        )
    return customer


def _auth_problem(customer: Any, auth: Any) -> str | None:
    if not isinstance(customer, dict) or not isinstance(auth, dict):
        return "customer and auth must be objects: {id, email} and {date, token}"
    if not isinstance(customer.get("id"), str | int) or customer.get("id") in ("", None):
        return "customer.id is missing"
    if not isinstance(customer.get("email"), str) or not customer["email"]:
        return "customer.email is missing"
    if not isinstance(auth.get("date"), str) or not isinstance(auth.get("token"), str):
        return "auth.date and auth.token must be strings"
    return None


@bp.post("/session")
@mutating
def session() -> Any:
    """Check the site token and, if a customer is given, their auth token."""
    body = _json_object()
    if body.get("token") != current_app.config["SANDBOX_SITE_TOKEN"]:
        raise SandboxError(401, "Unknown site token", {"token": ["not this sandbox's site token"]})
    answer: dict[str, Any] = {"authenticated": False, "auth_error": None, "session_token": None}
    customer_data, auth = body.get("customer"), body.get("auth")
    if customer_data is None and auth is None:
        return {**answer, "state": sdk_state(None)}

    problem = _auth_problem(customer_data, auth)
    if problem is None:
        problem = check_customer_auth(
            str(customer_data["id"]),
            customer_data["email"],
            auth["date"],
            auth["token"],
            secret=current_app.config["SANDBOX_SITE_SECRET"],
            window_seconds=int(current_app.config["SANDBOX_AUTH_WINDOW_SECONDS"]),
        )
    if problem is not None:
        message = f"customer authentication failed: {problem}"
        call = reqlog.current()
        if call is not None:
            call.verdict = "rejected"
            call.errors = {"auth": [problem]}
        # The shopper stays a guest; the page keeps working.
        return {**answer, "auth_error": message, "state": sdk_state(None)}

    customer = customers.ensure_customer(str(customer_data["id"]), customer_data["email"], "sdk")
    customers.enroll(customer)
    return {
        "authenticated": True,
        "auth_error": None,
        "session_token": issue_session(customer.merchant_id),
        "state": sdk_state(customer),
    }


@bp.get("/state")
def state() -> Any:
    return {"state": sdk_state(_session_customer())}


@bp.post("/claim")
@mutating
def claim() -> Any:
    customer = _session_customer()
    body = _json_object()
    reward_id = body.get("reward_id")
    if not isinstance(reward_id, int) or isinstance(reward_id, bool):
        raise SandboxError(400, "reward_id must be an integer", {"reward_id": ["not an integer"]})
    claimed = program_events.claim(customer, reward_id, source="sdk")
    return {"claimed_reward": claimed_reward_resource(claimed), "state": sdk_state(customer)}, 201
