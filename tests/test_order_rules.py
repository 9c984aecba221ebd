"""Order state rules found in review: a $0 order, payment after a partial refund,
and past expiry dates on the voucher CLI."""

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
