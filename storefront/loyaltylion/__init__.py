"""LoyaltyLion for a custom Flask store: Admin API client, transactional outbox,
background delivery, CLI, a delivery log for the store admin, and the SDK auth token.

Copy this package whole. It needs only a thin adapter from your store (see
`storefront/loyalty.py` in this repo) that calls `init_app` and the `record_*`
methods from your signup and order code, inside your database transaction:

    loyaltylion = LoyaltyLion()
    loyaltylion.init_app(app, session=db.session, engine=lambda: db.engine,
                         is_admin=lambda: current_user.is_admin)
    ...
    loyaltylion.record_signup(Customer(id=user.id, email=user.email), shopper=...)
    db.session.commit()   # the event commits with the signup, or not at all

Configuration (app.config, usually from the environment): LOYALTYLION_API_URL,
LOYALTYLION_API_KEY, LOYALTYLION_TOKEN, LOYALTYLION_SECRET, LOYALTYLION_SITE_ID,
LOYALTYLION_TIMEOUT_CONNECT, LOYALTYLION_TIMEOUT_READ, LOYALTYLION_RATE_LIMIT,
LOYALTYLION_WORKER_IN_PROCESS.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from storefront.loyaltylion import outbox, payloads
from storefront.loyaltylion.client import DEFAULT_API_URL, LoyaltyLionClient
from storefront.loyaltylion.models import (
    KIND_ACTIVITY,
    KIND_ACTIVITY_STATE,
    KIND_CUSTOMER_UPDATE,
    KIND_ORDER_CREATE,
    KIND_ORDER_UPDATE,
    Base,
    OutboxEvent,
    utcnow,
)
from storefront.loyaltylion.payloads import Customer, OrderSnapshot, Shopper
from storefront.loyaltylion.ratelimit import RatePacer
from storefront.loyaltylion.sdk import DEFAULT_SDK_ORIGIN
from storefront.loyaltylion.worker import Worker

__all__ = [
    "Customer",
    "LoyaltyLion",
    "OrderSnapshot",
    "OutboxEvent",
    "Shopper",
    "get_extension",
]

DEFAULTS: dict[str, Any] = {
    "LOYALTYLION_API_URL": DEFAULT_API_URL,
    "LOYALTYLION_API_KEY": "",
    "LOYALTYLION_TOKEN": "",
    "LOYALTYLION_SECRET": "",
    "LOYALTYLION_SITE_ID": "",
    # Both SDK scripts come from here, at the published paths (sdk.py).
    "LOYALTYLION_SDK_ORIGIN": DEFAULT_SDK_ORIGIN,
    # Optional: a loader URL used as is instead of the dated one.
    "LOYALTYLION_SDK_URL": "",
    # The store's public webhook URL, for `loyaltylion webhooks subscribe`.
    "LOYALTYLION_WEBHOOK_URL": "",
    "LOYALTYLION_CSP_EXTRA_ORIGINS": [],
    "LOYALTYLION_TIMEOUT_CONNECT": 3.05,
    "LOYALTYLION_TIMEOUT_READ": 10.0,
    # LoyaltyLion allows 20 requests/second per program; stay a little under it.
    "LOYALTYLION_RATE_LIMIT": 18.0,
    "LOYALTYLION_WORKER_IN_PROCESS": False,
    "LOYALTYLION_WORKER_THREADS": 2,
    "LOYALTYLION_WORKER_POLL_SECONDS": 1.0,
    "LOYALTYLION_LEASE_SECONDS": 60.0,
    "LOYALTYLION_ADMIN_LAYOUT": "base.html",
}


class LoyaltyLion:
    def __init__(self) -> None:
        self._session_factory: Callable[[], Any] | None = None
        self.is_admin: Callable[[], bool] = lambda: False
        self.recreate_order: Callable[[str], dict[str, Any] | None] | None = None
        self.webhook_topics: Callable[[], tuple[str, ...]] = tuple
        self.pacer: RatePacer | None = None
        self.worker: Worker | None = None
        self._worker_lock = threading.Lock()

    def init_app(
        self,
        app: Flask,
        *,
        session: Any,
        engine: Callable[[], Engine],
        is_admin: Callable[[], bool],
        recreate_order: Callable[[str], dict[str, Any] | None] | None = None,
        webhook_topics: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        """`session`: your scoped session (e.g. Flask-SQLAlchemy's `db.session`);
        `engine`: returns the engine the outbox table lives in; `is_admin`: guards the
        delivery log; `recreate_order(merchant_id)`: optional, builds a create payload
        for an order the outbox has none for; `webhook_topics()`: optional, the webhook
        topics the store handles (`loyaltylion webhooks subscribe` subscribes them)."""
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        self._session_factory = session
        self.is_admin = is_admin
        self.recreate_order = recreate_order
        if webhook_topics is not None:
            self.webhook_topics = lambda: tuple(webhook_topics())
        self.pacer = RatePacer(float(app.config["LOYALTYLION_RATE_LIMIT"]))
        app.extensions["loyaltylion"] = self

        with app.app_context():
            Base.metadata.create_all(engine())

        from storefront.loyaltylion.admin import bp as admin_bp
        from storefront.loyaltylion.cli import loyaltylion_cli

        app.register_blueprint(admin_bp)
        app.cli.add_command(loyaltylion_cli)

        if app.config["LOYALTYLION_WORKER_IN_PROCESS"]:
            # Started by the first request, not at import: `flask seed` and other
            # commands must not spawn delivery threads.
            app.before_request(lambda: self.ensure_worker(app))

    # -- plumbing --------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        assert self._session_factory is not None, "call init_app first"
        return self._session_factory  # a scoped session proxies to the current one

    @staticmethod
    def configured(app: Flask | None = None) -> bool:
        config = (app or current_app).config
        return bool(config["LOYALTYLION_API_KEY"]) or bool(
            config["LOYALTYLION_TOKEN"] and config["LOYALTYLION_SECRET"]
        )

    def make_client(self) -> LoyaltyLionClient:
        config = current_app.config
        return LoyaltyLionClient(
            config["LOYALTYLION_API_URL"],
            api_key=config["LOYALTYLION_API_KEY"],
            site_token=config["LOYALTYLION_TOKEN"],
            site_secret=config["LOYALTYLION_SECRET"],
            site_id=config["LOYALTYLION_SITE_ID"] or None,
            connect_timeout=float(config["LOYALTYLION_TIMEOUT_CONNECT"]),
            read_timeout=float(config["LOYALTYLION_TIMEOUT_READ"]),
        )

    def make_deliverer(self, **overrides: Any) -> outbox.Deliverer:
        assert self.pacer is not None
        options: dict[str, Any] = {
            "lease_seconds": float(current_app.config["LOYALTYLION_LEASE_SECONDS"]),
            "recreate_order": self.recreate_order,
        }
        options.update(overrides)
        return outbox.Deliverer(self.session, self.make_client(), self.pacer, **options)

    def ensure_worker(self, app: Flask) -> None:
        if self.worker is not None or not self.configured(app):
            return
        with self._worker_lock:
            if self.worker is None:
                self.worker = Worker(
                    app,
                    threads=int(app.config["LOYALTYLION_WORKER_THREADS"]),
                    poll_interval=float(app.config["LOYALTYLION_WORKER_POLL_SECONDS"]),
                ).start()

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    # -- recording events (inside the caller's transaction) ----------------------------------

    def record_signup(
        self, customer: Customer, *, shopper: Shopper | None = None, date: datetime | None = None
    ) -> OutboxEvent:
        """Owe LoyaltyLion a `$signup` activity for this new account. It heads the
        customer's stream: their profile updates need LoyaltyLion to know them."""
        body = payloads.signup_activity(customer, date=date or utcnow(), shopper=shopper)
        return outbox.enqueue(
            self.session,
            kind=KIND_ACTIVITY,
            stream=outbox.customer_stream(customer.id),
            payload=body,
            customer_id=customer.id,
        )

    def record_activity(
        self,
        name: str,
        customer: Customer,
        *,
        merchant_id: str | None = None,
        shopper: Shopper | None = None,
        properties: dict[str, Any] | None = None,
        date: datetime | None = None,
    ) -> OutboxEvent:
        """Owe LoyaltyLion an activity (a custom rule, a review). Give it a merchant_id
        that is unique and stable for what happened: it is how a later state change
        finds it, and how a re-send after a lost answer is recognised."""
        body = payloads.activity(
            name,
            customer,
            date=date or utcnow(),
            merchant_id=merchant_id,
            shopper=shopper,
            properties=properties,
        )
        return outbox.enqueue(
            self.session,
            kind=KIND_ACTIVITY,
            stream=outbox.activity_stream(name, merchant_id),
            payload=body,
            customer_id=customer.id,
        )

    def record_activity_state(
        self, name: str, merchant_id: str, state: str, *, customer_id: str | int
    ) -> OutboxEvent:
        """Approve, decline or void an activity recorded earlier with this merchant_id."""
        return outbox.enqueue(
            self.session,
            kind=KIND_ACTIVITY_STATE,
            stream=outbox.activity_stream(name, merchant_id),
            target=f"{name}/{merchant_id}",
            payload=payloads.activity_state(state),
            customer_id=customer_id,
        )

    def record_customer_update(self, customer_id: str | int, *, birthday: date) -> OutboxEvent:
        """Owe LoyaltyLion the customer's birthday (set or changed). There is no way to
        clear one: Update Customer takes a date string, never null."""
        return outbox.enqueue(
            self.session,
            kind=KIND_CUSTOMER_UPDATE,
            stream=outbox.customer_stream(customer_id),
            target=str(customer_id),
            payload=payloads.customer_update(birthday=birthday),
            customer_id=customer_id,
        )

    def forget_customer(self, customer_id: str | int) -> int:
        """The customer left: drop their own activity and profile events not yet sent
        (same transaction as the closure). Their orders' events still go: a refund after
        closure must reach LoyaltyLion. Deleting their data at LoyaltyLion is a request
        to its support."""
        return outbox.forget_customer(self.session, customer_id)

    def record_order_created(self, order: OrderSnapshot) -> OutboxEvent:
        return outbox.enqueue(
            self.session,
            kind=KIND_ORDER_CREATE,
            stream=outbox.order_stream(order.merchant_id),
            target=order.merchant_id,
            payload=payloads.order_create(order),
            customer_id=order.customer.id,
        )

    def hold_unsent_create(self, merchant_id: str) -> bool:
        """Before an edit changes an order's totals, inside the edit's transaction:
        True when LoyaltyLion does not have the order yet (its create is still in the
        outbox), which then stays so until the transaction ends. LoyaltyLion's Update
        Order carries no total: once the create is sent, a new total can only reach it
        as a refund.
        https://developers.loyaltylion.com/api-reference/v2/resources/orders/update-order
        """
        return outbox.hold_unsent_create(self.session, merchant_id)

    def order_view(self, merchant_id: str) -> outbox.OrderView | None:
        """The order as LoyaltyLion has it, or will have it once the queue drains."""
        return outbox.order_view(self.session, merchant_id)

    def record_order_updated(self, order: OrderSnapshot) -> OutboxEvent:
        """Owe LoyaltyLion the order's whole current state. A create that has not gone
        out yet is brought up to date too, so LoyaltyLion receives the order as it is."""
        outbox.refresh_unsent_create(self.session, order.merchant_id, payloads.order_create(order))
        return outbox.enqueue(
            self.session,
            kind=KIND_ORDER_UPDATE,
            stream=outbox.order_stream(order.merchant_id),
            target=order.merchant_id,
            payload=payloads.order_update(order),
            customer_id=order.customer.id,
        )


def get_extension(app: Flask | None = None) -> LoyaltyLion:
    return (app or current_app).extensions["loyaltylion"]
