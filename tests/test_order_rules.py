"""Order state rules found in review: a $0 order, payment after a partial refund,
and past expiry dates on the voucher CLI."""

import pytest

from storefront.extensions import db
from storefront.models import Order
from storefront.orders import service as orders
from tests.conftest import place_order, product_id


def _invoice_order(app, client, auth) -> int:
    auth.login()
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 2})
    response = place_order(client, payment_method="invoice")
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_an_order_with_nothing_due_counts_as_paid(app):
    with app.app_context():
        order = Order(total_cents=0, total_paid_cents=0, total_refunded_cents=0)
        orders.refresh_statuses(order)
        assert order.payment_status == "paid"


def test_a_partly_refunded_invoice_can_still_collect_its_balance(app, client, auth):
    order_id = _invoice_order(app, client, auth)  # 32.00 + 4.95 shipping
    with app.app_context():
        order = db.session.get(Order, order_id)
        orders.record_payment(order, 2000)
        orders.refund(order, 500)
        orders.record_payment(order, order.balance_due_cents)
        order = db.session.get(Order, order_id)
        assert (order.payment_status, order.refund_status) == ("paid", "partially_refunded")
        assert order.total_paid_cents == 3695


def test_voucher_cli_refuses_an_expiry_in_the_past(runner, tmp_path):
    out = tmp_path / "codes.csv"
    result = runner.invoke(
        args=[
            "vouchers",
            "generate",
            "--amount",
            "5",
            "--count",
            "3",
            "--expires",
            "2020-01-01",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code != 0
    assert "that day has passed" in result.output
    assert not out.exists()


def test_the_order_page_offers_a_payment_on_a_partly_refunded_invoice(app, client, auth):
    """The page and the service read one rule (orders/rules.py): a partly refunded
    invoice with a balance due shows the payment form, and the payment goes through."""
    order_id = _invoice_order(app, client, auth)
    with app.app_context():
        order = db.session.get(Order, order_id)
        orders.record_payment(order, 2000)
        orders.refund(order, 500)
    auth.logout()
    auth.login_admin()
    page = client.get(f"/admin/orders/{order_id}")
    html = page.get_data(as_text=True)
    assert f'action="/admin/orders/{order_id}/payment"' in html
    response = client.post(
        f"/admin/orders/{order_id}/payment",
        data={"payment-amount": "16.95", "payment-submit": "Record payment"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Order, order_id).balance_due_cents == 0
    paid = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert f'action="/admin/orders/{order_id}/payment"' not in paid
    assert "is already paid in full." in paid


def test_a_refused_action_rolls_its_own_transaction_back(app, client, auth):
    """The service took the order's row lock, then refused: it rolls back itself, so the
    lock goes and nothing it changed in memory survives."""
    order_id = _invoice_order(app, client, auth)
    with app.app_context():
        order = db.session.get(Order, order_id)
        with pytest.raises(orders.OrderActionError, match="more than the balance due"):
            orders.record_payment(order, order.total_cents + 1)
        assert not db.session().in_transaction()
        with pytest.raises(orders.OrderActionError, match="Nothing to refund"):
            orders.refund(order, 100)
        assert not db.session().in_transaction()
        assert db.session.get(Order, order_id).total_paid_cents == 0


def test_an_error_in_a_subscriber_rolls_the_change_back(app, client, auth):
    """commit_announcing: what the change and its subscribers wrote goes or stays together."""
    from storefront import events

    order_id = _invoice_order(app, client, auth)

    def broken_subscriber(_app, **_):
        raise RuntimeError("the outbox is unavailable")

    events.order_changed.connect(broken_subscriber)
    try:
        with app.test_request_context():
            order = db.session.get(Order, order_id)
            with pytest.raises(RuntimeError):
                orders.cancel(order)
            assert not db.session().in_transaction()
            assert db.session.get(Order, order_id).cancellation_status == "not_cancelled"
    finally:
        events.order_changed.disconnect(broken_subscriber)
