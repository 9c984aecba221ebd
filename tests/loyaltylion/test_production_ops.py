"""Operating the integration in production: prune, /metrics, /healthz, the delivery
log line and the shared budget's 429 pause (storefront/loyaltylion/ and
storefront/ops/)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from storefront.extensions import db
from storefront.loyaltylion import outbox
from storefront.loyaltylion.models import (
    DEAD,
    DELIVERED,
    KIND_ACTIVITY,
    KIND_ORDER_CREATE,
    KIND_ORDER_UPDATE,
    PENDING,
    SUPERSEDED,
    OutboxEvent,
    utcnow,
)
from storefront.loyaltylion.ratelimit import SharedRatePacer
from tests.delivery import drain

OLD = utcnow() - timedelta(days=40)


def add(kind: str, stream: str, status: str, created_at=OLD) -> int:
    event = outbox.enqueue(db.session, kind=kind, stream=stream, payload={"n": 1})
    event.status = status
    event.created_at = created_at
    db.session.flush()
    return event.id


def test_prune_deletes_old_settled_events_and_keeps_what_the_order_page_reads(app, runner):
    with app.app_context():
        db.session.execute(db.delete(OutboxEvent))
        gone = [
            add(KIND_ACTIVITY, "activity:a/1", DELIVERED),
            add(KIND_ACTIVITY, "activity:a/2", SUPERSEDED),
            add(KIND_ORDER_UPDATE, "order:7", DELIVERED),  # a later update exists
        ]
        kept = [
            add(KIND_ORDER_CREATE, "order:7", DELIVERED),  # the order's newest create
            add(KIND_ORDER_UPDATE, "order:7", DELIVERED),  # and newest update
            add(KIND_ACTIVITY, "activity:a/3", PENDING),  # never delivered
            add(KIND_ACTIVITY, "activity:a/4", DEAD),  # waiting for an admin
            add(KIND_ACTIVITY, "activity:a/5", DELIVERED, created_at=utcnow()),  # recent
        ]
        db.session.commit()

    result = runner.invoke(
        args=["loyaltylion", "prune", "--older-than", "30d", "--batch-size", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "Deleted 3 delivered event(s)" in result.output
    with app.app_context():
        left = set(db.session.execute(select(OutboxEvent.id)).scalars())
    assert left == set(kept)
    assert not left & set(gone)

    again = runner.invoke(args=["loyaltylion", "prune", "--older-than", "30d"])
    assert "Deleted 0 delivered event(s)" in again.output


@pytest.mark.parametrize("age", ["30", "d", "-3d", "3w", "1234567d", ""])
def test_prune_refuses_an_age_it_cannot_read(runner, age):
    result = runner.invoke(args=["loyaltylion", "prune", "--older-than", age])
    assert result.exit_code == 2
    assert "write a whole number and d, h or m" in result.output


def test_healthz_answers_while_the_database_does(client, app, monkeypatch):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}

    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_metrics_are_off_unless_a_token_is_set(client):
    assert client.get("/metrics").status_code == 404


@pytest.fixture
def metrics_client(app):
    app.config["METRICS_TOKEN"] = "scrape-token"
    return app.test_client()


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", "Basic c2NyYXBlLXRva2Vu", "scrape-token"]
)
def test_metrics_want_the_bearer_token(metrics_client, header):
    headers = {"Authorization": header} if header else {}
    response = metrics_client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert b"loyaltylion" not in response.data


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if (
            line.startswith(name + " ")
            or line.startswith(name + "{")
            and line.split(" ")[0] == name
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_show_the_queue_and_the_deliveries(app, auth, metrics_client, recording):
    auth.signup("metrics@example.com")  # queues a $signup
    bearer = {"Authorization": "Bearer scrape-token"}
    before = metrics_client.get("/metrics", headers=bearer).get_data(as_text=True)
    assert metrics_client.get("/metrics", headers=bearer).content_type.startswith("text/plain")
    assert metric(before, 'loyaltylion_outbox_events{status="pending"}') >= 1
    assert metric(before, "loyaltylion_outbox_oldest_pending_age_seconds") >= 0
    delivered = 'loyaltylion_deliveries_total{outcome="delivered",status="2xx"}'
    limited = "loyaltylion_rate_limited_total"

    recording.fail_next("429", 1, retry_after=1)
    drain(app)  # the 429: retried later
    drain(app, ahead=timedelta(hours=1))  # that later
    after = metrics_client.get("/metrics", headers=bearer).get_data(as_text=True)
    assert metric(after, 'loyaltylion_outbox_events{status="pending"}') == 0
    assert metric(after, delivered) > metric(before, delivered)
    assert metric(after, limited) == metric(before, limited) + 1
    assert metric(after, 'loyaltylion_deliveries_total{outcome="retried",status="429"}') >= 1
    assert metric(after, "loyaltylion_delivery_latency_seconds_count") > 0
    assert metric(after, 'loyaltylion_outbox_events{status="dead"}') == 0


def test_each_delivery_logs_one_line_with_ids_and_no_personal_data(app, auth, caplog):
    auth.signup("private.person@example.com")
    with caplog.at_level(logging.INFO, logger="storefront.loyaltylion.outbox"):
        drain(app)
    lines = [r.getMessage() for r in caplog.records if "delivery event=" in r.getMessage()]
    assert lines, caplog.text
    line = next(line for line in lines if "kind=activity" in line)
    for field in (
        "event=",
        "kind=activity",
        "stream=customer:",
        "outcome=delivered",
        "status=2xx",
        "latency_ms=",
    ):
        assert field in line
    assert "private" not in caplog.text and "@" not in "\n".join(lines)


def test_a_429_seen_by_one_worker_pauses_every_worker_sharing_the_budget(app):
    waits: list[float] = []
    with app.app_context():
        first = SharedRatePacer(db.engine, 20)
        second = SharedRatePacer(db.engine, 20, sleep=waits.append)
        first.acquire()
        first.pause(3.0)  # the API answered 429 with Retry-After: 3
        second.acquire()
    assert waits and 2.5 < waits[0] <= 3.1


def test_the_shared_budget_spaces_requests_across_pacers(app):
    waits: list[float] = []
    with app.app_context():
        pacers = [
            SharedRatePacer(db.engine, 10, sleep=waits.append, clock=lambda: 1000.0)
            for _ in range(3)
        ]
        for _ in range(2):
            for pacer in pacers:
                pacer.acquire()
    # Six requests at one instant, from three pacers: 0, 0.1, ... 0.5 s apart.
    assert waits == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
