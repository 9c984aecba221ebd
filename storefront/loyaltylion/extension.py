"""The `LoyaltyLion` Flask extension: one object the store sets up once and calls from its
signup and order code.

    loyaltylion = LoyaltyLion()
    loyaltylion.init_app(app, session=db.session, engine=lambda: db.engine,
                         is_admin=lambda: current_user.is_admin,
                         current_customer=lambda: Customer(current_user.id, current_user.email))

    loyaltylion.record_signup(Customer(id=user.id, email=user.email), shopper=...)
    db.session.commit()   # the event commits with the signup, or not at all

init_app registers the admin's pages, the webhook receiver, the package's static files
and templates, the referral cookie, the SDK's template helper and the CLI.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session
from flask.typing import ResponseReturnValue
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import admin, csrf, outbox, payloads, receiver, referrals, sdk, session_tokens, webhooks
from .backfill import OrderSource
from .cli import loyaltylion_cli
from .client import DEFAULT_API_URL, USER_AGENT, LoyaltyLionClient
from .doctor import HostCheck
from .headless import HeadlessClient
from .headless_view import HeadlessView, LoyaltyPanel
from .models import (
    KIND_ACTIVITY,
    KIND_ACTIVITY_STATE,
    KIND_CUSTOMER_UPDATE,
    KIND_ORDER_CREATE,
    KIND_ORDER_UPDATE,
    Base,
    OutboxEvent,
    utcnow,
)
from .payloads import Customer, OrderSnapshot, Shopper
from .ratelimit import RatePacer, SharedRatePacer
from .state import KEY
from .webhooks import Handler
from .worker import Worker

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "LOYALTYLION_API_URL": DEFAULT_API_URL,
    "LOYALTYLION_API_KEY": "",
    "LOYALTYLION_TOKEN": "",
    "LOYALTYLION_SECRET": "",
    "LOYALTYLION_SITE_ID": "",
    # Both SDK scripts come from here, at the published paths (sdk.py).
    "LOYALTYLION_SDK_ORIGIN": sdk.DEFAULT_SDK_ORIGIN,
    # Optional: a loader URL used as is instead of the dated one.
    "LOYALTYLION_SDK_URL": "",
    "LOYALTYLION_CSP_EXTRA_ORIGINS": [],
    "LOYALTYLION_USER_AGENT": USER_AGENT,
    "LOYALTYLION_TIMEOUT_CONNECT": 3.05,
    "LOYALTYLION_TIMEOUT_READ": 10.0,
    # LoyaltyLion allows 20 requests/second per program; every worker process together
    # stays a little under it (ratelimit.SharedRatePacer). 19.2, not 19.9: 21 requests
    # only land in one second if a send is 40 ms late, which a busy host can be.
    "LOYALTYLION_RATE_LIMIT": 19.2,
    "LOYALTYLION_WORKER_IN_PROCESS": False,
    "LOYALTYLION_WORKER_THREADS": 2,
    "LOYALTYLION_WORKER_POLL_SECONDS": 1.0,
    "LOYALTYLION_LEASE_SECONDS": 60.0,
    # Where LoyaltyLion posts webhooks on this site, and the full public URL of it
    # (for `loyaltylion webhooks subscribe`; behind a proxy the host may differ).
    "LOYALTYLION_WEBHOOK_PATH": "/webhooks/loyaltylion",
    "LOYALTYLION_WEBHOOK_URL": "",
    # The largest webhook body taken (413 above it); so also the largest stored.
    "LOYALTYLION_WEBHOOK_MAX_BYTES": 256 * 1024,
    # The admin's pages: where, inside which layout (blocks title, head, content), and
    # whether they link each other (off when the host's own admin menu does).
    "LOYALTYLION_ADMIN_URL_PREFIX": "/admin/loyaltylion",
    "LOYALTYLION_ADMIN_LAYOUT": "loyaltylion/layout.html",
    "LOYALTYLION_ADMIN_NAV": True,
    # Pages `loyaltylion doctor` fetches to prove the site secret never reaches one.
    "LOYALTYLION_DOCTOR_PAGES": ["/"],
    # "sdk": LoyaltyLion's SDK draws the program in the browser. "headless": the store
    # renders it from the Headless API (headless_view.py); the SDK is not loaded.
    "LOYALTYLION_UI": "sdk",
    # Headless: the channel sent with every call (web, pos or mobile), the most a page
    # waits for LoyaltyLion, how long the configuration is reused, the client's timeouts.
    "LOYALTYLION_HEADLESS_CHANNEL": "web",
    "LOYALTYLION_HEADLESS_BUDGET": 0.3,
    "LOYALTYLION_HEADLESS_CONFIG_TTL": 300.0,
    "LOYALTYLION_HEADLESS_TIMEOUT_CONNECT": 1.0,
    "LOYALTYLION_HEADLESS_TIMEOUT_READ": 2.0,
    # The SDK token pair that signs customer session tokens (session_tokens.py), and
    # how long a token lives. The secret never leaves the server.
    "LOYALTYLION_SDK_KEY_ID": "",
    "LOYALTYLION_SDK_SECRET": "",
    "LOYALTYLION_SESSION_TOKEN_TTL": 300,
    # Headless: seconds the header's points, read on one page, are shown on the next
    # pages without asking again (the Rewards and account pages always ask). Every page
    # view asking would spend the program's 20 requests/second, which the delivery
    # workers use too.
    "LOYALTYLION_HEADLESS_POINTS_TTL": 60,
}

UI_MODES = ("sdk", "headless")
_HEADLESS_KEY = "loyaltylion.headless"
# In the host's (signed) session: [customer id, approved points, when read].
_POINTS_KEY = "loyaltylion_points"


class LoyaltyLion:
    def __init__(self) -> None:
        # A scoped session (Flask-SQLAlchemy's `db.session`, say): a proxy to the
        # current thread's or request's session.
        self._scoped_session: Any = None
        self.is_admin: Callable[[], bool] = lambda: False
        self.on_denied: Callable[[], ResponseReturnValue] | None = None
        self.current_customer: Callable[[], Customer | None] = lambda: None
        self.headless_cart: Callable[[], dict[str, Any] | None] = lambda: None
        self.recreate_order: Callable[[str], dict[str, Any] | None] | None = None
        self.webhook_handlers: dict[str, Handler] = {}
        self.orders: OrderSource | None = None
        self.doctor_checks: list[HostCheck] = []
        self._engine: Callable[[], Engine] | None = None
        self.pacer: RatePacer | None = None
        self.worker: Worker | None = None
        self._worker_lock = threading.Lock()
        self._pacer_lock = threading.Lock()
        self._headless_lock = threading.Lock()

    def init_app(
        self,
        app: Flask,
        *,
        session: Any,
        engine: Callable[[], Engine],
        is_admin: Callable[[], bool],
        on_denied: Callable[[], ResponseReturnValue] | None = None,
        current_customer: Callable[[], Customer | None] | None = None,
        recreate_order: Callable[[str], dict[str, Any] | None] | None = None,
        orders: OrderSource | None = None,
        headless_cart: Callable[[], dict[str, Any] | None] | None = None,
    ) -> None:
        """`session`: your scoped session (e.g. Flask-SQLAlchemy's `db.session`);
        `engine`: returns the engine the package's tables live in; `is_admin`: who may
        see the admin's pages, and `on_denied`: what everyone else gets (default 403);
        `current_customer`: the logged-in customer, or None, for the SDK;
        `recreate_order(merchant_id)`: optional, builds a create payload for an order
        the outbox has none for (default: from `orders`);
        `orders`: optional, the store's orders as snapshots (backfill.OrderSource), for
        `loyaltylion backfill` and `loyaltylion reconcile`;
        `headless_cart`: optional, the current cart as the Headless API's session takes
        it (LOYALTYLION_UI=headless), so rewards with cart conditions are judged."""
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        self._scoped_session = session
        self.is_admin = is_admin
        self.on_denied = on_denied
        if current_customer is not None:
            self.current_customer = current_customer
        self.orders = orders
        self.headless_cart = headless_cart or (lambda: None)
        self.doctor_checks = []  # this app's, added after init_app (add_doctor_check)
        if recreate_order is None and orders is not None:
            recreate_order = _create_payload_from(orders)
        self.recreate_order = recreate_order
        self._engine = engine
        # This app's budget, made from its engine and rate on first use: never one
        # left from an app set up earlier on the same extension object.
        self.pacer = None
        app.extensions[KEY] = self
        # The package's tables come from its migrations (migrations/, see the README),
        # or, in a store without Alembic, from `create_tables()`.

        public = receiver.make_blueprint(app.config["LOYALTYLION_WEBHOOK_PATH"])
        app.register_blueprint(public)
        csrf.exempt_view(app, receiver.receive)
        app.register_blueprint(admin.bp, url_prefix=app.config["LOYALTYLION_ADMIN_URL_PREFIX"])
        if app.config["LOYALTYLION_UI"] not in UI_MODES:
            raise ValueError(f"LOYALTYLION_UI must be one of {', '.join(UI_MODES)}")
        app.add_template_global(self.sdk_settings, "loyaltylion_sdk")
        app.add_template_global(self.ui, "loyaltylion_ui")
        app.add_template_global(self.headless_panel, "loyaltylion_panel")
        app.add_template_global(self.header_points, "loyaltylion_header_points")
        app.add_template_global(self.session_token, "loyaltylion_session_token")
        referrals.init_app(app)
        app.cli.add_command(loyaltylion_cli)
        self._warn_about_missing_settings(app)

        if app.config["LOYALTYLION_WORKER_IN_PROCESS"]:
            # Started by the first request, not at import: `flask seed` and other
            # commands must not spawn delivery threads.
            app.before_request(lambda: self.ensure_worker(app))

    @staticmethod
    def _warn_about_missing_settings(app: Flask) -> None:
        config = app.config
        if config["LOYALTYLION_TOKEN"] and not config["LOYALTYLION_SECRET"]:
            log.warning(
                "LOYALTYLION_SECRET is not set: customers stay guests in the SDK, and no "
                "webhook can be verified"
            )

    # -- plumbing --------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        assert self._scoped_session is not None, "call init_app first"
        return self._scoped_session

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
            user_agent=config["LOYALTYLION_USER_AGENT"],
        )

    @staticmethod
    def create_tables(engine: Engine) -> None:
        """Create the package's tables as the models describe them, without migration
        history: for tests, and for stores that do not use Alembic."""
        Base.metadata.create_all(engine)

    def shared_pacer(self) -> RatePacer:
        """The request budget every worker process shares (a row in the database), made
        on first use: from then on, every deliverer of this app paces through it."""
        with self._pacer_lock:
            if self.pacer is None:
                assert self._engine is not None, "call init_app first"
                self.pacer = SharedRatePacer(
                    self._engine(), float(current_app.config["LOYALTYLION_RATE_LIMIT"])
                )
        return self.pacer

    def make_deliverer(self, **overrides: Any) -> outbox.Deliverer:
        options: dict[str, Any] = {
            "lease_seconds": float(current_app.config["LOYALTYLION_LEASE_SECONDS"]),
            "recreate_order": self.recreate_order,
        }
        options.update(overrides)
        return outbox.Deliverer(self.session, self.make_client(), self.shared_pacer(), **options)

    def ensure_worker(self, app: Flask) -> None:
        if self.worker is not None or not self.configured(app):
            return
        with self._worker_lock:
            if self.worker is None:
                self.worker = Worker(
                    app,
                    self,
                    threads=int(app.config["LOYALTYLION_WORKER_THREADS"]),
                    poll_interval=float(app.config["LOYALTYLION_WORKER_POLL_SECONDS"]),
                ).start()

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    # -- the browser SDK ------------------------------------------------------------------

    def sdk_settings(self) -> dict[str, Any] | None:
        """The snippet's data (templates/loyaltylion/sdk.html), fresh for every page: a
        customer's auth token carries the time it was made. None without a site token."""
        config = current_app.config
        if not config["LOYALTYLION_TOKEN"] or config["LOYALTYLION_UI"] != "sdk":
            return None
        # Without the secret no auth token can be made: the customer stays a guest.
        customer = self.current_customer() if config["LOYALTYLION_SECRET"] else None
        return sdk.snippet_settings(
            config["LOYALTYLION_TOKEN"],
            sdk_origin=config["LOYALTYLION_SDK_ORIGIN"],
            loader_override=config["LOYALTYLION_SDK_URL"],
            customer=customer,
            secret=config["LOYALTYLION_SECRET"],
        )

    # -- the Headless API (LOYALTYLION_UI=headless) ------------------------------------------

    @staticmethod
    def ui(app: Flask | None = None) -> str:
        """ "sdk" or "headless": which of the two draws the program for shoppers."""
        return str((app or current_app).config["LOYALTYLION_UI"])

    @staticmethod
    def make_headless_client(app: Flask | None = None) -> HeadlessClient:
        config = (app or current_app).config
        return HeadlessClient(
            config["LOYALTYLION_API_URL"],
            api_key=config["LOYALTYLION_API_KEY"],
            site_id=config["LOYALTYLION_SITE_ID"],
            channel=config["LOYALTYLION_HEADLESS_CHANNEL"],
            connect_timeout=float(config["LOYALTYLION_HEADLESS_TIMEOUT_CONNECT"]),
            read_timeout=float(config["LOYALTYLION_HEADLESS_TIMEOUT_READ"]),
            user_agent=config["LOYALTYLION_USER_AGENT"],
        )

    def headless(self, app: Flask | None = None) -> HeadlessView:
        """This app's Headless view: its cached configuration and outage state."""
        app = app or current_app._get_current_object()  # type: ignore[attr-defined]
        view = app.extensions.get(_HEADLESS_KEY)
        if view is None:
            with self._headless_lock:
                view = app.extensions.get(_HEADLESS_KEY)
                if view is None:
                    view = app.extensions[_HEADLESS_KEY] = HeadlessView(
                        lambda: self.make_headless_client(app),
                        budget=float(app.config["LOYALTYLION_HEADLESS_BUDGET"]),
                        config_ttl=float(app.config["LOYALTYLION_HEADLESS_CONFIG_TTL"]),
                    )
        return view

    def headless_panel(self) -> LoyaltyPanel:
        """The program as this request's page shows it: fetched once per request, within
        LOYALTYLION_HEADLESS_BUDGET (headless_view.HeadlessView.panel)."""
        if has_request_context() and "loyaltylion_panel" in g:
            return g.loyaltylion_panel
        customer = self.current_customer()
        cart = self.headless_cart() if customer is not None else None
        panel = self.headless().panel(
            customer, page_url=request.url if has_request_context() else None, cart=cart
        )
        if has_request_context():
            g.loyaltylion_panel = panel
            if panel.ready and customer is not None:
                session[_POINTS_KEY] = [str(customer.id), panel.points_approved, _now_text()]
        return panel

    def header_points(self) -> int | None:
        """The logged-in customer's approved points for the header, or None (unknown
        right now): this request's panel if the page has one, else the figure read
        within LOYALTYLION_HEADLESS_POINTS_TTL seconds if no event about the customer has
        reached LoyaltyLion since (an order delivered changes their points), else a
        fresh read."""
        if "loyaltylion_panel" not in g:
            customer = self.current_customer()
            if customer is None:
                return None
            points = self._recent_points(customer.id)
            if points is not None:
                return points
        panel = self.headless_panel()
        return panel.points_approved if panel.ready else None

    def _recent_points(self, customer_id: str | int) -> int | None:
        seen = session.get(_POINTS_KEY)
        if not (isinstance(seen, list) and len(seen) == 3 and seen[0] == str(customer_id)):
            return None
        points, read_at = seen[1], _parse_time(seen[2])
        if not isinstance(points, int) or read_at is None:
            return None
        age = (utcnow() - read_at).total_seconds()
        if not 0 <= age < float(current_app.config["LOYALTYLION_HEADLESS_POINTS_TTL"]):
            return None
        delivered = outbox.last_delivered_for(self.session, customer_id)
        return points if delivered is None or delivered < read_at else None

    def forget_headless_panel(self) -> None:
        """After a claim, the same request's later reads, and the next pages' header,
        see the new state."""
        if has_request_context():
            g.pop("loyaltylion_panel", None)
            session.pop(_POINTS_KEY, None)

    def session_token(self) -> dict[str, Any] | None:
        """A customer session token for the Headless API from the browser (progressive
        enhancement), with what a script needs to use it; None for a guest or without
        the SDK key pair. https://developers.loyaltylion.com/headless-api/session-tokens"""
        config = current_app.config
        customer = self.current_customer()
        if (
            customer is None
            or not config["LOYALTYLION_SDK_KEY_ID"]
            or not config["LOYALTYLION_SDK_SECRET"]
            or not config["LOYALTYLION_SITE_ID"]
        ):
            return None
        ttl = int(config["LOYALTYLION_SESSION_TOKEN_TTL"])
        return {
            "apiUrl": config["LOYALTYLION_API_URL"].rstrip("/"),
            "siteId": str(config["LOYALTYLION_SITE_ID"]),
            "channel": config["LOYALTYLION_HEADLESS_CHANNEL"],
            "merchantId": str(customer.id),
            "expiresIn": ttl,
            "token": session_tokens.mint_session_token(
                key_id=config["LOYALTYLION_SDK_KEY_ID"],
                secret=config["LOYALTYLION_SDK_SECRET"],
                site_id=config["LOYALTYLION_SITE_ID"],
                merchant_id=str(customer.id),
                ttl=ttl,
            ),
        }

    @staticmethod
    def csp_origins(app: Flask | None = None) -> list[str]:
        """The origins the SDK needs in your Content-Security-Policy (sdk.csp_origins)."""
        return sdk.csp_origins((app or current_app).config)

    # -- webhooks ---------------------------------------------------------------------------

    def on_webhook(self, topic: str, handler: Handler | None = None) -> Any:
        """Register the function that processes one webhook topic (webhooks.py says what
        it takes and returns). Works as a call or as a decorator."""

        def register(function: Handler) -> Handler:
            self.webhook_handlers[topic] = function
            return function

        return register(handler) if handler is not None else register

    def add_doctor_check(self, check: HostCheck) -> HostCheck:
        """A check of the host's own for `loyaltylion doctor` (doctor.py): a function
        returning a doctor.Check. Works as a decorator."""
        if check not in self.doctor_checks:
            self.doctor_checks.append(check)
        return check

    def webhook_topics(self) -> tuple[str, ...]:
        """The topics a handler is registered for (`loyaltylion webhooks subscribe`)."""
        return tuple(sorted(self.webhook_handlers))

    # -- recording events (inside the caller's transaction) ----------------------------------

    def record_signup(
        self, customer: Customer, *, shopper: Shopper | None = None, date: datetime | None = None
    ) -> OutboxEvent:
        """Owe LoyaltyLion a `$signup` activity for this new account. It heads the
        customer's stream: their profile updates need LoyaltyLion to know them. The
        referral and email ids of the current request go with it (referrals.py)."""
        body = payloads.signup_activity(
            customer, date=date or utcnow(), shopper=referrals.attach(shopper)
        )
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
            shopper=referrals.attach(shopper),
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
        """The customer left: drop their own activity and profile events not yet sent,
        and erase the bodies of their webhooks (same transaction as the closure). Their
        orders' events still go: a refund after closure must reach LoyaltyLion. Deleting
        their data at LoyaltyLion is a request to its support."""
        webhooks.erase_customer(self.session, customer_id)
        return outbox.forget_customer(self.session, customer_id)

    def record_order_created(self, order: OrderSnapshot) -> OutboxEvent:
        """Owe LoyaltyLion the new order. The referral and email ids of the current
        request go with it, and the referral cookie is cleared once this commits: a
        later order is not a referred one."""
        shopper = referrals.attach(order.shopper)
        payload = payloads.order_create(_with_shopper(order, shopper))
        event = outbox.enqueue(
            self.session,
            kind=KIND_ORDER_CREATE,
            stream=outbox.order_stream(order.merchant_id),
            target=order.merchant_id,
            payload=payload,
            customer_id=order.customer.id,
        )
        if shopper is not None and (shopper.referral_id or shopper.tracking_id):
            referrals.clear_once_committed(event)
        return event

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


def _now_text() -> str:
    return utcnow().isoformat()


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _create_payload_from(orders: OrderSource) -> Callable[[str], dict[str, Any] | None]:
    def recreate(merchant_id: str) -> dict[str, Any] | None:
        order = orders.get(merchant_id)
        return payloads.order_create(order) if order is not None else None

    return recreate


def _with_shopper(order: OrderSnapshot, shopper: Shopper | None) -> OrderSnapshot:
    return replace(order, shopper=shopper) if shopper is not None else order
