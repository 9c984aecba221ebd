"""JSON control routes under /_sandbox/ for tests and local tinkering.

They need no API key: the sandbox is a localhost tool. They do refuse requests
that a browser sends from another origin, so a random web page cannot reset it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from sqlalchemy import select

from storefront.sandbox import program, reqlog, rewards
from storefront.sandbox.api import mutating
from storefront.sandbox.db import db
from storefront.sandbox.errors import SandboxError
from storefront.sandbox.faults import parse_fault
from storefront.sandbox.models import RequestLog
from storefront.sandbox.resources import customer_full, order_full
from storefront.sandbox.runtime import runtime
from storefront.sandbox.seed import reset_everything

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
    return {"settings": program.settings()}


@bp.post("/settings")
@mutating
def set_settings() -> Any:
    """A partial update, e.g. {"signup_points": 100}."""
    return {"settings": program.update_settings(request.get_json(silent=True))}


@bp.get("/customers/<merchant_id>")
def customer(merchant_id: str) -> Any:
    return customer_full(program.require_customer(merchant_id))


@bp.get("/orders/<merchant_id>")
def order(merchant_id: str) -> Any:
    found = program.get_order(merchant_id)
    if found is None:
        raise SandboxError(404, f"Order {merchant_id} not found", {"merchant_id": ["not found"]})
    return order_full(found)


@bp.get("/rewards")
def list_rewards() -> Any:
    items = []
    for reward in rewards.all_rewards():
        stock = rewards.stock(reward.id)
        items.append(
            {
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
        )
    return {"rewards": items}


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
