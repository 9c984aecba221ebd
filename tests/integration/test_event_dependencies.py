"""One bad event never blocks unrelated ones: a permanently rejected event holds back only
the events that depend on it. Over real HTTP to the sandbox, which rejects what the
docs do not allow (here a `null` birthday: Update Customer types it as a string,
https://developers.loyaltylion.com/api-reference/v2/resources/customers/update-customer).
"""

from __future__ import annotations

from sqlalchemy import select

from storefront.extensions import db
from storefront.loyaltylion import outbox
from storefront.loyaltylion.models import (
    DEAD,
    DELIVERED,
    KIND_CUSTOMER_UPDATE,
    KIND_ORDER_UPDATE,
    PENDING,
    SUPERSEDED,
    OutboxEvent,
)
from storefront.models import Order, User
from storefront.orders import service as orders
from tests.conftest import place_order, product_id
from tests.delivery import PAST_BACKOFF, drain
from tests.integration.conftest import sandbox_get


def _customer_id(app, email: str) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.email == email)).scalar_one()


def _outbox(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(select(OutboxEvent).order_by(OutboxEvent.id)).scalars()
        return [(event.kind, event.status, event.payload) for event in rows]


def _legacy_birthday_clear(app, customer_id: int) -> None:
    """What the shop used to send when a birthday was cleared, and the sandbox refuses."""
    with app.app_context():
        outbox.enqueue(
            db.session,
            kind=KIND_CUSTOMER_UPDATE,
            stream=outbox.customer_stream(customer_id),
            target=str(customer_id),
            payload={"customer": {"birthday": None}},
            customer_id=customer_id,
        )
        db.session.commit()


def test_a_dead_customer_update_holds_back_neither_a_review_nor_a_newsletter_opt_in(
    app, client, auth
):
    auth.signup(email="busy@example.com")
    customer_id = _customer_id(app, "busy@example.com")
    drain(app, ahead=PAST_BACKOFF)  # the $signup
    _legacy_birthday_clear(app, customer_id)
    client.post(
        "/products/house-blend/reviews",
        data={"rating": "5", "body": "Rich, sweet and never bitter."},
    )
    client.post("/account/preferences", data={"newsletter": "y", "birthday": ""})
    drain(app, ahead=PAST_BACKOFF)

    statuses = [(kind, status) for kind, status, _ in _outbox(app)]
    assert statuses == [
        ("activity", DELIVERED),  # $signup
        ("customer_update", DEAD),  # birthday: null, refused with a 400
        ("activity", DELIVERED),  # the review
        ("activity", DELIVERED),  # newsletter_signup
    ]
    names = [
        entry["request_body"]
        for entry in sandbox_get(app, "/_sandbox/requests?path=/v2/activities&method=POST")[
            "requests"
        ]
    ]
    assert len(names) == 3
    balances = sandbox_get(app, f"/_sandbox/customers/{customer_id}")["balances"]
    assert balances["approved"] == 200 + 50  # signup + newsletter
    assert balances["pending"] == 25  # the review, until moderated


def test_a_later_birthday_goes_through_and_supersedes_the_dead_one(app, client, auth):
    auth.signup(email="later@example.com")
    customer_id = _customer_id(app, "later@example.com")
    _legacy_birthday_clear(app, customer_id)
    client.post("/account/preferences", data={"birthday": "1990-04-23"})
    drain(app, ahead=PAST_BACKOFF)

    updates = [(status, payload) for kind, status, payload in _outbox(app) if kind != "activity"]
    assert [status for status, _ in updates] == [SUPERSEDED, DELIVERED]
    customer = sandbox_get(app, f"/_sandbox/customers/{customer_id}")["customer"]
    assert customer["birthday"] == "1990-04-23"
    with app.app_context():
        # Nothing left to retry: a superseded update would only send stale state.
        assert outbox.retry_dead(db.session) == 0


def test_a_dead_order_update_does_not_hold_back_the_next_full_state(app, client, auth):
    auth.signup(email="orders@example.com")
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    place_order(client, payment_method="invoice")
    drain(app, ahead=PAST_BACKOFF)
    with app.app_context():
        order = db.session.execute(select(Order)).scalar_one()
        # An update LoyaltyLion refuses (a state the shop once got wrong, say)...
        outbox.enqueue(
            db.session,
            kind=KIND_ORDER_UPDATE,
            stream=outbox.order_stream(str(order.id)),
            target=str(order.id),
            payload={"payment_status": "settled"},
            customer_id=order.customer_id,
        )
        db.session.commit()
        # ...then the payment, a full state of its own.
        orders.record_payment(order, order.total_cents)
        order_id, total = order.id, order.total_cents
    drain(app, ahead=PAST_BACKOFF)

    kinds = [(kind, status) for kind, status, _ in _outbox(app) if kind.startswith("order")]
    assert kinds == [
        ("order_create", DELIVERED),
        ("order_update", SUPERSEDED),
        ("order_update", DELIVERED),
    ]
    received = sandbox_get(app, f"/_sandbox/orders/{order_id}")
    assert received["payment_status"] == "paid"
    assert received["total_paid"] == f"{total // 100}.{total % 100:02d}"


def test_a_dead_create_still_holds_back_its_order_updates(app, client, auth):
    auth.signup(email="nocreate@example.com")
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    place_order(client, payment_method="invoice")
    with app.app_context():
        create = db.session.execute(
            select(OutboxEvent).where(OutboxEvent.kind == "order_create")
        ).scalar_one()
        create.payload = create.payload.replace('"total":', '"total_typo":')  # now invalid
        db.session.commit()
    drain(app, ahead=PAST_BACKOFF)  # refused with a 400: dead
    with app.app_context():
        order = db.session.execute(select(Order)).scalar_one()
        orders.record_payment(order, order.total_cents)
    drain(app, ahead=PAST_BACKOFF)
    kinds = [(kind, status) for kind, status, _ in _outbox(app) if kind.startswith("order")]
    # The update depends on the create: it waits, unsent, while the create is dead.
    assert kinds == [("order_create", DEAD), ("order_update", PENDING)]

    # The payment brought the unsent create up to date, so a retry now goes through.
    with app.app_context():
        assert outbox.retry_dead(db.session) == 1
    drain(app, ahead=PAST_BACKOFF)
    kinds = [(kind, status) for kind, status, _ in _outbox(app) if kind.startswith("order")]
    assert kinds == [("order_create", DELIVERED), ("order_update", DELIVERED)]
