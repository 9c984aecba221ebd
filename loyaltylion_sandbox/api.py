"""The Admin API subset under /v2/, strict about what it accepts.

Every request to /v2/... (including unknown paths) goes through `_gate`: injected
faults first (they stand for an outage, which happens before auth), then auth,
then the rate limit. Every answer is written to the request log by `reqlog.finish`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from sqlalchemy import select

from loyaltylion_sandbox import (
    activities,
    customers,
    ledger,
    orders,
    program_events,
    program_settings,
    reqlog,
    subscriptions,
)
from loyaltylion_sandbox.auth import authenticate
from loyaltylion_sandbox.db import db
from loyaltylion_sandbox.errors import SandboxError, envelope, error_response
from loyaltylion_sandbox.faults import Fault
from loyaltylion_sandbox.models import Activity, Customer, Order
from loyaltylion_sandbox.pagination import decode_cursor, page, parse_datetime, parse_limit
from loyaltylion_sandbox.resources import (
    activity_resource,
    claimed_reward_resource,
    customer_resource,
    order_detail,
    order_list_item,
)
from loyaltylion_sandbox.runtime import runtime
from loyaltylion_sandbox.schemas import unknown_fields, validate
from loyaltylion_sandbox.transactions import mutating

bp = Blueprint("sandbox_api", __name__, url_prefix="/v2")

API_PREFIX = "/v2/"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


# ----------------------------------------------------------------------------- gate


def _gate() -> Response | None:
    if not is_api_request():
        return None
    call = reqlog.begin()
    fault = runtime().faults.take("admin")
    if fault is not None:
        response = _apply_fault(fault)
        if response is not None:
            return response
    try:
        credential = authenticate()
    except SandboxError:
        call.auth_scheme = "invalid" if request.headers.get("Authorization") else "none"
        raise
    call.auth_scheme = credential.scheme
    if credential.scheme == "basic":
        call.warnings.append(
            "HTTP Basic (site token + secret) is deprecated: LoyaltyLion supports it until "
            "2027-01-10; use an API key as a Bearer token"
        )
    _check_site_id()
    wait = runtime().limiter.hit(credential.rate_key)
    if wait is not None:
        raise SandboxError(
            429,
            "Too many requests: the limit is "
            f"{runtime().limiter.limit} requests per second per API key",
            {"rate_limit": [f"retry after {wait} s"]},
            headers={"Retry-After": str(wait)},
        )
    return None


def _apply_fault(fault: Fault, bodies: dict[str, Any] | None = None) -> Response | None:
    """The faulted answer (None for "slow": it sleeps, then the request goes on).
    `bodies` replaces the JSON of the "429" and "5xx" answers (the Headless API's)."""
    call = reqlog.current() or reqlog.begin()
    if fault.mode == "slow":
        call.warnings.append(f"fault injected: slow ({fault.delay} s)")
        time.sleep(fault.delay)
        return None
    call.verdict = "fault"
    bodies = bodies or {}
    if fault.mode == "429":
        response = jsonify(
            bodies.get("429")
            or envelope("Too many requests (sandbox fault injection)", {"fault": ["429"]})
        )
        response.status_code = 429
        response.headers["Retry-After"] = str(fault.retry_after)
        return response
    if fault.mode == "5xx":
        response = jsonify(
            bodies.get("5xx")
            or envelope(
                "Service unavailable (sandbox fault injection: simulated outage)",
                {"fault": ["5xx"]},
            )
        )
        response.status_code = fault.status
        return response
    call.dropped = True
    return Response(_drop_connection(request.environ), status=200)


def _drop_connection(environ: dict[str, Any]) -> Iterator[bytes]:
    """A body that closes the socket before any byte of the answer is written.

    werkzeug sends the status line with the first body chunk, so raising here
    leaves the client with a closed connection and no answer at all; werkzeug
    treats ConnectionError as "client went away" and moves on quietly.
    """
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionAbortedError("sandbox fault injection: connection dropped")
    yield b""  # pragma: no cover  (makes this a generator)


# --------------------------------------------------------------------------- helpers


def _body(schema: str) -> dict[str, Any]:
    """The JSON body, validated against SCHEMAS[schema]; SandboxError(400) if not."""
    call = reqlog.current() or reqlog.begin()
    if not request.is_json:
        call.verdict = "invalid"
        call.errors = {"Content-Type": ["must be application/json"]}
        raise SandboxError(
            400, "Request body must be JSON (Content-Type: application/json)", call.errors
        )
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except ValueError as exc:
        call.verdict = "invalid"
        call.errors = {"body": [f"not valid JSON: {exc}"]}
        raise SandboxError(400, "Request body is not valid JSON", call.errors) from None
    errors = validate(schema, body)
    call.validated = True
    if errors:
        call.verdict = "invalid"
        call.errors = errors
        raise SandboxError(
            400, f"Invalid request: check {', '.join(sorted(errors))}", errors, verdict="invalid"
        )
    extra = unknown_fields(schema, body)
    if extra:
        call.warnings.append(f"fields not in the documented contract (ignored): {', '.join(extra)}")
    return body


def _warn(warnings: list[str]) -> None:
    call = reqlog.current()
    if call is not None:
        call.warnings.extend(warnings)


# The endpoints that document `?site_id=` ("Create the activity/order in the specified
# site. This is only required for programs that have multiple sites"): Create Activity
# and Create Order (and the Reviews API, not implemented here).
# https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
# https://developers.loyaltylion.com/api-reference/v2/resources/orders/create-order
SITE_ID_ENDPOINTS = ("sandbox_api.create_activity", "sandbox_api.create_order")


def _check_site_id() -> None:
    """`site_id` is a number, and only where documented. Sandbox choice: elsewhere it is
    a 400 rather than ignored, so a client that adds it everywhere is caught."""
    if "site_id" not in request.args:
        return
    call = reqlog.current() or reqlog.begin()
    if request.endpoint not in SITE_ID_ENDPOINTS:
        call.verdict = "invalid"
        call.errors = {"site_id": ["not a parameter of this endpoint"]}
        raise SandboxError(
            400,
            f"site_id is not a parameter of {request.method} {request.path}: LoyaltyLion "
            "documents it on create activity and create order only",
            call.errors,
            verdict="invalid",
        )
    if not request.args["site_id"].isdigit():
        call.verdict = "invalid"
        call.errors = {"site_id": [f"must be a number (got {request.args['site_id']!r})"]}
        raise SandboxError(400, "site_id must be a number", call.errors, verdict="invalid")


def _site_id() -> str | None:
    # Recorded on the activity or order; the sandbox has one site, so it changes nothing.
    return request.args.get("site_id")


def _empty(status: int) -> Response:
    return Response(status=status)


# -------------------------------------------------------------------------- identity


# https://developers.loyaltylion.com/api-reference/v2/resources/whoami
@bp.get("/identity/whoami")
def whoami() -> Any:
    call = reqlog.current()
    kind = "api_key" if call and call.auth_scheme == "bearer" else "token_secret"
    return {
        "identity": {
            "kind": kind,
            "account_id": 1,
            "program_id": 1,
            # A program setting (`api_key_scopes`), so a test can give the key fewer.
            "scopes": program_settings.current()["api_key_scopes"],
            "integration": None,
            "sandbox": True,
        }
    }


# ------------------------------------------------------------------------ activities


# https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
@bp.post("/activities")
@mutating
def create_activity() -> Response:
    body = _body("activity")
    _activity, warnings = activities.record_activity(body, _site_id())
    _warn(warnings)
    return _empty(201)


_ACTIVITY_DATE_FILTERS = {
    "created_at_min": (Activity.created_at, True),
    "created_at_max": (Activity.created_at, False),
}


# https://developers.loyaltylion.com/api-reference/v2/resources/activities/list-activities
@bp.get("/activities")
def list_activities() -> Any:
    """Newest first; filters since_id, created_at_min, created_at_max (the documented
    ones: there is no filter by merchant_id or customer)."""
    limit = parse_limit(request.args.get("limit"))
    cursor = decode_cursor(request.args["cursor"]) if request.args.get("cursor") else None
    filters = cursor["filters"] if cursor else _filters((*_ACTIVITY_DATE_FILTERS, "since_id"))
    stmt = _filtered(select(Activity), Activity, filters, _ACTIVITY_DATE_FILTERS)
    rows, cursors = page(Activity, stmt, limit=limit, cursor=cursor, filters=filters)
    return {"activities": [activity_resource(a) for a in rows], "cursor": cursors}


# https://developers.loyaltylion.com/api-reference/v2/resources/activities/update-activity
@bp.put("/activities/<name>/<merchant_id>")
@mutating
def update_activity(name: str, merchant_id: str) -> Response:
    body = _body("activity_state")
    activities.set_activity_state(name, merchant_id, body["state"])
    return _empty(204)


# ---------------------------------------------------------------------------- orders


# https://developers.loyaltylion.com/api-reference/v2/resources/orders/create-order
@bp.post("/orders")
@mutating
def create_order() -> Response:
    body = _body("order_create")
    _order, warnings = orders.create_order(body, _site_id())
    _warn(warnings)
    return _empty(201)


# https://developers.loyaltylion.com/api-reference/v2/resources/orders/update-order
@bp.put("/orders/<merchant_id>")
@mutating
def update_order(merchant_id: str) -> Response:
    body = _body("order_update")
    _order, warnings = orders.update_order(merchant_id, body)
    _warn(warnings)
    return _empty(204)


_ORDER_DATE_FILTERS = {
    "updated_at_min": (Order.updated_at, True),
    "updated_at_max": (Order.updated_at, False),
    "created_at_min": (Order.created_at, True),
    "created_at_max": (Order.created_at, False),
}
_ORDER_FILTERS = (*_ORDER_DATE_FILTERS, "since_id")


def _filters(names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.args[name] for name in names if request.args.get(name)}


def _filtered(stmt: Any, model: Any, filters: dict[str, str], dates: dict[str, Any]) -> Any:
    """A list endpoint's documented filters: date bounds (`dates` maps each filter to
    its column and whether it is a lower bound) and `since_id`."""
    for key, (column, at_least) in dates.items():
        when = parse_datetime(key, filters.get(key))
        if when is not None:
            stmt = stmt.where(column >= when if at_least else column <= when)
    if filters.get("since_id"):
        if not filters["since_id"].isdigit():
            raise SandboxError(400, "since_id must be an integer", {"since_id": ["not an integer"]})
        stmt = stmt.where(model.id > int(filters["since_id"]))
    return stmt


# https://developers.loyaltylion.com/api-reference/v2/resources/orders/list-orders
@bp.get("/orders")
def list_orders() -> Any:
    limit = parse_limit(request.args.get("limit"))
    cursor = decode_cursor(request.args["cursor"]) if request.args.get("cursor") else None
    filters = cursor["filters"] if cursor else _filters(_ORDER_FILTERS)
    # Orders forgotten with DELETE /_sandbox/orders/<merchant_id> were never received.
    known = select(Order).where(Order.forgotten_at.is_(None))
    stmt = _filtered(known, Order, filters, _ORDER_DATE_FILTERS)
    rows, cursors = page(Order, stmt, limit=limit, cursor=cursor, filters=filters)
    return {"orders": [order_list_item(o) for o in rows], "cursor": cursors}


# https://developers.loyaltylion.com/api-reference/v2/resources/orders/get-order
@bp.get("/orders/<merchant_id>")
def get_order(merchant_id: str) -> Any:
    return order_detail(orders.require_order(merchant_id))


# ------------------------------------------------------------------------- customers


# https://developers.loyaltylion.com/api-reference/v2/resources/customers/list-customers
@bp.get("/customers")
def list_customers() -> Any:
    limit = parse_limit(request.args.get("limit"))
    cursor = decode_cursor(request.args["cursor"]) if request.args.get("cursor") else None
    filters = cursor["filters"] if cursor else _filters(("email", "merchant_id"))
    stmt = select(Customer)
    if filters.get("email"):
        # Email addresses match case-insensitively.
        stmt = stmt.where(Customer.email.ilike(filters["email"]))
    if filters.get("merchant_id"):
        stmt = stmt.where(Customer.merchant_id == filters["merchant_id"])
    rows, cursors = page(Customer, stmt, limit=limit, cursor=cursor, filters=filters)
    return {"customers": [customer_resource(c) for c in rows], "cursor": cursors}


# https://developers.loyaltylion.com/api-reference/v2/resources/customers/update-customer
@bp.patch("/customers/<merchant_id>")
@mutating
def update_customer(merchant_id: str) -> Any:
    body = _body("customer_update")
    customer = customers.require_customer(merchant_id)
    _warn(customers.update_customer(customer, body["customer"]))
    db.session.flush()
    return {"customer": customer_resource(customer)}


# https://developers.loyaltylion.com/api-reference/v2/resources/customers/add-points
@bp.post("/customers/<merchant_id>/points")
@mutating
def add_points(merchant_id: str) -> Response:
    body = _body("points_add")
    customer = customers.require_customer(merchant_id)
    ledger.add_points(customer, int(body["points"]), body.get("reason"))
    return _empty(201)


# https://developers.loyaltylion.com/api-reference/v2/resources/customers/remove-points
@bp.post("/customers/<merchant_id>/remove_points")
@mutating
def remove_points(merchant_id: str) -> Response:
    body = _body("points_remove")
    customer = customers.require_customer(merchant_id)
    ledger.remove_points(customer, int(body["points"]), body.get("reason"))
    return _empty(204)


# https://developers.loyaltylion.com/api-reference/v2/resources/customers/rewards/redeem-reward
@bp.post("/customers/<merchant_id>/claimed_rewards")
@mutating
def claim_reward(merchant_id: str) -> Any:
    body = _body("claimed_reward")
    customer = customers.require_customer(merchant_id)
    claimed = program_events.claim(customer, int(body["reward_id"]), source="api")
    return {"claimed_reward": claimed_reward_resource(claimed)}, 201


# -------------------------------------------------------------------------- webhooks


# https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/list-webhooks
@bp.get("/webhooks")
def list_webhooks() -> Any:
    found = subscriptions.all_subscriptions()
    return {"webhooks": [subscriptions.subscription_resource(s) for s in found]}


# https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/create-webhook
@bp.post("/webhooks")
@mutating
def create_webhook() -> Any:
    body = _body("webhook_create")
    subscription, warnings = subscriptions.create(body)
    _warn(warnings)
    return {"webhook": subscriptions.subscription_resource(subscription)}, 201


# https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/delete-webhook
@bp.delete("/webhooks/<int:webhook_id>")
@mutating
def delete_webhook(webhook_id: int) -> Response:
    subscriptions.delete(webhook_id)
    return _empty(204)


# --------------------------------------------------------------------------- wiring


def _api_error(error: SandboxError) -> Response:
    call = reqlog.current()
    if call is not None:
        call.verdict = call.verdict or error.verdict
        if not call.errors:
            call.errors = error.details
    return error_response(error)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_gate)
    app.register_error_handler(SandboxError, _api_error)
