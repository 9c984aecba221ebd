"""JSON control routes under /_sandbox/ for tests and local tinkering.

They need no API key: the sandbox is a localhost tool. They do refuse requests
that a browser sends from another origin, so a random web page cannot reset it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select

from loyaltylion_sandbox import (
    customers,
    drift,
    fulfilment,
    orders,
    program_settings,
    reqlog,
    rewards,
    subscriptions,
    webhooks,
)
from loyaltylion_sandbox.constants import DELIVERY_STATES, TOPIC_CUSTOMERS_UPDATE
from loyaltylion_sandbox.db import db
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.faults import parse_fault
from loyaltylion_sandbox.models import RequestLog, WebhookDelivery
from loyaltylion_sandbox.resources import customer_full, customer_resource, order_full
from loyaltylion_sandbox.runtime import runtime
from loyaltylion_sandbox.seed import reset_everything
from loyaltylion_sandbox.transactions import mutating, writing

bp = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")


@bp.before_request
def _same_origin_only() -> None:
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") != request.host_url.rstrip("/"):
        raise SandboxError(
            403,
            "Control routes only accept same-origin requests",
            {"Origin": [f"{origin} is not this sandbox"]},
        )


@bp.post("/reset")
def reset() -> Any:
    """Wipe every table, re-seed the program, clear faults and rate-limit windows."""
    reset_everything(current_app)
    return {"ok": True}


@bp.get("/requests")
def requests_log() -> Any:
    """The request log, newest first. Filters: path (prefix), method, verdict, limit."""
    stmt = select(RequestLog).order_by(RequestLog.id.desc())
    if request.args.get("path"):
        stmt = stmt.where(RequestLog.path.startswith(request.args["path"], autoescape=True))
    if request.args.get("method"):
        stmt = stmt.where(RequestLog.method == request.args["method"].upper())
    if request.args.get("verdict"):
        stmt = stmt.where(RequestLog.verdict == request.args["verdict"])
    limit = request.args.get("limit", "200")
    stmt = stmt.limit(int(limit) if limit.isdigit() else 200)
    entries = db.session.execute(stmt).scalars()
    return {"requests": [reqlog.entry_dict(e) for e in entries]}


@bp.get("/faults")
def get_faults() -> Any:
    return {"fault": runtime().faults.snapshot()}


@bp.post("/faults")
def set_faults() -> Any:
    """{"mode": "5xx"|"429"|"slow"|"drop", "count": N, "delay": s, "retry_after": s}."""
    fault = parse_fault(request.get_json(silent=True))
    runtime().faults.set(fault)
    return {"fault": runtime().faults.snapshot()}


@bp.delete("/faults")
def clear_faults() -> Any:
    runtime().faults.clear()
    return {"fault": None}


@bp.get("/settings")
def get_settings() -> Any:
    return {"settings": program_settings.current()}


@bp.post("/settings")
@mutating
def set_settings() -> Any:
    """A partial update, e.g. {"signup_points": 100}."""
    return {"settings": program_settings.update(request.get_json(silent=True))}


@bp.get("/customers/<merchant_id>")
def customer(merchant_id: str) -> Any:
    return customer_full(customers.require_customer(merchant_id))


@bp.get("/orders/<merchant_id>")
def order(merchant_id: str) -> Any:
    return order_full(orders.require_order(merchant_id))


@bp.post("/orders/<merchant_id>/drift")
@mutating
def drift_order(merchant_id: str) -> Any:
    """Change the stored order as LoyaltyLion's own admin would (no API call): any of
    payment_status, refund_status, cancellation_status, total, total_paid,
    total_refunded. Bumps updated_at and re-reconciles the points; the order's JSON."""
    found = orders.require_order(merchant_id)
    return order_full(drift.drift_order(found, request.get_json(silent=True)))


@bp.delete("/orders/<merchant_id>")
@mutating
def forget_order(merchant_id: str) -> Response:
    """As if LoyaltyLion never received the order: its points come back off; 204."""
    drift.forget_order(orders.require_order(merchant_id))
    return Response(status=204)


@bp.get("/rewards")
def list_rewards() -> Any:
    return {"rewards": [_reward_item(reward) for reward in rewards.all_rewards()]}


def _reward_item(reward: Any) -> dict[str, Any]:
    stock = rewards.stock(reward.id)
    item = {
        "id": reward.id,
        "title": reward.title,
        "point_cost": reward.point_cost,
        "discount_amount": reward.discount_amount,
        "kind": reward.kind,
        "codes": {
            "total": stock.total,
            "unused": stock.unused,
            "claimed": stock.claimed,
            "used": stock.used,
        },
    }
    if reward.kind == "custom":
        item["reward_identifier"] = reward.identifier
        item["fulfilment"] = rewards.fulfilment_counts(reward.id)
    return item


@bp.post("/rewards")
@mutating
def create_reward() -> tuple[Any, int]:
    """A new reward: {"title", "point_cost", "kind": "voucher" | "free_shipping" |
    "custom", "discount_amount"?, "description"?, "reward_identifier"?} -> 201 with it
    (as GET /_sandbox/rewards lists it). A pooled reward starts with no codes."""
    reward = rewards.create_reward(request.get_json(silent=True))
    return {"reward": _reward_item(reward)}, 201


@bp.get("/rewards/<int:reward_id>/codes")
def reward_codes(reward_id: int) -> Any:
    """The codes imported into a reward, in import order, each unused, claimed or used."""
    rewards.require_reward(reward_id)
    return {"codes": rewards.codes(reward_id)}


@bp.post("/rewards/<int:reward_id>/codes")
@mutating
def import_reward_codes(reward_id: int) -> tuple[Any, int]:
    """Codes as JSON {"codes": [...]}, a CSV upload (field "file"), or a CSV body."""
    if request.is_json:
        body = request.get_json(silent=True)
        codes = body.get("codes") if isinstance(body, dict) else None
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise SandboxError(
                400, 'Expected {"codes": ["...", ...]}', {"codes": ["must be a list of strings"]}
            )
    elif "file" in request.files:
        codes = rewards.parse_code_csv(request.files["file"].read().decode("utf-8-sig"))
    else:
        codes = rewards.parse_code_csv(request.get_data(as_text=True))
    result = rewards.import_codes(reward_id, codes)
    return result.as_dict(), 201


# -------------------------------------------------------------------------- webhooks


def _flag(name: str) -> bool:
    """A boolean option, from the query string or the JSON body."""
    body = request.get_json(silent=True)
    value = body.get(name) if isinstance(body, dict) else request.args.get(name)
    return value in (True, "1", "true", "yes")


@bp.get("/webhooks")
def list_webhooks() -> Any:
    """Deliveries, newest first. Filters: topic, state, limit (default 200)."""
    state = request.args.get("state") or None
    if state and state not in DELIVERY_STATES:
        raise SandboxError(
            400, "Unknown delivery state", {"state": [f"one of {', '.join(DELIVERY_STATES)}"]}
        )
    limit = request.args.get("limit", "200")
    found = webhooks.deliveries(
        topic=request.args.get("topic") or None,
        state=state,
        limit=int(limit) if limit.isdigit() else 200,
    )
    sender = runtime().sender
    return {
        "webhooks": [webhooks.delivery_dict(d) for d in found],
        "url": webhooks.webhook_url(),
        "sender": {"mode": current_app.config["SANDBOX_WEBHOOK_SENDER"], "running": sender.running},
    }


@bp.post("/webhooks/deliver")
def deliver_webhooks() -> Any:
    """Attempt every due delivery now, synchronously (`all`: not-yet-due ones too)."""
    attempted = webhooks.deliver_due(include_not_due=_flag("all"))
    return {"attempted": [webhooks.delivery_dict(d) for d in attempted]}


def _send_now(build: Callable[[], list[WebhookDelivery]]) -> tuple[Any, int]:
    """Queue webhooks (committed), attempt each at once, answer with the outcome.

    One that the store did not answer 2xx stays pending and is retried like any other.
    """
    with writing():
        ids = [delivery.id for delivery in build()]
    for delivery_id in ids:
        webhooks.deliver_now(delivery_id)  # one still pending: the sender takes over
    sent = [db.session.get(WebhookDelivery, delivery_id) for delivery_id in ids]
    if any(delivery is None for delivery in sent):  # a reset wiped it meanwhile
        raise SandboxError(409, "The delivery was wiped by a reset", {})
    found = [webhooks.delivery_dict(delivery) for delivery in sent if delivery is not None]
    return {"delivery": found[0], "deliveries": found}, 201


@bp.post("/rewards/<int:reward_id>/test-webhook")
def test_webhook(reward_id: int) -> tuple[Any, int]:
    """A `test: true` fulfilment webhook, as LoyaltyLion sends when a custom reward is
    saved. Optional {"customer": "<merchant_id>"} names a real customer in it."""
    reward = rewards.require_reward(reward_id)
    body = request.get_json(silent=True)
    merchant_id = body.get("customer") if isinstance(body, dict) else None
    customer = customers.require_customer(str(merchant_id)) if merchant_id else None
    return _send_now(lambda: [fulfilment.send_test_webhook(reward, customer)])


@bp.post("/customers/<merchant_id>/customers-update")
def customers_update(merchant_id: str) -> tuple[Any, int]:
    """A `customers/update` webhook carrying the customer resource, to every address
    subscribed to the topic (POST /v2/webhooks); 409 when none is.

    {"top_level": true} puts `customer` in the envelope itself, as the example in
    LoyaltyLion's docs does, instead of under `payload`.
    """
    customer = customers.require_customer(merchant_id)
    top_level = _flag("top_level")
    addresses = subscriptions.addresses_for(TOPIC_CUSTOMERS_UPDATE)
    if not addresses:
        raise SandboxError(
            409,
            "Nobody is subscribed to customers/update: subscribe with POST /v2/webhooks "
            "(the shop's `flask loyaltylion webhooks subscribe`)",
            {"topic": ["no subscription"]},
        )
    payload = {"customer": customer_resource(customer)}
    return _send_now(
        lambda: [
            webhooks.queue(TOPIC_CUSTOMERS_UPDATE, payload, url=address, top_level=top_level)
            for address in addresses
        ]
    )
