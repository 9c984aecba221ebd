"""The shop and the LoyaltyLion sandbox, each on its own loopback port, over real HTTP."""

from __future__ import annotations

import pytest

import loyaltylion_sandbox as sandbox_package
from storefront.loyalty import loyaltylion
from tests.sandbox_client import SandboxClient


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("integration-sandbox") / "sandbox.sqlite3"
    app = sandbox_package.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    server = sandbox_package.start_server(app, quiet=True)
    yield server
    server.shutdown()


@pytest.fixture
def sandbox_url(sandbox_server) -> str:
    client = SandboxClient(sandbox_server.url)
    client.reset()
    client.close()
    return sandbox_server.url


@pytest.fixture
def app_config(database_uri, sandbox_url):
    return {
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "LOYALTYLION_SANDBOX": True,
        **sandbox_package.shop_settings(sandbox_url),
        "LOYALTYLION_RATE_LIMIT": 500.0,
    }


@pytest.fixture
def sandbox(sandbox_url):
    """A client of the sandbox the app is pointed at (reset already)."""
    client = SandboxClient(sandbox_url)
    yield client
    client.close()


@pytest.fixture(autouse=True)
def _stop_worker():
    yield
    loyaltylion.stop_worker()


def sandbox_get(app, path: str) -> dict:
    """GET from the sandbox the app is pointed at (the shared client)."""
    client = SandboxClient(app.config["LOYALTYLION_API_URL"])
    try:
        return client.get(path)
    finally:
        client.close()
