"""LoyaltyLion down, slow or unreachable: shoppers never notice and no event is lost.

The background worker runs for real (threads, real HTTP) while 25 customers each sign
up and check out. Each shopper request must finish well inside the API's delay, which
it could not if anything called the API in the request. After recovery every event
arrives, in order per order, and no order is created twice.
"""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.loyalty import loyaltylion
from storefront.loyaltylion.models import DELIVERED, OutboxEvent
from tests.conftest import place_order, product_id
from tests.delivery import drain

CUSTOMERS = 25  # 25 signups + 25 checkouts = 50 shopper actions
API_DELAY = 3.0  # how slow the "slow" API is; the client's read timeout is 1 s
SHOPPER_BOUND = 1.5  # a request that waited for the API could not finish inside this


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("outage", ["503", "slow", "refused"])
def test_outage_never_slows_shoppers_and_loses_nothing(app, recording, outage):
    if outage == "refused":
        app.config["LOYALTYLION_API_URL"] = f"http://127.0.0.1:{_closed_port()}"
    elif outage == "slow":
        recording.fail_next("slow", 10_000, delay=API_DELAY)
    else:
        recording.fail_next("503", 10_000)
    loyaltylion.ensure_worker(app)  # delivering, and failing, the whole time

    slowest = 0.0
    for n in range(CUSTOMERS):
        client = app.test_client()
        response, took = _timed(
            client.post,
            "/signup",
            data={"email": f"shopper{n}@example.com", "password": "a-good-password-1"},
        )
        assert response.status_code == 302
        slowest = max(slowest, took)
        client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
        response, took = _timed(place_order, client)
        assert response.status_code == 302
        assert "/checkout/confirmation/" in response.headers["Location"]
        slowest = max(slowest, took)
    assert slowest < SHOPPER_BOUND, f"a shopper request took {slowest:.2f}s"
    assert loyaltylion.worker.running

    # Recovery: the API answers again; the worker stops and a final drain catches up.
    loyaltylion.stop_worker()
    recording.clear_faults()
    app.config["LOYALTYLION_API_URL"] = recording.server.url
    drain(app, ahead=timedelta(hours=2))

    with app.app_context():
        events = list(db.session.execute(select(OutboxEvent).order_by(OutboxEvent.id)).scalars())
    assert len(events) == 2 * CUSTOMERS
    assert {event.status for event in events} == {DELIVERED}
    signups = recording.successful("POST", "/v2/activities")
    creates = recording.successful("POST", "/v2/orders")
    # A timed-out request may still have reached the API, so an activity can arrive
    # twice; each carries the same merchant_id ("signup-<id>"), which is what lets
    # LoyaltyLion recognise the repeat instead of awarding it twice.
    assert len({s["body"]["merchant_id"] for s in signups}) == CUSTOMERS
    if outage != "slow":
        assert len(signups) == CUSTOMERS
    assert len(creates) == CUSTOMERS
    assert len({c["body"]["merchant_id"] for c in creates}) == CUSTOMERS  # none twice
    assert len(recording.orders) == CUSTOMERS
