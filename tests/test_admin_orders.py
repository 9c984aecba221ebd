"""The store admin's orders: who may see them, the list, the detail page, and the four
actions (edit, record payment, refund, cancel): each one done, and each refusal shown
with the service's message, a 409, and nothing written."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select, update

from storefront.extensions import db
from storefront.loyaltylion.models import OutboxEvent
from storefront.models import Order, OrderLine, User, Voucher
from storefront.money import format_money
from storefront.seed import ADMIN_EMAIL, ADMIN_PASSWORD, CUSTOMER_EMAIL
from storefront.vouchers.service import generate_batch
from tests.conftest import TEST_CONFIG, build_app, dispose, place_order, product_id, text_of

# Prices from the seed catalogue, and the flat shipping charge under $75.
HOUSE_BLEND = 1600
PAPER_FILTERS = 600
SHIPPING = 495


def checkout(app, client, auth, *, payment_method="card", items=(("house-blend", 2),), code=None):
    """Place an order as the seeded customer, then log in as the admin. The order's id."""
    auth.logout()
    auth.login()
    for slug, quantity in items:
        client.post("/cart/add", data={"product_id": product_id(app, slug), "quantity": quantity})
    if code:
        assert client.post("/checkout/discount", data={"code": code}).status_code == 303
    response = place_order(client, payment_method=payment_method)
    assert response.status_code == 302, text_of(response)
    auth.logout()
    auth.login_admin()
    return int(response.headers["Location"].rsplit("/", 1)[1])


def make_code(app, amount_cents: int) -> str:
    with app.app_context():
        batch = generate_batch(name="Test", amount_cents=amount_cents, count=1)
        return db.session.execute(
            select(Voucher.code).where(Voucher.batch_id == batch.id)
        ).scalar_one()


def stored(app, order_id: int) -> dict:
    """The order as the database has it: money, statuses, lines and discounts."""
    with app.app_context():
        order = db.session.get(Order, order_id)
        return {
            "subtotal": order.subtotal_cents,
            "discount": order.discount_cents,
            "shipping": order.shipping_cents,
            "total": order.total_cents,
            "paid": order.total_paid_cents,
            "refunded": order.total_refunded_cents,
            "payment_status": order.payment_status,
            "refund_status": order.refund_status,
            "cancellation_status": order.cancellation_status,
            "lines": [(line.product_name, line.quantity) for line in order.lines],
            "discounts": [(d.code, d.face_value_cents, d.amount_cents) for d in order.discounts],
            "updated_at": order.updated_at,
        }


def line_ids(app, order_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.execute(
                select(OrderLine.id).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
            ).scalars()
        )


# Form data for each action, as the order page posts it (each form has its own prefix).
def edit(quantities: dict[int, int | str], shipping: str = "4.95") -> dict:
    data = {f"edit-line_{line_id}": str(q) for line_id, q in quantities.items()}
    return {**data, "edit-shipping": shipping, "edit-submit": "Save changes"}


def payment(amount: str) -> dict:
    return {"payment-amount": amount, "payment-submit": "Record payment"}


def refund(amount: str) -> dict:
    return {"refund-amount": amount, "refund-submit": "Refund"}


REFUND_EVERYTHING = {"refund-amount": "", "refund-refund_all": "Refund everything"}
CANCEL = {"cancel-confirm": "y", "cancel-submit": "Cancel order"}


# --- Who may use the admin ------------------------------------------------------------

ADMIN_ROUTES = [
    ("GET", "/admin/"),
    ("GET", "/admin/orders/{id}"),
    ("POST", "/admin/orders/{id}/edit"),
    ("POST", "/admin/orders/{id}/payment"),
    ("POST", "/admin/orders/{id}/refund"),
    ("POST", "/admin/orders/{id}/cancel"),
]


@pytest.mark.parametrize(("method", "url"), ADMIN_ROUTES)
def test_a_customer_gets_403_and_changes_nothing(app, client, auth, method, url):
    order_id = checkout(app, client, auth, payment_method="invoice")
    auth.logout()
    auth.login()
    before = stored(app, order_id)

    response = client.open(url.format(id=order_id), method=method, data=payment("1.00"))

    assert response.status_code == 403
    assert "for store staff only" in text_of(response)
    assert stored(app, order_id) == before


@pytest.mark.parametrize(("method", "url"), ADMIN_ROUTES)
def test_an_anonymous_visitor_is_sent_to_log_in(app, client, auth, method, url):
    order_id = checkout(app, client, auth, payment_method="invoice")
    auth.logout()
    before = stored(app, order_id)

    response = client.open(url.format(id=order_id), method=method, data=CANCEL)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert stored(app, order_id) == before


def test_the_admin_link_shows_for_admins_only(client, auth):
    auth.login()
    assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login_admin()
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)


# --- The list -------------------------------------------------------------------------


def test_the_list_shows_orders_newest_first_with_money_and_statuses(app, client, auth):
    paid = checkout(app, client, auth, payment_method="card")
    unpaid = checkout(app, client, auth, payment_method="invoice", items=(("house-blend", 1),))

    response = client.get("/admin/")

    assert response.status_code == 200
    page = text_of(response)
    assert page.index(f"#{1000 + unpaid}") < page.index(f"#{1000 + paid}")
    assert CUSTOMER_EMAIL in page
    assert "$36.95" in page  # 2 x $16.00 + $4.95 shipping, paid
    assert "$20.95" in page  # 1 x $16.00 + $4.95 shipping, not paid
    assert "Paid" in page and "Not paid" in page
    assert f'href="/admin/orders/{paid}"' in response.get_data(as_text=True)


def test_the_list_filters_by_status(app, client, auth):
    paid = checkout(app, client, auth, payment_method="card")
    unpaid = checkout(app, client, auth, payment_method="invoice")

    page = text_of(client.get("/admin/?status=not_paid"))

    assert f"#{1000 + unpaid}" in page
    assert f"#{1000 + paid}" not in page


def test_the_list_pages_at_50(app, client, auth):
    first = checkout(app, client, auth)
    with app.app_context():
        # Copies of the first order, quicker than 50 more checkouts.
        template = db.session.get(Order, first)
        columns = [c.key for c in Order.__table__.columns if c.key not in ("id", "checkout_token")]
        for _ in range(50):
            db.session.add(Order(**{key: getattr(template, key) for key in columns}))
        db.session.commit()

    page_one = text_of(client.get("/admin/"))
    page_two = text_of(client.get("/admin/?page=2"))

    assert "Page 1 of 2" in page_one
    assert f"#{1000 + first}" not in page_one  # the oldest is the 51st
    assert f"#{1000 + first}" in page_two
    assert len(re.findall(r"#1\d{3}", page_two)) == 1


@pytest.mark.parametrize("query", ["status=shipped", "page=0", "page=abc", "page=" + "9" * 40])
def test_a_filter_the_list_does_not_understand_is_a_400_that_lists_everything(
    app, client, auth, query
):
    order_id = checkout(app, client, auth)

    response = client.get(f"/admin/?{query}")

    assert response.status_code == 400
    page = text_of(response)
    assert "Not a valid choice" in page or "Enter a" in page
    assert f"#{1000 + order_id}" in page


# --- The detail page ------------------------------------------------------------------


def test_the_order_page_shows_everything_about_the_order(app, client, auth):
    code = make_code(app, 500)
    order_id = checkout(app, client, auth, payment_method="invoice", code=code)
    client.post(f"/admin/orders/{order_id}/payment", data=payment("10.00"))

    response = client.get(f"/admin/orders/{order_id}")

    assert response.status_code == 200
    page = text_of(response)
    assert f"Order #{1000 + order_id}" in page
    assert "House Blend Beans" in page
    assert "$32.00" in page  # the line, and the subtotal
    # $32.00 - $5.00 + $4.95, of which $10.00 is paid.
    assert re.search(r"Order total \$31\.95", page)
    assert re.search(r"Paid \$10\.00", page)
    assert re.search(r"Refunded \$0\.00", page)
    assert re.search(r"Balance due \$21\.95", page)
    assert re.search(r"Refundable \$10\.00", page)
    assert re.search(rf"{code} \$5\.00 \$5\.00", page)  # face value, amount applied
    assert CUSTOMER_EMAIL in page
    assert "12 Analytical Row" in page and "N1 9GU" in page
    assert "127.0.0.1" in page
    assert "Partially paid" in page
    for button in ("Save changes", "Record payment", "Refund", "Refund everything", "Cancel order"):
        assert f'value="{button}"' in response.get_data(as_text=True)


def test_the_payment_form_starts_at_the_balance_due(app, client, auth):
    order_id = checkout(app, client, auth, payment_method="invoice")

    body = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)

    assert re.search(r'name="payment-amount"[^>]*value="36.95"', body)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "", {}),
        ("POST", "/edit", edit({}, "4.95")),
        ("POST", "/payment", payment("1.00")),
        ("POST", "/refund", REFUND_EVERYTHING),
        ("POST", "/cancel", CANCEL),
    ],
)
def test_an_unknown_order_is_404(client, auth, method, path, data):
    auth.login_admin()

    response = client.open(f"/admin/orders/999{path}", method=method, data=data)

    assert response.status_code == 404
    assert "There is no order with that id." in text_of(response)


# --- Actions that succeed -------------------------------------------------------------


def test_editing_quantities_and_shipping_recomputes_the_totals(app, client, auth):
    order_id = checkout(
        app,
        client,
        auth,
        payment_method="invoice",
        items=(("house-blend", 2), ("paper-filters", 1)),
    )
    blend, filters = line_ids(app, order_id)

    response = client.post(
        f"/admin/orders/{order_id}/edit", data=edit({blend: 3, filters: 0}, shipping="7.50")
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/orders/{order_id}"
    order = stored(app, order_id)
    assert order["lines"] == [("House Blend Beans", 3)]  # 0 removed the filters
    assert order["subtotal"] == 3 * HOUSE_BLEND
    assert order["shipping"] == 750
    assert order["total"] == 3 * HOUSE_BLEND + 750
    assert "Order 10" in text_of(client.get(response.headers["Location"]))


def test_an_edit_caps_the_discount_at_the_new_subtotal(app, client, auth):
    code = make_code(app, 1000)
    order_id = checkout(
        app,
        client,
        auth,
        payment_method="invoice",
        items=(("house-blend", 1), ("paper-filters", 1)),
        code=code,
    )
    blend, filters = line_ids(app, order_id)
    assert stored(app, order_id)["discount"] == 1000

    response = client.post(f"/admin/orders/{order_id}/edit", data=edit({blend: 0, filters: 1}))

    assert response.status_code == 302
    order = stored(app, order_id)
    assert order["subtotal"] == PAPER_FILTERS
    assert order["discounts"] == [(code, 1000, PAPER_FILTERS)]  # face value kept, capped
    assert order["discount"] == PAPER_FILTERS
    assert order["total"] == SHIPPING


def test_payments_in_parts_make_the_order_partially_paid_then_paid(app, client, auth):
    order_id = checkout(app, client, auth, payment_method="invoice")  # $36.95

    first = client.post(f"/admin/orders/{order_id}/payment", data=payment("20.00"))

    assert first.status_code == 302
    order = stored(app, order_id)
    assert (order["paid"], order["payment_status"]) == (2000, "partially_paid")
    assert "Recorded a payment of $20.00." in text_of(client.get(first.headers["Location"]))

    rest = client.post(f"/admin/orders/{order_id}/payment", data=payment("$16.95"))

    assert rest.status_code == 302
    order = stored(app, order_id)
    assert (order["paid"], order["payment_status"]) == (3695, "paid")


def test_a_partial_refund_makes_the_order_partially_refunded(app, client, auth):
    order_id = checkout(app, client, auth, payment_method="card")

    response = client.post(f"/admin/orders/{order_id}/refund", data=refund("5.00"))

    assert response.status_code == 302
    order = stored(app, order_id)
    assert (order["refunded"], order["refund_status"]) == (500, "partially_refunded")
    assert "Refunded $5.00." in text_of(client.get(response.headers["Location"]))


def test_refund_everything_refunds_what_is_left(app, client, auth):
    order_id = checkout(app, client, auth, payment_method="card")
    client.post(f"/admin/orders/{order_id}/refund", data=refund("5.00"))

    response = client.post(f"/admin/orders/{order_id}/refund", data=REFUND_EVERYTHING)

    assert response.status_code == 302
    order = stored(app, order_id)
    assert (order["refunded"], order["refund_status"]) == (3695, "refunded")
    assert "Refunded $31.95." in text_of(client.get(response.headers["Location"]))


def test_refund_everything_ignores_whatever_is_in_the_amount_box(app, client, auth):
    order_id = checkout(app, client, auth, payment_method="card")

    response = client.post(
        f"/admin/orders/{order_id}/refund", data={**REFUND_EVERYTHING, "refund-amount": "abc"}
    )

    assert response.status_code == 302
    assert stored(app, order_id)["refund_status"] == "refunded"


def test_cancel_cancels_and_keeps_the_payment(app, client, auth):
    order_id = checkout(app, client, auth, payment_method="card")

    response = client.post(f"/admin/orders/{order_id}/cancel", data=CANCEL)

    assert response.status_code == 302
    order = stored(app, order_id)
    assert order["cancellation_status"] == "cancelled"
    assert order["paid"] == 3695
    page = text_of(client.get(response.headers["Location"]))
    assert f"Order {1000 + order_id} cancelled." in page
    assert "Order 1001 is already cancelled." in page


# --- Actions the order's state refuses ------------------------------------------------

# name: (payment method, actions done first, the refused action, its data, message)
REFUSALS = {
    "refund-more-than-paid": (
        "card",
        [],
        "refund",
        lambda lines: refund("36.96"),
        "The refund ($36.96) is more than what can be refunded ($36.95).",
    ),
    "refund-with-nothing-paid": (
        "invoice",
        [],
        "refund",
        lambda lines: refund("1.00"),
        "Nothing to refund: no payment has been taken.",
    ),
    "refund-everything-with-nothing-paid": (
        "invoice",
        [],
        "refund",
        lambda lines: REFUND_EVERYTHING,
        "Nothing to refund: no payment has been taken.",
    ),
    "payment-more-than-due": (
        "invoice",
        [("payment", payment("30.00"))],
        "payment",
        lambda lines: payment("7.00"),
        "The payment ($7.00) is more than the balance due ($6.95).",
    ),
    "payment-on-cancelled-order": (
        "invoice",
        [("cancel", CANCEL)],
        "payment",
        lambda lines: payment("1.00"),
        "is cancelled: it cannot take a payment.",
    ),
    "payment-on-paid-order": (
        "card",
        [],
        "payment",
        lambda lines: payment("1.00"),
        "is already paid in full.",
    ),
    "edit-cancelled-order": (
        "invoice",
        [("cancel", CANCEL)],
        "edit",
        lambda lines: edit({lines[0]: 1}),
        "is cancelled: it cannot be edited.",
    ),
    "edit-removing-every-line": (
        "invoice",
        [],
        "edit",
        lambda lines: edit({lines[0]: 0}),
        "An order needs at least one item; cancel it instead.",
    ),
    "cancel-twice": (
        "invoice",
        [("cancel", CANCEL)],
        "cancel",
        lambda lines: CANCEL,
        "is already cancelled.",
    ),
}


@pytest.mark.parametrize(
    ("payment_method", "before", "action", "data", "message"),
    list(REFUSALS.values()),
    ids=list(REFUSALS),
)
def test_a_refused_action_shows_why_with_409_and_changes_nothing(
    app, client, auth, payment_method, before, action, data, message
):
    order_id = checkout(app, client, auth, payment_method=payment_method)
    for earlier_action, earlier_data in before:
        earlier = client.post(f"/admin/orders/{order_id}/{earlier_action}", data=earlier_data)
        assert earlier.status_code == 302
    unchanged = stored(app, order_id)

    response = client.post(f"/admin/orders/{order_id}/{action}", data=data(line_ids(app, order_id)))

    assert response.status_code == 409
    page = text_of(response)
    assert message in page
    assert f"Order #{1000 + order_id}" in page  # the order page, shown again
    assert stored(app, order_id) == unchanged


def test_a_refused_edit_shows_the_discount_as_stored(app, client, auth):
    """A refused edit leaves no capped discount behind in the session or on the page."""
    code = make_code(app, 1000)
    order_id = checkout(
        app,
        client,
        auth,
        payment_method="invoice",
        items=(("house-blend", 1), ("paper-filters", 1)),
        code=code,
    )
    sent_to_loyaltylion(app, order_id)  # an unpaid order LoyaltyLion has: no reductions
    blend, filters = line_ids(app, order_id)

    response = client.post(f"/admin/orders/{order_id}/edit", data=edit({blend: 0, filters: 1}))

    assert response.status_code == 409
    assert re.search(rf"{code} \$10\.00 \$10\.00", text_of(response))
    assert stored(app, order_id)["discounts"] == [(code, 1000, 1000)]


def sent_to_loyaltylion(app, order_id: int) -> None:
    """As if the worker had delivered the order's create to LoyaltyLion."""
    with app.app_context():
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.kind == "order_create", OutboxEvent.target == str(order_id))
            .values(status="delivered")
        )
        db.session.commit()


def test_an_edit_below_what_was_paid_refunds_the_difference(app, client, auth):
    order_id = checkout(app, client, auth)  # card: 2 x House Blend, paid
    before = stored(app, order_id)
    (blend,) = line_ids(app, order_id)

    response = client.post(f"/admin/orders/{order_id}/edit", data=edit({blend: 1}))

    assert response.status_code == 302
    order = stored(app, order_id)
    assert order["total"] == before["total"] - HOUSE_BLEND
    assert order["paid"] == before["paid"]
    assert order["refunded"] == HOUSE_BLEND
    assert (order["payment_status"], order["refund_status"]) == ("paid", "partially_refunded")
    page = text_of(client.get(response.headers["Location"]))
    assert f"and {format_money(HOUSE_BLEND)} was refunded" in page


HELD_EDITS = {
    "invoice, take an item off": ("invoice", {0: 1}, None, "until it is paid in full"),
    "card, add an item": ("card", {0: 3}, None, "cannot be told a higher total"),
    "card, change shipping": ("card", {0: 2}, "0.00", "cannot be told a new shipping charge"),
}


@pytest.mark.parametrize(
    ("payment_method", "quantities", "shipping", "why"), HELD_EDITS.values(), ids=list(HELD_EDITS)
)
def test_once_loyaltylion_has_the_order_an_edit_it_cannot_be_told_is_refused(
    app, client, auth, payment_method, quantities, shipping, why
):
    order_id = checkout(app, client, auth, payment_method=payment_method)
    sent_to_loyaltylion(app, order_id)
    unchanged = stored(app, order_id)
    lines = line_ids(app, order_id)
    extra = {"shipping": shipping} if shipping else {}
    data = edit({lines[i]: q for i, q in quantities.items()}, **extra)

    response = client.post(f"/admin/orders/{order_id}/edit", data=data)

    assert response.status_code == 409
    page = text_of(response)
    assert f"LoyaltyLion already has order {1000 + order_id}" in page
    assert why in page
    assert stored(app, order_id) == unchanged


def test_once_loyaltylion_has_a_paid_order_taking_an_item_off_is_a_refund(app, client, auth):
    order_id = checkout(app, client, auth)
    sent_to_loyaltylion(app, order_id)
    (blend,) = line_ids(app, order_id)
    response = client.post(f"/admin/orders/{order_id}/edit", data=edit({blend: 1}))
    assert response.status_code == 302
    assert stored(app, order_id)["refunded"] == HOUSE_BLEND


def test_the_order_page_shows_what_loyaltylion_sees(app, client, auth):
    order_id = checkout(app, client, auth)
    page = text_of(client.get(f"/admin/orders/{order_id}"))
    assert "Not sent to LoyaltyLion yet: an edit changes the order it will receive." in page
    sent_to_loyaltylion(app, order_id)
    (blend,) = line_ids(app, order_id)
    client.post(f"/admin/orders/{order_id}/edit", data=edit({blend: 1}))

    response = client.get(f"/admin/orders/{order_id}")
    page = text_of(response)
    order = stored(app, order_id)
    assert "LoyaltyLion has this order." in page
    html = response.get_data(as_text=True)
    view = text_of_fragment(html, "lion-view")
    paid = format_money(order["paid"])
    assert f"Total {paid}" in view  # what was paid: the refund says the rest
    assert f"Refunded {format_money(HOUSE_BLEND)} (partially refunded)" in view
    spend = order["total"] - order["shipping"]
    assert f"Earns points on {format_money(spend)}" in view
    assert "1 change still to be sent." in page


def text_of_fragment(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</dl>', html, re.S)
    assert match, testid
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def test_a_malformed_action_form_is_a_400_with_the_field_message(app, client, auth):
    order_id = checkout(app, client, auth, payment_method="invoice")
    unchanged = stored(app, order_id)

    response = client.post(f"/admin/orders/{order_id}/payment", data=payment("12.345"))

    assert response.status_code == 400
    page = text_of(response)
    assert "The payment was not recorded." in page
    assert "Use at most two decimal places." in page
    assert 'value="12.345"' in response.get_data(as_text=True)  # what was typed, kept
    assert stored(app, order_id) == unchanged


# --- CSRF -----------------------------------------------------------------------------


@pytest.fixture
def csrf_client(app_config):
    """A client for an app with CSRF protection on, as in production."""
    app = build_app({**TEST_CONFIG, **app_config, "WTF_CSRF_ENABLED": True})
    yield app, app.test_client()
    dispose(app)


def csrf_token(response) -> str:
    body = response.get_data(as_text=True)
    match = re.search(r'name="(?:[a-z]+-)?csrf_token"[^>]*value="([^"]+)"', body)
    assert match, "no CSRF token on the page"
    return match[1]


def test_actions_need_the_forms_csrf_token(csrf_client):
    app, client = csrf_client
    with app.app_context():
        customer = db.session.execute(select(User).where(User.email == CUSTOMER_EMAIL)).scalar_one()
        order = Order(
            customer_id=customer.id,
            customer_email=customer.email,
            ship_name="Ada",
            ship_address="1 Row",
            ship_city="London",
            ship_postcode="N1",
            ship_country="GB",
            subtotal_cents=HOUSE_BLEND,
            shipping_cents=SHIPPING,
            total_cents=HOUSE_BLEND + SHIPPING,
            payment_method="invoice",
        )
        db.session.add(order)
        db.session.commit()
        order_id = order.id
    token = csrf_token(client.get("/login"))
    client.post(
        "/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token}
    )

    forged = client.post(f"/admin/orders/{order_id}/cancel", data=CANCEL)

    assert forged.status_code == 400
    with app.app_context():
        assert not db.session.get(Order, order_id).is_cancelled

    token = csrf_token(client.get(f"/admin/orders/{order_id}"))
    real = client.post(
        f"/admin/orders/{order_id}/cancel", data={**CANCEL, "cancel-csrf_token": token}
    )

    assert real.status_code == 302
    with app.app_context():
        assert db.session.get(Order, order_id).is_cancelled
