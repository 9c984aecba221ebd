"""The shopper's IP, which LoyaltyLion uses against referral fraud, is only taken from
X-Forwarded-For when TRUSTED_PROXY_COUNT says a proxy in front of us sets it."""

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order
from tests.conftest import SHIPPING_FORM, checkout_attempt, product_id


def _order_ip(app, client, auth, forwarded_for: str) -> str | None:
    auth.login()
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    response = client.post(
        "/checkout/",
        data={**SHIPPING_FORM, "attempt": checkout_attempt(client)},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": "10.0.0.5"},
    )
    assert response.status_code == 302
    with app.app_context():
        return db.session.execute(select(Order.ip_address)).scalar_one()


def test_forwarded_header_is_ignored_without_a_trusted_proxy(app, client, auth):
    assert _order_ip(app, client, auth, "203.0.113.9") == "10.0.0.5"


class TestBehindOneTrustedProxy:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "TRUSTED_PROXY_COUNT": 1}

    def test_the_address_our_proxy_appended_is_used(self, app, client, auth):
        # A client-forged first hop is skipped: only the proxy's own entry counts.
        assert _order_ip(app, client, auth, "6.6.6.6, 203.0.113.9") == "203.0.113.9"
