"""/healthz and /metrics: what a load balancer and Prometheus ask the shop.

/healthz answers 200 while the database answers, 503 otherwise: a web process that
cannot reach its database should be taken out of rotation, nothing more (LoyaltyLion
being down is not the shop's ill health: the outbox waits it out).

/metrics is off (404) unless METRICS_TOKEN is set; then it wants
`Authorization: Bearer <METRICS_TOKEN>` (401 otherwise), as Prometheus sends with
`authorization: {credentials: ...}` in its scrape config. It shows LoyaltyLion delivery
figures and the outbox's depth (storefront/loyaltylion/metrics.py).
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storefront.extensions import db
from storefront.loyaltylion import metrics

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        log.error("Health check: the database did not answer: %s", error.__class__.__name__)
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/metrics")
def prometheus_metrics():
    token = current_app.config.get("METRICS_TOKEN") or ""
    if not token:
        abort(404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        return Response(
            "A bearer token is required.\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain"},
        )
    body, content_type = metrics.exposition(db.session)
    return Response(body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"})
