"""Property-based fuzzing of every form and JSON endpoint: whatever arrives, the answer is
never a 5xx and the database is never left half written.

Each example posts one generated body to one endpoint, as the role that can reach it,
encoded as a form or as JSON, then checks the invariants every change must keep: no
order without lines, no used voucher without its order, no discount without a voucher
it used, no outbox event without the change it describes.

Bounded for CI (FUZZ_EXAMPLES, default 200); `FUZZ_EXAMPLES=5000 make test` runs more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from storefront.extensions import db
from tests.conftest import TEST_CONFIG, AuthActions, build_app, dispose, place_order, product_id

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
SECRET = "fuzz-site-secret"

# What each endpoint's form names (from storefront/*/forms.py), who may post it, and
# where. Generated bodies draw their keys from these, plus any other key.
ENDPOINTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("guest", "/signup", ("email", "password", "name", "newsletter")),
    ("guest", "/login", ("email", "password", "remember")),
    ("customer", "/cart/add", ("product_id", "quantity")),
    ("customer", "/cart/update", ("product_id", "quantity")),
    ("customer", "/cart/remove", ("product_id",)),
    ("customer", "/checkout/discount", ("code",)),
    ("customer", "/checkout/discount/remove", ()),
    (
        "customer",
        "/checkout/",
        ("name", "address", "city", "postcode", "country", "payment_method", "attempt"),
    ),
    ("customer", "/account/preferences", ("newsletter", "birthday")),
    ("customer", "/account/close", ("password", "confirm")),
    ("customer", "/products/house-blend/reviews", ("rating", "body")),
    ("admin", "/admin/orders/1/edit", ("edit-shipping", "edit-line_1", "edit-submit")),
    ("admin", "/admin/orders/1/payment", ("payment-amount", "payment-submit")),
    ("admin", "/admin/orders/1/refund", ("refund-amount", "refund-submit", "refund-refund_all")),
    ("admin", "/admin/orders/1/cancel", ("cancel-confirm", "cancel-submit")),
    (
        "admin",
        "/admin/vouchers",
        ("name", "amount", "count", "prefix", "expires_on", "min_subtotal"),
    ),
    ("admin", "/admin/reviews/1/moderate", ("approve", "decline")),
    ("guest", "/csp-report", ("csp-report", "type", "body")),
    ("guest", "/webhooks/loyaltylion", ("id", "topic", "created_at", "payload")),
]

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1e9",
    "99999999999999999999",
    "NaN",
    "1.005",
    "12,50",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202eevil",
    "x" * 5000,
    "customer@example.com",
    "2026-02-30",
    "free-gift-next-order",
    "GB",
    "card",
    "invoice",
    "5",
]
scalars = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def requests_to_send(draw):
    role, path, fields = draw(st.sampled_from(ENDPOINTS))
    keys = draw(
        st.lists(st.sampled_from(fields + ("other",)), unique=True, max_size=len(fields) + 1)
    )
    as_json = draw(st.booleans())
    if as_json:
        body = {key: draw(json_values) for key in keys}
    else:
        body = {key: draw(st.sampled_from(HOSTILE) | st.text(max_size=60)) for key in keys}
    return role, path, as_json, body


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    uri = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}"
    )
    app = build_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri, "LOYALTYLION_SECRET": SECRET})
    clients = {
        "guest": app.test_client(),
        "customer": app.test_client(),
        "admin": app.test_client(),
    }
    AuthActions(clients["customer"]).login()
    AuthActions(clients["admin"]).login_admin()
    customer = clients["customer"]
    customer.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    place_order(customer, payment_method="invoice")  # order 1, for the admin's forms
    customer.post("/products/house-blend/reviews", data={"rating": "4", "body": "Nice."})
    customer.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    yield app, clients
    dispose(app)


INVARIANTS = {
    "an order without lines": (
        "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS "
        "(SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"
    ),
    "a used voucher without its order": (
        "SELECT COUNT(*) FROM vouchers v WHERE (v.used_at IS NULL) <> (v.order_id IS NULL) "
        "OR (v.order_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = v.order_id))"
    ),
    "a discount without the voucher it used": (
        "SELECT COUNT(*) FROM order_discounts d WHERE NOT EXISTS "
        "(SELECT 1 FROM vouchers v WHERE v.code = d.code AND v.order_id = d.order_id)"
    ),
    "an order event without its order": (
        "SELECT COUNT(*) FROM loyaltylion_outbox e "
        "WHERE e.kind IN ('order_create', 'order_update') AND NOT EXISTS "
        "(SELECT 1 FROM orders o WHERE CAST(o.id AS VARCHAR(20)) = e.target)"
    ),
    "a signup event without its customer": (
        "SELECT COUNT(*) FROM loyaltylion_outbox e WHERE e.stream LIKE 'customer:%' "
        "AND NOT EXISTS (SELECT 1 FROM users u WHERE CAST(u.id AS VARCHAR(20)) = e.customer_id)"
    ),
    "a review event without its review": (
        "SELECT COUNT(*) FROM loyaltylion_outbox e WHERE e.stream LIKE 'activity:product_review/%' "
        "AND NOT EXISTS (SELECT 1 FROM reviews r "
        "WHERE e.stream = 'activity:product_review/review-' || CAST(r.id AS VARCHAR(20)))"
    ),
}


def _signed(body: bytes) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    return {"X-LoyaltyLion-Hmac-SHA256": base64.b64encode(digest).decode()}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests_to_send())
def test_no_body_gets_a_5xx_or_leaves_a_partial_write(fuzz_app, request):
    app, clients = fuzz_app
    role, path, as_json, body = request
    client = clients[role]
    if as_json:
        raw = json.dumps(body, allow_nan=True).encode()
        headers = {"Content-Type": "application/json"}
        if path == "/webhooks/loyaltylion":
            headers.update(_signed(raw))  # past the signature, into the parsing
        response = client.post(path, data=raw, headers=headers)
    else:
        response = client.post(path, data=body)
    response.close()  # a webhook's processing runs now, as after a real answer
    assert response.status_code < 500, (path, body, response.status_code)
    with app.app_context():
        for name, query in INVARIANTS.items():
            assert db.session.execute(text(query)).scalar_one() == 0, f"{name} after {path} {body}"
