"""Outbox delivery over real HTTP: what reaches LoyaltyLion, in what order, exactly once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.loyalty import loyaltylion
from storefront.loyaltylion import outbox
from storefront.loyaltylion.models import (
    DEAD,
    DELIVERED,
    DELIVERING,
    PENDING,
    SUPERSEDED,
    OutboxEvent,
    utcnow,
)
from storefront.models import Order
from storefront.orders import service as orders
from tests.conftest import place_order, product_id
from tests.delivery import drain

LATER = timedelta(hours=2)  # past any backoff delay and claim lease


def _checkout(app, client, auth, payment_method="invoice", slug="house-blend", quantity=2) -> int:
    auth.login()
    client.post("/cart/add", data={"product_id": product_id(app, slug), "quantity": quantity})
    response = place_order(client, payment_method=payment_method)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _statuses(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.execute(select(OutboxEvent.status).order_by(OutboxEvent.id)).scalars()
        )


def test_signup_sends_exactly_one_signup_activity(app, auth, recording):
    auth.signup(email="lion@example.com")
    drain(app)
    drain(app, ahead=LATER)  # a second pass finds nothing more to send
    sent = recording.successful("POST", "/v2/activities")
    assert len(sent) == 1
    body = sent[0]["body"]
    assert body["name"] == "$signup"
    assert body["customer_email"] == "lion@example.com"
    assert body["guest"] is False
    assert _statuses(app) == [DELIVERED]


def test_order_lifecycle_sends_one_create_then_each_update_in_order(app, client, auth, recording):
    order_id = _checkout(app, client, auth, payment_method="invoice", quantity=2)  # 2 x 16.00
    drain(app)  # LoyaltyLion has the order: from now on it hears payments and refunds
    with app.app_context():
        order = db.session.get(Order, order_id)
        orders.record_payment(order, 2000)
        orders.record_payment(order, order.balance_due_cents)
        orders.refund(order, 1000)
        orders.cancel(order)
    drain(app)

    creates = recording.successful("POST", "/v2/orders")
    updates = recording.successful("PUT", "/v2/orders/")
    assert len(creates) == 1
    assert creates[0]["body"]["merchant_id"] == str(order_id)
    assert creates[0]["body"]["total"] == "36.95"
    assert creates[0]["body"]["payment_status"] == "not_paid"
    assert all(call["at"] > creates[0]["at"] for call in updates)
    assert [u["path"] for u in updates] == [f"/v2/orders/{order_id}"] * 4
    assert [
        (
            u["body"]["payment_status"],
            u["body"]["refund_status"],
            u["body"]["cancellation_status"],
            u["body"]["total_paid"],
            u["body"]["total_refunded"],
        )
        for u in updates
    ] == [
        ("partially_paid", "not_refunded", "not_cancelled", "20.00", "0.00"),
        ("paid", "not_refunded", "not_cancelled", "36.95", "0.00"),
        ("paid", "partially_refunded", "not_cancelled", "36.95", "10.00"),
        ("paid", "partially_refunded", "cancelled", "36.95", "10.00"),
    ]


def test_changes_while_the_create_waits_go_out_in_the_create(app, client, auth, recording):
    order_id = _checkout(app, client, auth, payment_method="invoice", quantity=2)  # 2 x 16.00
    with app.app_context():
        order = db.session.get(Order, order_id)
        line = order.lines[0]
        orders.edit_order(order, {line.id: 3}, shipping_cents=order.shipping_cents)  # 48 + 4.95
        orders.record_payment(order, 2000)
    drain(app)

    [create] = recording.successful("POST", "/v2/orders")
    assert (create["body"]["total"], create["body"]["total_paid"]) == ("52.95", "20.00")
    assert create["body"]["payment_status"] == "partially_paid"
    # The updates queued behind it were stale once it carried the order as it is; the
    # last change's update (the same state) follows it.
    [update] = recording.successful("PUT", "/v2/orders/")
    assert (update["body"]["payment_status"], update["body"]["total_paid"]) == (
        "partially_paid",
        "20.00",
    )
    assert _statuses(app) == [DELIVERED, SUPERSEDED, DELIVERED]


def test_update_never_overtakes_its_create(app, client, auth, recording):
    recording.fail_next("503", 1)  # the create fails once...
    order_id = _checkout(app, client, auth)
    with app.app_context():
        orders.record_payment(db.session.get(Order, order_id), 500)  # ...an update queues behind it
    drain(app)  # the create is waiting out its backoff: the update must wait too
    assert recording.successful("PUT", "/v2/orders/") == []
    assert _statuses(app) == [PENDING, PENDING]

    drain(app, ahead=LATER)
    assert len(recording.successful("POST", "/v2/orders")) == 1
    assert len(recording.successful("PUT", "/v2/orders/")) == 1
    assert (
        recording.successful("POST", "/v2/orders")[0]["at"]
        < (recording.successful("PUT", "/v2/orders/")[0]["at"])
    )


def test_update_that_gets_404_sends_the_create_first(app, client, auth, recording):
    order_id = _checkout(app, client, auth)
    drain(app)
    recording.orders.clear()  # LoyaltyLion lost the order
    with app.app_context():
        orders.record_payment(db.session.get(Order, order_id), 500)
    drain(app)
    calls = [(c["method"], c["path"], c["status"]) for c in recording.calls]
    assert calls[-3:] == [
        ("PUT", f"/v2/orders/{order_id}", 404),
        ("POST", "/v2/orders", 201),
        ("PUT", f"/v2/orders/{order_id}", 204),
    ]
    assert recording.orders[str(order_id)]["payment_status"] == "partially_paid"
    assert _statuses(app) == [DELIVERED, DELIVERED]


def test_worker_killed_after_sending_causes_no_duplicate_create(app, client, auth, recording):
    _checkout(app, client, auth)
    with app.app_context():
        doomed = loyaltylion.make_deliverer()
        (event,) = doomed.claim()
        doomed._send(event)  # the request reached LoyaltyLion; then the worker died
    assert _statuses(app) == [DELIVERING]

    drain(app)  # the lease has not run out: nobody else may take the event yet
    assert _statuses(app) == [DELIVERING]

    drain(app, ahead=LATER)  # lease expired: another worker claims and re-sends
    assert _statuses(app) == [DELIVERED]
    assert len(recording.orders) == 1
    assert len(recording.successful("POST", "/v2/orders")) == 1
    assert [c["status"] for c in recording.calls if c["method"] == "POST"] == [201, 400]


def test_worker_killed_before_sending_loses_nothing(app, auth, recording):
    for n in range(5):
        auth.signup(email=f"batch{n}@example.com")
        auth.logout()
    with app.app_context():
        claimed = loyaltylion.make_deliverer().claim(limit=10)  # and never delivered
        assert len(claimed) == 5
    drain(app, ahead=LATER)
    assert len(recording.successful("POST", "/v2/activities")) == 5
    assert set(_statuses(app)) == {DELIVERED}


def test_concurrent_workers_never_claim_the_same_event(app, auth, recording):
    for n in range(12):
        auth.signup(email=f"race{n}@example.com")
        auth.logout()
    claimed: list[list[int]] = []
    barrier = threading.Barrier(3)

    def claim():
        with app.app_context():
            deliverer = loyaltylion.make_deliverer()
            barrier.wait()
            claimed.append([event.id for event in deliverer.claim(limit=12)])
            db.session.remove()

    threads = [threading.Thread(target=claim) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [event_id for batch in claimed for event_id in batch]
    assert len(ids) == len(set(ids)) == 12


def test_permanent_error_moves_the_event_to_dead_and_holds_back_its_stream(
    app, client, auth, recording
):
    app.config["LOYALTYLION_API_KEY"] = "revoked-key"
    order_id = _checkout(app, client, auth)
    with app.app_context():
        orders.record_payment(db.session.get(Order, order_id), 500)
    drain(app)
    with app.app_context():
        create, update = db.session.execute(select(OutboxEvent).order_by(OutboxEvent.id)).scalars()
        assert (create.status, create.last_status) == (DEAD, 401)
        assert "Invalid API key" in create.last_error
        assert update.status == PENDING  # never sent ahead of its dead create

    app.config["LOYALTYLION_API_KEY"] = "test-api-key"
    with app.app_context():
        assert outbox.retry_dead(db.session) == 1
    drain(app)
    assert _statuses(app) == [DELIVERED, DELIVERED]


def test_retry_after_from_a_429_is_honoured(app, auth, recording):
    recording.fail_next("429", 1, retry_after=2)
    auth.signup(email="busy@example.com")
    with app.app_context():
        deliverer = loyaltylion.make_deliverer()
        failed_at = utcnow()
        assert deliverer.run_once().retried == 1
        event = db.session.execute(select(OutboxEvent)).scalar_one()
        assert event.last_status == 429
        assert event.next_attempt_at >= failed_at + timedelta(seconds=2)
        # The whole process holds off too, not just this event.
        assert deliverer.pacer.seconds_until_free() > 1.5
        assert deliverer.run_once().handled == 0  # not due yet
    drain(app, ahead=timedelta(seconds=3))
    assert _statuses(app) == [DELIVERED]


def test_retryable_errors_give_up_after_max_attempts(app, auth, recording):
    recording.fail_next("503", 100)
    auth.signup(email="down@example.com")
    rounds = iter(range(1, 100))  # each round, the clock is past the previous backoff
    with app.app_context():
        deliverer = loyaltylion.make_deliverer(
            clock=lambda: utcnow() + LATER * next(rounds),
            policy=outbox.RetryPolicy(max_attempts=3),
        )
        outcomes = [deliverer.run_once() for _ in range(3)]
        assert [(o.retried, o.dead) for o in outcomes] == [(1, 0), (1, 0), (0, 1)]
        event = db.session.execute(select(OutboxEvent)).scalar_one()
        assert event.status == DEAD
        assert "gave up after 3 attempts" in event.last_error


def test_events_commit_and_roll_back_with_their_change(app, client, auth):
    auth.signup(email="taken@example.com")
    auth.logout()
    response = auth.signup(email="TAKEN@example.com")  # refused: no account, no event
    assert response.status_code == 409
    with app.app_context():
        assert db.session.execute(select(func.count(OutboxEvent.id))).scalar_one() == 1


def test_stopping_mid_batch_hands_unsent_events_back_at_once(app, auth, recording):
    for n in range(3):
        auth.signup(email=f"stop{n}@example.com")
        auth.logout()
    checks = iter([False, True, True])
    with app.app_context():
        stats = loyaltylion.make_deliverer().run_once(10, should_stop=lambda: next(checks))
        assert stats.delivered == 1
        events = list(db.session.execute(select(OutboxEvent).order_by(OutboxEvent.id)).scalars())
        assert [(e.status, e.attempts, e.locked_by) for e in events] == [
            (DELIVERED, 1, None),
            (PENDING, 0, None),
            (PENDING, 0, None),
        ]
    drain(app)  # no lease to wait out
    assert _statuses(app) == [DELIVERED] * 3


def test_an_edit_racing_the_worker_never_lets_a_stale_create_out(app, client, auth, recording):
    """The edit's transaction holds the waiting create (orders.service asks before it
    changes the totals); a worker trying to claim it meanwhile cannot take it as it
    was: on SQLite it waits for the edit (the database's write lock), on PostgreSQL it
    passes the locked row over (SKIP LOCKED) and, the create being its stream's head,
    nothing of the order behind it either; the next claim takes the create as edited.
    Real threads, one database, as on a live shop."""
    order_id = _checkout(app, client, auth, quantity=2)  # 2 x 16.00 + 4.95
    held = threading.Event()
    claimed: list[dict] = []

    def admin_edits() -> None:
        with app.app_context():
            order = db.session.get(Order, order_id)
            assert loyaltylion.hold_unsent_create(str(order_id))
            held.set()
            time.sleep(0.5)  # the worker tries to claim now, and has to wait
            orders.edit_order(order, {order.lines[0].id: 3}, order.shipping_cents)  # commits

    def worker_claims() -> None:
        held.wait(5)
        with app.app_context():
            events = loyaltylion.make_deliverer().claim()
            claimed.extend({"kind": e.kind, "payload": e.payload} for e in events)

    threads = [threading.Thread(target=admin_edits), threading.Thread(target=worker_claims)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    racing = [e for e in claimed if e["kind"] in ("order_create", "order_update")]
    assert all(e["kind"] == "order_create" for e in racing), "nothing overtakes the create"
    if not racing:  # PostgreSQL skipped the held row: the next claim takes it
        with app.app_context():
            racing = [
                {"kind": e.kind, "payload": e.payload} for e in loyaltylion.make_deliverer().claim()
            ]
    create = next(e for e in racing if e["kind"] == "order_create")
    assert '"total":"52.95"' in create["payload"]  # not the 36.95 it was queued with
