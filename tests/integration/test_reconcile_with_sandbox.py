"""Reconcile over real HTTP to the sandbox: every kind of drift the sandbox can be made
to show is found, `--fix` cures what the API can cure, and the admin shows the result."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from storefront.extensions import db
from storefront.loyalty import loyaltylion
from storefront.loyaltylion import OutboxEvent
from storefront.loyaltylion.models import DELIVERED, KIND_ORDER_CREATE, ReconcileRun, utcnow
from storefront.loyaltylion.reconcile import reconcile
from storefront.models import Order, User
from storefront.orders import service as orders
from tests.conftest import place_order, product_id, text_of
from tests.delivery import PAST_BACKOFF, drain


def since_yesterday() -> list[str]:
    return ["--since", (utcnow() - timedelta(days=1)).strftime("%Y-%m-%d")]


def place(app, client, payment_method: str = "card") -> int:
    client.post("/cart/add", data={"product_id": product_id(app, "hand-grinder"), "quantity": 1})
    response = place_order(client, payment_method=payment_method)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def lines_for(output: str, merchant_id: int | str) -> list[str]:
    return [line for line in output.splitlines() if line.split(" ", 1)[0] == str(merchant_id)]


@pytest.fixture
def drifted(app, client, auth, sandbox):
    """Six orders LoyaltyLion had in step, then each made to differ in its own way."""
    auth.signup(email="drift@example.com")
    ids = {name: place(app, client) for name in ("status", "missing", "lost", "queued", "total")}
    drain(app, ahead=PAST_BACKOFF)
    with app.app_context():
        customer = db.session.execute(
            select(User.id).where(User.email == "drift@example.com")
        ).scalar_one()

    # Changed in LoyaltyLion's own admin.
    sandbox.drift(str(ids["status"]), payment_status="not_paid", total_paid="0.00")
    sandbox.drift(str(ids["total"]), total="1.00")
    # LoyaltyLion lost it.
    sandbox.forget_order(str(ids["missing"]))
    # An order the shop never had (a test order made in LoyaltyLion, say).
    sandbox.create_order("990001", str(customer))
    with app.app_context():
        # A refund whose event never went out (an outbox row lost to a bad restore):
        # the shop has it, LoyaltyLion does not, and nothing is queued to tell it.
        orders.refund(db.session.get(Order, ids["lost"]))
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.target == str(ids["lost"]), OutboxEvent.status != DELIVERED)
            .values(status=DELIVERED)
        )
        db.session.commit()
        # A refund still in the queue: in flight, not drift.
        orders.refund(db.session.get(Order, ids["queued"]))
    return ids


def test_reconcile_finds_each_kind_of_drift_and_exits_1(app, runner, drifted):
    result = runner.invoke(args=["loyaltylion", "reconcile", *since_yesterday()])

    assert result.exit_code == 1, result.output
    out = result.output
    [status] = lines_for(out, drifted["status"])
    assert "differs" in status and "payment_status: shop paid, LoyaltyLion not_paid" in status
    assert "total_paid: shop 78.95, LoyaltyLion 0.00" in status
    [missing] = lines_for(out, drifted["missing"])
    assert "missing at LoyaltyLion" in missing
    [unknown] = lines_for(out, "990001")
    assert "unknown to the shop" in unknown and "needs a person" in unknown
    [lost] = lines_for(out, drifted["lost"])
    assert "refund_status: shop refunded, LoyaltyLion not_refunded" in lost
    [queued] = lines_for(out, drifted["queued"])
    assert "in flight" in queued
    [total] = lines_for(out, drifted["total"])
    assert "total: shop 78.95, LoyaltyLion 1.00" in total and "needs a person" in total
    assert "differ, 1 in flight" in out
    assert "5 differ" in out


def test_reconcile_fix_cures_what_the_api_can(app, runner, drifted, sandbox):
    fixed = runner.invoke(args=["loyaltylion", "reconcile", *since_yesterday(), "--fix"])
    assert fixed.exit_code == 1, fixed.output
    assert "fix queued" in lines_for(fixed.output, drifted["missing"])[0]
    drain(app, ahead=PAST_BACKOFF)

    again = runner.invoke(args=["loyaltylion", "reconcile", *since_yesterday()])

    for cured in ("status", "missing", "lost", "queued"):
        assert lines_for(again.output, drifted[cured]) == [], again.output
    # Left for a person: LoyaltyLion's API cannot change an order's total or delete one.
    assert lines_for(again.output, drifted["total"]) and lines_for(again.output, "990001")
    assert "2 differ, 0 in flight" in again.output
    assert sandbox.get(f"/_sandbox/orders/{drifted['status']}")["payment_status"] == "paid"
    assert sandbox.get(f"/_sandbox/orders/{drifted['lost']}")["refund_status"] == "refunded"
    with app.app_context():
        # Never a second create: one create was queued, for the order LoyaltyLion lost.
        creates = db.session.execute(
            select(OutboxEvent.target).where(OutboxEvent.kind == KIND_ORDER_CREATE)
        ).scalars()
        targets = list(creates)
        assert targets.count(str(drifted["missing"])) == 2  # placed, then the fix
        assert all(targets.count(str(drifted[n])) == 1 for n in ("status", "lost", "total"))


def test_an_order_in_step_is_not_reported(app, client, auth, runner):
    auth.signup(email="in.step@example.com")
    place(app, client, payment_method="invoice")
    drain(app, ahead=PAST_BACKOFF)

    result = runner.invoke(args=["loyaltylion", "reconcile", *since_yesterday()])

    assert result.exit_code == 0, result.output
    assert "0 differ, 0 in flight" in result.output


def test_the_admin_shows_the_last_reconcile(app, client, auth, runner, drifted):
    runner.invoke(args=["loyaltylion", "reconcile", *since_yesterday()])
    with app.app_context():
        run = loyaltylion.session.execute(select(ReconcileRun)).scalar_one()
        assert run.drifted == 5 and run.in_flight == 1
    auth.logout()
    auth.login_admin()

    page = client.get("/admin/loyaltylion/reconcile")

    assert page.status_code == 200
    text = text_of(page)
    assert "Differ 5" in text and "In flight 1" in text
    assert "Missing at loyaltylion" in text and "Unknown to the shop" in text
    assert "990001" in text


def test_reconcile_pages_through_every_page(app, sandbox, auth):
    auth.signup(email="many@example.com")
    drain(app, ahead=PAST_BACKOFF)
    with app.app_context():
        customer = db.session.execute(
            select(User.id).where(User.email == "many@example.com")
        ).scalar_one()
    for n in range(60):
        sandbox.create_order(f"99{n:04d}", str(customer))
        time.sleep(0.06)  # inside the sandbox's 20 requests a second

    with app.app_context():
        client = loyaltylion.make_client()
        result = reconcile(
            loyaltylion.session,
            client,
            loyaltylion.shared_pacer(),
            loyaltylion.orders,
            utcnow() - timedelta(days=1),
            page_size=25,  # three pages
        )
        client.close()

    assert sorted(d.merchant_id for d in result.drifts) == [f"99{n:04d}" for n in range(60)]
    lists = [
        r
        for r in sandbox.get("/_sandbox/requests?path=/v2/orders&method=GET")["requests"]
        if r["path"] == "/v2/orders"
    ]
    assert len(lists) == 3
