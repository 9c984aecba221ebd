"""The shop and the LoyaltyLion sandbox, each on its own loopback port, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import loyaltylion_sandbox as sandbox_package
from loyaltylion_sandbox.server import RunningServer
from storefront.loyalty import loyaltylion
from tests.sandbox_client import SandboxClient


@contextmanager
def serving_sandbox(tmp_path_factory, name: str, **config) -> Iterator[RunningServer]:
    """A sandbox on its own loopback port and database, with `config` on top of its
    defaults: for a module that needs one set up differently (no seeded codes, say)."""
    path = tmp_path_factory.mktemp(name) / "sandbox.sqlite3"
    app = sandbox_package.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", **config})
    server = sandbox_package.start_server(app, quiet=True)
    try:
        yield server
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    with serving_sandbox(tmp_path_factory, "integration-sandbox") as server:
        yield server


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
