"""The shop and the LoyaltyLion sandbox, each on its own loopback port, over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

import loyaltylion_sandbox as sandbox
from storefront.loyalty import loyaltylion
from storefront.loyaltylion.models import utcnow


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("integration-sandbox") / "sandbox.sqlite3"
    app = sandbox.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    server = sandbox.start_server(app, quiet=True)
    yield server
    server.shutdown()


@pytest.fixture
def sandbox_url(sandbox_server) -> str:
    requests.post(f"{sandbox_server.url}/_sandbox/reset", timeout=5).raise_for_status()
    return sandbox_server.url


@pytest.fixture
def app_config(database_uri, sandbox_url):
    return {
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "LOYALTYLION_SANDBOX": True,
        **sandbox.shop_settings(sandbox_url),
        "LOYALTYLION_RATE_LIMIT": 500.0,
    }


@pytest.fixture(autouse=True)
def _stop_worker():
    yield
    loyaltylion.stop_worker()


def deliver_all(app, ahead: timedelta = timedelta(hours=2)) -> None:
    """Run the outbox until nothing is due, the clock `ahead` (past any backoff)."""
    with app.app_context():
        deliverer = loyaltylion.make_deliverer(clock=lambda: utcnow() + ahead)
        while deliverer.run_once(50).handled:
            pass


def sandbox_get(app, path: str) -> dict:
    response = requests.get(f"{app.config['LOYALTYLION_API_URL']}{path}", timeout=5)
    response.raise_for_status()
    return response.json()
