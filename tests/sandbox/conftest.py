"""Fixtures for the LoyaltyLion sandbox tests.

Self-contained on purpose (runs with --confcutdir=tests/sandbox): a sandbox app on
a temporary SQLite file, served over real HTTP by `start_server`, and a small
`requests` helper (see support.py). Fixture names are prefixed `sandbox` so they
never clash with the shop's `app`/`client` fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from loyaltylion_sandbox.server import RunningServer, start_server

from .support import Receiver, SandboxClient, dispose, make_sandbox_app


@pytest.fixture(scope="session")
def sandbox_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_sandbox_app(tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite3")
    yield app
    dispose(app)


@pytest.fixture(scope="session")
def sandbox_server(sandbox_app: Flask) -> Iterator[RunningServer]:
    server = start_server(sandbox_app, quiet=True)
    yield server
    server.shutdown()


@pytest.fixture
def sandbox(sandbox_server: RunningServer) -> Iterator[SandboxClient]:
    """A client of the shared sandbox server, reset to the seeded program first."""
    client = SandboxClient(sandbox_server.url)
    client.reset()
    yield client
    client.close()


@pytest.fixture(scope="session")
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def receiver(webhook_receiver: Receiver, sandbox: SandboxClient) -> Iterator[Receiver]:
    """The store's webhook endpoint, emptied, with the (reset) sandbox pointed at it."""
    webhook_receiver.received.clear()
    webhook_receiver.statuses.clear()
    sandbox.point_webhooks_at(webhook_receiver.url)
    yield webhook_receiver
