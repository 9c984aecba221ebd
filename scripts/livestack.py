"""The shop and the LoyaltyLion sandbox on free loopback ports, wired as `make run` does.

For scripts (scripts/screenshots.py): throwaway SQLite files in a temporary folder,
demo data seeded, the sandbox's "$5 off" reward stocked with the shop's own codes,
the demo customer given their demo points, and the delivery worker running in this
process so that signups and orders reach the sandbox on their own.

    with live_stack() as stack:
        print(stack.shop_url, stack.sandbox_url)
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from loyaltylion_sandbox import shop_settings
from loyaltylion_sandbox.db import db as sandbox_db
from loyaltylion_sandbox.server import RunningServer, start_server
from storefront import create_app
from storefront.devserver import start_sandbox
from storefront.extensions import db
from storefront.loyalty import loyaltylion
from storefront.schema import create_tables
from storefront.seed import seed_demo_data


@dataclass
class LiveStack:
    shop: Flask
    sandbox: Flask
    shop_server: RunningServer
    sandbox_server: RunningServer

    @property
    def shop_url(self) -> str:
        return self.shop_server.url

    @property
    def sandbox_url(self) -> str:
        return self.sandbox_server.url


def _shop_config(folder: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'shop.sqlite3'}",
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": False,  # plain http on 127.0.0.1
        "REMEMBER_COOKIE_SECURE": False,
        "LOYALTYLION_SANDBOX": True,
        # The sandbox's port is not known yet: start_sandbox points the shop at it.
        **shop_settings("http://127.0.0.1:0"),
        "LOYALTYLION_WORKER_POLL_SECONDS": 0.05,
    }


@contextmanager
def live_stack() -> Iterator[LiveStack]:
    with tempfile.TemporaryDirectory(prefix="storefront-live-") as tmp:
        folder = Path(tmp)
        shop = create_app(_shop_config(folder))
        with shop.app_context():
            create_tables()
            seed_demo_data()
        # The shop first: the sandbox must know the shop's exact origin (CORS, links).
        shop_server = start_server(shop, "127.0.0.1", 0, quiet=True)
        sandbox = None
        try:
            sandbox = start_sandbox(
                shop,
                shop_origin=shop_server.url,
                database_uri=f"sqlite:///{folder / 'sandbox.sqlite3'}",
            )
            loyaltylion.ensure_worker(shop)
            yield LiveStack(shop, sandbox.app, shop_server, sandbox.server)
        finally:
            loyaltylion.stop_worker()
            shop_server.shutdown()
            if sandbox is not None:
                sandbox.shutdown()
            with shop.app_context():
                db.session.remove()
                db.engine.dispose()
            if sandbox is not None:
                with sandbox.app.app_context():
                    sandbox_db.engine.dispose()
