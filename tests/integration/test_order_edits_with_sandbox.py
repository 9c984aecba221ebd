"""An admin edit that changes an order's total leaves LoyaltyLion right.

Update Order carries no total
(https://developers.loyaltylion.com/api-reference/v2/resources/orders/update-order), so
the shop keeps LoyaltyLion's copy true in the two ways the docs allow: before the
create is sent, the waiting create is rewritten; once LoyaltyLion has the order, the
only edit allowed is taking items off an order paid in full, sent as a refund
(LoyaltyLion takes off the points for a refunded amount:
https://help.loyaltylion.com/en/articles/1965601-refunds-and-returns-on-purchased-products).
Anything else is refused. After each kind of edit, the sandbox's points for the order
must equal what the edited order earns: 10 points per whole 1.00 of its total less
shipping (the sandbox's purchase rule), as a new order for the same items would.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order, OrderLine
from storefront.orders import service as orders
from storefront.orders.service import OrderActionError
from tests.conftest import place_order, product_id
from tests.delivery import PAST_BACKOFF, drain
from tests.integration.conftest import sandbox_get


def _checkout(app, client, auth, *, payment_method: str, items: dict[str, int]) -> int:
    auth.signup(email=f"{payment_method}-{'-'.join(items)}@example.com")
    for slug, quantity in items.items():
        client.post("/cart/add", data={"product_id": product_id(app, slug), "quantity": quantity})
    response = place_order(client, payment_method=payment_method)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _should_earn(app, order_id: int) -> int:
    """What a new order for the edited order's items would earn: its merchandise after
    discounts (total less shipping). No refunds happen here besides an edit's own, which
    is for items no longer on the order."""
    with app.app_context():
        order = db.session.get(Order, order_id)
        spend = order.total_cents - order.shipping_cents
    return 10 * (max(spend, 0) // 100)


def _sandbox_points(app, order_id: int) -> int:
    points = sandbox_get(app, f"/_sandbox/orders/{order_id}")["points"]
    return points["pending"] + points["approved"]


def _lines(app, order_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.execute(
                select(OrderLine.id).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
            ).scalars()
        )


def _edit(app, order_id: int, quantities: dict[int, int], shipping_cents: int | None = None):
    with app.app_context():
        order = db.session.get(Order, order_id)
        shipping = order.shipping_cents if shipping_cents is None else shipping_cents
        try:
            return orders.edit_order(order, quantities, shipping)
        except OrderActionError:
            db.session.rollback()
            raise


EDITS_BEFORE_SENDING = {
    # (payment method, items, edit: {line index: quantity}, shipping cents or None)
    "invoice, more of an item": ("invoice", {"house-blend": 1}, {0: 3}, None),
    "invoice, an item off and shipping waived": (
        "invoice",
        {"house-blend": 2, "paper-filters": 1},
        {1: 0},
        0,
    ),
    "card, an item off (refunded)": ("card", {"house-blend": 2}, {0: 1}, None),
    "card, more of an item (now due)": ("card", {"house-blend": 1}, {0: 2}, None),
}


@pytest.mark.parametrize(
    ("payment_method", "items", "quantities", "shipping"),
    EDITS_BEFORE_SENDING.values(),
    ids=list(EDITS_BEFORE_SENDING),
)
def test_an_edit_before_loyaltylion_has_the_order_goes_into_its_create(
    app, client, auth, payment_method, items, quantities, shipping
):
    order_id = _checkout(app, client, auth, payment_method=payment_method, items=items)
    lines = _lines(app, order_id)
    _edit(app, order_id, {lines[i]: q for i, q in quantities.items()}, shipping)
    drain(app, ahead=PAST_BACKOFF)  # the create goes out now, as the order stands

    assert _sandbox_points(app, order_id) == _should_earn(app, order_id)
    with app.app_context():
        order = db.session.get(Order, order_id)
        lion_total = max(order.total_cents, order.total_paid_cents)
        shipping_cents = order.shipping_cents
    received = sandbox_get(app, f"/_sandbox/orders/{order_id}")
    assert received["total"] == f"{lion_total / 100:.2f}"
    assert received["total_shipping"] == f"{shipping_cents / 100:.2f}"


def test_taking_items_off_a_paid_order_loyaltylion_has_is_sent_as_a_refund(app, client, auth):
    order_id = _checkout(
        app, client, auth, payment_method="card", items={"house-blend": 2, "lion-tee": 1}
    )
    drain(app, ahead=PAST_BACKOFF)
    earned = _sandbox_points(app, order_id)
    blend, tee = _lines(app, order_id)
    refunded = _edit(app, order_id, {tee: 0, blend: 1})
    drain(app, ahead=PAST_BACKOFF)

    assert refunded > 0
    assert _sandbox_points(app, order_id) == _should_earn(app, order_id) < earned
    put = sandbox_get(app, f"/_sandbox/requests?path=/v2/orders/{order_id}&method=PUT")
    [request] = put["requests"]
    assert request["verdict"] == "valid"
    assert f'"total_refunded":"{refunded / 100:.2f}"' in request["request_body"].replace(" ", "")


REFUSED_ONCE_SENT = {
    "unpaid, an item off": ("invoice", {"house-blend": 2}, {0: 1}, None),
    "paid, more of an item": ("card", {"house-blend": 1}, {0: 2}, None),
    "paid, shipping changed": ("card", {"house-blend": 1}, {0: 1}, 0),
}


@pytest.mark.parametrize(
    ("payment_method", "items", "quantities", "shipping"),
    REFUSED_ONCE_SENT.values(),
    ids=list(REFUSED_ONCE_SENT),
)
def test_an_edit_loyaltylion_could_not_be_told_is_refused_and_points_stay_right(
    app, client, auth, payment_method, items, quantities, shipping
):
    order_id = _checkout(app, client, auth, payment_method=payment_method, items=items)
    drain(app, ahead=PAST_BACKOFF)
    lines = _lines(app, order_id)
    with pytest.raises(OrderActionError, match="LoyaltyLion already has order"):
        _edit(app, order_id, {lines[i]: q for i, q in quantities.items()}, shipping)
    drain(app, ahead=PAST_BACKOFF)
    assert _sandbox_points(app, order_id) == _should_earn(app, order_id)
    assert (
        sandbox_get(app, f"/_sandbox/requests?path=/v2/orders/{order_id}&method=PUT")["requests"]
        == []
    )
