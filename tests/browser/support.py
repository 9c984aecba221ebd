"""The live stack the browser tests drive: the shop and the LoyaltyLion sandbox, each
served over real HTTP on its own loopback port, the delivery worker running in the
shop's process, plus small helpers (a bounded poll, a CSRF-aware `requests` session).

Kept apart from conftest.py so the tests can import the helpers by name.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any, TypeVar

import requests
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from loyaltylion_sandbox import shop_settings
from loyaltylion_sandbox.db import db as sandbox_db
from loyaltylion_sandbox.server import RunningServer, start_server
from storefront import create_app
from storefront.devserver import REWARD_BATCH_NAME, start_sandbox
from storefront.extensions import db
from storefront.loyalty import loyaltylion
from storefront.models import User, Voucher, VoucherBatch
from storefront.schema import create_tables
from storefront.seed import seed_demo_data
from tests.conftest import RELAXED_RATE_LIMITS
from tests.sandbox_client import SandboxClient

T = TypeVar("T")

# How long "eventually" may take (the worker polls every 50 ms).
EVENTUALLY_SECONDS = 10.0

SHOP_CONFIG: dict[str, Any] = {
    **RELAXED_RATE_LIMITS,
    "TESTING": True,
    # Real forms in a real browser: they carry the CSRF token, so keep the check on.
    "WTF_CSRF_ENABLED": True,
    "SECRET_KEY": "browser-test-secret-key",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    # Fast hashing keeps sign-ups and log-ins quick; production uses scrypt.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "LOYALTYLION_SANDBOX": True,
    # The sandbox's port is not known yet: start_sandbox points the shop at it.
    **shop_settings("http://127.0.0.1:0"),
    "LOYALTYLION_WORKER_IN_PROCESS": False,  # started explicitly, see start_stack
    "LOYALTYLION_WORKER_POLL_SECONDS": 0.05,
}


def eventually(
    probe: Callable[[], T | None],
    what: str,
    timeout: float = EVENTUALLY_SECONDS,
    interval: float = 0.05,
) -> T:
    """Call `probe` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"gave up after {timeout:.0f} s waiting for {what} (last: {last!r})"
            )
        time.sleep(interval)


class Sandbox(SandboxClient):
    """A running sandbox, and the shared client for its control routes and API."""

    def __init__(self, app: Flask, server: RunningServer) -> None:
        super().__init__(server.url)
        self.app = app
        self.server = server

    def stop(self) -> None:
        self.close()
        self.server.shutdown()
        with self.app.app_context():
            sandbox_db.engine.dispose()


@dataclass
class Stack:
    shop_app: Flask
    shop_server: RunningServer
    sandbox: Sandbox | None
    _stopped: bool = False

    @property
    def shop_url(self) -> str:
        return self.shop_server.url

    def user_id(self, email: str) -> int:
        with self.shop_app.app_context():
            return db.session.execute(select(User.id).where(User.email == email)).scalar_one()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.sandbox is not None:
            loyaltylion.stop_worker()
        self.shop_server.shutdown()
        if self.sandbox is not None:
            self.sandbox.stop()
        with self.shop_app.app_context():
            db.session.remove()
            db.engine.dispose()


def _shop_app(db_path: Path, overrides: dict[str, Any]) -> Flask:
    app = create_app(
        {**SHOP_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", **overrides}
    )
    with app.app_context():
        create_tables()
        seed_demo_data()
    return app


def start_stack(tmp_dir: Path, overrides: dict[str, Any] | None = None) -> Stack:
    """The shop and the sandbox on free ports, wired as `make run` wires them.

    The shop is served first so that the sandbox can be told the shop's exact origin
    (CORS and referral links); the shop is then pointed at the sandbox before any
    request reaches it. The sandbox's "$5 off" reward is stocked with the shop's own
    codes, and the delivery worker runs in this process.

    `overrides` are shop settings on top of SHOP_CONFIG, e.g.
    `{"LOYALTYLION_UI": "headless"}` (the LoyaltyLion URLs and credentials are still the
    sandbox's: start_sandbox sets them last).
    """
    shop_app = _shop_app(tmp_dir / "shop.sqlite3", dict(overrides or {}))
    shop_server = start_server(shop_app, "127.0.0.1", 0, quiet=True)
    try:
        running = start_sandbox(
            shop_app,
            shop_origin=shop_server.url,
            database_uri=f"sqlite:///{tmp_dir / 'sandbox.sqlite3'}",
            demo_points=False,  # each test gives its customers the points it needs
        )
    except BaseException:
        shop_server.shutdown()
        raise
    loyaltylion.stop_worker()  # a leftover from another stack would deliver elsewhere
    loyaltylion.ensure_worker(shop_app)
    return Stack(shop_app, shop_server, Sandbox(running.app, running.server))


def start_shop_only(tmp_dir: Path, *, sdk_origin: str, api_url: str) -> Stack:
    """The shop alone, its LoyaltyLion URLs pointing wherever the test says; no worker."""
    shop_app = _shop_app(
        tmp_dir / "shop.sqlite3",
        {
            "LOYALTYLION_SDK_ORIGIN": sdk_origin,
            "LOYALTYLION_SDK_URL": "",
            "LOYALTYLION_API_URL": api_url,
        },
    )
    return Stack(shop_app, start_server(shop_app, "127.0.0.1", 0, quiet=True), None)


class BlackHole:
    """A TCP server that accepts connections and never answers (a hung SDK host)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="black-hole", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        return len(self._held)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(connection)  # read nothing, answer nothing

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in self._held:
            connection.close()
        self._listener.close()


def closed_port_url() -> str:
    """An http URL on a loopback port nobody listens on (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_HIDDEN = re.compile(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"')


class ShopSession:
    """The shop over plain HTTP with a cookie jar: logs in through the real form."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url
        self.http = requests.Session()

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.http.get(self.url + path if path.startswith("/") else path, **kwargs)

    def csrf_token(self, path: str) -> str:
        match = _CSRF.search(self.get(path).text)
        assert match, f"no CSRF token on {path}"
        return unescape(match.group(1))

    def post_form(self, page: str, action: str, data: dict[str, Any]) -> requests.Response:
        """Post `data` to `action` with the hidden fields of the forms on `page` (the
        CSRF token, the checkout's attempt token), as a browser submitting it would."""
        html = self.get(page).text
        hidden = {name: unescape(value) for name, value in _HIDDEN.findall(html)}
        assert "csrf_token" in hidden, f"no CSRF token on {page}"
        return self.http.post(self.url + action, data={**hidden, **data}, timeout=10)

    def login(self, email: str, password: str) -> None:
        response = self.post_form("/login", "/login", {"email": email, "password": password})
        assert response.ok and "/login" not in response.url, f"could not log in as {email}"


# -------------------------------------------------------------------- in the browser

# The sandbox SDK marks <html> once a session has settled (see docs/sandbox.md).
SDK_SETTLED = ", ".join(
    f"html[data-lion-state={state}]" for state in ("guest", "customer", "error")
)


def wait_for_sdk(page: Page) -> str:
    """Wait until the SDK has finished its latest operation; return its state."""
    page.wait_for_selector(SDK_SETTLED, state="attached")
    page.evaluate("() => window.loyaltylion.sandbox.settled.then(() => true)")
    return page.evaluate("() => document.documentElement.dataset.lionState")


def money(text: str) -> Decimal:
    """ "$1,234.50" -> Decimal("1234.50")."""
    return Decimal(re.sub(r"[^0-9.\-]", "", text.replace("\u2212", "-")))


SHIPPING = {
    "Full name": "Rita Referred",
    "Address": "1 Lion Street",
    "City": "London",
    "Postal code": "N1 9GU",
}


def fill_shipping(page: Page) -> None:
    for label, value in SHIPPING.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Pay now with a test card").check()


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()
    # Let the landing page's SDK settle: leaving it mid-request would abort the fetch.
    assert wait_for_sdk(page) == "customer"


def shop_reward_codes(stack: Stack) -> set[str]:
    """The shop's own batch that stocks the sandbox's "$5 off" (devserver.py)."""
    with stack.shop_app.app_context():
        return set(
            db.session.execute(
                select(Voucher.code)
                .join(VoucherBatch, Voucher.batch_id == VoucherBatch.id)
                .where(VoucherBatch.name == REWARD_BATCH_NAME)
            ).scalars()
        )


def sign_up(page: Page, shop: str, email: str, password: str) -> str:
    """A new customer, signed up through the form; returns their e-mail."""
    page.goto(f"{shop}/signup")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Welcome! Your account is ready")).to_be_visible()
    return email
