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

from storefront.sandbox.server import RunningServer, start_server

from .support import SandboxClient, dispose, make_sandbox_app


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
