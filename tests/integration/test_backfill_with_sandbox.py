"""Backfill over real HTTP to the sandbox: a store's history of 1,000 orders, the run
interrupted and resumed, with the live shop's events delivered first and every order
created exactly once, all inside the sandbox's rate limit."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

import loyaltylion_sandbox as sandbox_package
from storefront.extensions import db
from storefront.loyalty import loyaltylion
from storefront.loyaltylion import OutboxEvent
from storefront.loyaltylion.backfill import backfill
from storefront.loyaltylion.models import DELIVERED, PENDING, PRIORITY_BACKFILL, utcnow
from storefront.models import Order
from storefront.seed import CUSTOMER_EMAIL
from tests.conftest import place_order, product_id, user_id
from tests.delivery import PAST_BACKOFF, drain
from tests.integration.conftest import sandbox_get, serving_sandbox

# A sandbox with a higher limit than LoyaltyLion's 20/s, and the shop's budget a little
# under it, as in production: 2,000 events in seconds rather than minutes, and the test
# still proves the budget holds (no 429).
SANDBOX_LIMIT = 300
SHOP_BUDGET = 285.0


@pytest.fixture(scope="module")
def sandbox_server(tmp_path_factory):
    with serving_sandbox(
        tmp_path_factory, "backfill-sandbox", SANDBOX_RATE_LIMIT=SANDBOX_LIMIT
    ) as server:
        yield server


@pytest.fixture
def app_config(database_uri, sandbox_url):
    return {
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "LOYALTYLION_SANDBOX": True,
        **sandbox_package.shop_settings(sandbox_url),
        "LOYALTYLION_RATE_LIMIT": SHOP_BUDGET,
    }


HISTORY = 1000


def _history(app, count: int = HISTORY) -> list[int]:
    """Orders placed before the integration was switched on: rows, and no events."""
    customer_id = user_id(app, CUSTOMER_EMAIL)
    start = utcnow() - timedelta(days=400)
    rows = []
    for n in range(count):
        placed = start + timedelta(hours=n * 6)
        paid = 2000 + n % 7 * 100
        rows.append(
            {
                "customer_id": customer_id,
                "customer_email": CUSTOMER_EMAIL,
                "ship_name": "Ada",
                "ship_address": "1 Row",
                "ship_city": "London",
                "ship_postcode": "N1",
                "ship_country": "GB",
                "subtotal_cents": paid - 495,
                "discount_cents": 0,
                "shipping_cents": 495,
                "total_cents": paid,
                "total_paid_cents": paid,
                "total_refunded_cents": paid if n % 10 == 0 else 0,
                "payment_method": "card",
                "payment_status": "paid",
                "refund_status": "refunded" if n % 10 == 0 else "not_refunded",
                "cancellation_status": "not_cancelled",
                "guest": False,
                "created_at": placed,
                "updated_at": placed,
            }
        )
    with app.app_context():
        db.session.execute(insert(Order), rows)
        db.session.commit()
        return list(db.session.execute(select(Order.id).order_by(Order.id)).scalars())


class Interrupted(Exception):
    pass


def _posted_orders(app) -> Counter:
    log = sandbox_get(app, "/_sandbox/requests?method=POST&path=/v2/orders&limit=10000")
    return Counter(
        json.loads(entry["request_body"])["merchant_id"]
        for entry in log["requests"]
        if entry["request_body"]
    )


def _accepted_creates(app) -> Counter:
    log = sandbox_get(app, "/_sandbox/requests?method=POST&path=/v2/orders&limit=10000")
    return Counter(
        json.loads(entry["request_body"])["merchant_id"]
        for entry in log["requests"]
        if entry["response_status"] == 201
    )


def test_backfill_interrupted_and_resumed_creates_every_order_once_behind_live_events(
    app, client, auth, runner, sandbox
):
    ids = _history(app)
    # Five LoyaltyLion has already (an earlier integration sent them).
    for merchant_id in map(str, ids[:5]):
        sandbox.create_order(merchant_id, str(user_id(app, CUSTOMER_EMAIL)))
    since = utcnow() - timedelta(days=10_000)

    # The first run is interrupted after three batches of 200 (Ctrl-C, a deploy).
    batches = []

    def interrupt_after_three(size: int) -> None:
        batches.append(size)
        if len(batches) == 3:
            raise Interrupted

    with app.app_context(), pytest.raises(Interrupted):
        backfill(
            loyaltylion.session,
            loyaltylion.orders.placed_since(since),
            batch_size=200,
            progress=interrupt_after_three,
        )
    with app.app_context():
        assert _count(OutboxEvent.priority == PRIORITY_BACKFILL) == 600 * 2

    # The shop is live meanwhile: a signup and an order.
    auth.signup(email="live@example.com")
    client.post("/cart/add", data={"product_id": product_id(app, "hand-grinder"), "quantity": 1})
    live_order = int(place_order(client).headers["Location"].rsplit("/", 1)[1])

    # The restart queues the rest, and says what it skipped.
    result = runner.invoke(args=["loyaltylion", "backfill", "--since", "2000-01-01"])
    assert result.exit_code == 0, result.output
    assert f"{HISTORY + 1:,} order(s) placed since 2000-01-01" in result.output
    assert "queued 400" in result.output and "1,001 already known" not in result.output
    assert "601 already known" in result.output  # 600 from the first run, the live one

    # Live events go first: the first batch a worker claims is the live shop's.
    with app.app_context():
        deliverer = loyaltylion.make_deliverer()
        first = deliverer.claim(limit=5)
        assert [e.priority for e in first] == [0, 0, 1, 1, 1]
        assert [e.kind for e in first[:2]] == ["activity", "order_create"]
        deliverer.release(first)
    drain(app, rounds=1)  # one round of 50: the live events and the oldest history
    with app.app_context():
        live = select(OutboxEvent).where(OutboxEvent.priority == 0)
        assert {e.status for e in db.session.execute(live).scalars()} == {DELIVERED}
        assert _count(OutboxEvent.status == PENDING) > 1900  # the backfill has barely begun

    drain(app, ahead=PAST_BACKOFF, rounds=200)
    with app.app_context():
        assert _count(OutboxEvent.status != DELIVERED) == 0

    # Every order exists at LoyaltyLion, created exactly once; the five it had were
    # refused as duplicates, looked up and counted as done.
    creates = _accepted_creates(app)
    expected = {str(i) for i in ids} | {str(live_order)}
    assert set(creates) == expected and set(creates.values()) == {1}
    posted = _posted_orders(app)
    assert all(posted[str(i)] == 1 for i in ids[5:]), "a backfilled order was sent twice"
    refunded = sandbox.get(f"/_sandbox/orders/{ids[0]}")
    assert refunded["refund_status"] == "refunded"  # the current state followed the create

    # A third run finds nothing to do and sends nothing.
    requests = sandbox_get(app, "/_sandbox/requests?limit=10000")["requests"]
    assert not [r for r in requests if r["response_status"] == 429], "over the rate budget"
    before = len(requests)
    again = runner.invoke(args=["loyaltylion", "backfill", "--since", "2000-01-01"])
    assert "queued 0" in again.output
    assert drain(app, ahead=PAST_BACKOFF).handled == 0
    assert len(sandbox_get(app, "/_sandbox/requests?limit=10000")["requests"]) == before


def test_a_dry_run_counts_and_queues_nothing(app, runner):
    _history(app, 30)

    result = runner.invoke(args=["loyaltylion", "backfill", "--since", "2000-01-01", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "would queue 30" in result.output
    with app.app_context():
        assert _count(OutboxEvent.id.isnot(None)) == 0


def test_since_leaves_out_older_orders(app, runner):
    ids = _history(app, 30)  # one every 6 hours from 400 days ago
    with app.app_context():
        cutoff = db.session.get(Order, ids[20]).created_at

    result = runner.invoke(
        args=[
            "loyaltylion",
            "backfill",
            "--since",
            (cutoff + timedelta(days=1)).strftime("%Y-%m-%d"),
        ]
    )

    assert result.exit_code == 0, result.output
    with app.app_context():
        queued = {
            int(target)
            for target in db.session.execute(select(OutboxEvent.target).distinct()).scalars()
        }
    assert queued and min(queued) > ids[20] and max(queued) == ids[-1]


def _count(condition) -> int:
    return db.session.execute(
        select(func.count()).select_from(OutboxEvent).where(condition)
    ).scalar_one()
