"""`flask --app storefront dev`: the whole demo in one process, for `make run`.

Serves the shop, starts the LoyaltyLion delivery worker and, when no LoyaltyLion
credentials are configured, the local sandbox on its own origin (port 5001) with a
"$5 off" reward stocked with 500 of the shop's own voucher codes. With credentials
set, no sandbox starts and the very same code talks to LoyaltyLion.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.serving import run_simple

from loyaltylion_sandbox.server import RunningServer
from storefront.extensions import db
from storefront.models import Voucher, VoucherBatch

SANDBOX_REWARD_ID = 1  # the sandbox's seeded "$5 off" voucher reward
REWARD_BATCH_NAME = "LoyaltyLion reward: $5 off"
REWARD_BATCH_SIZE = 500


def reward_codes(app: Flask) -> list[str]:
    """The unused codes of the shop's batch for the $5 reward, generated on first use."""
    from storefront.vouchers.service import generate_batch

    with app.app_context():
        batch = db.session.execute(
            select(VoucherBatch).where(VoucherBatch.name == REWARD_BATCH_NAME)
        ).scalar_one_or_none()
        if batch is None:
            batch = generate_batch(
                name=REWARD_BATCH_NAME, amount_cents=500, count=REWARD_BATCH_SIZE, prefix="LION5"
            )
        return list(
            db.session.execute(
                select(Voucher.code).where(Voucher.batch_id == batch.id, Voucher.used_at.is_(None))
            ).scalars()
        )


DEMO_POINTS = 600  # enough to claim the $5 reward (500 points) straight away


def demo_customer(shop: Flask) -> tuple[str, str] | None:
    from storefront.models import User
    from storefront.seed import CUSTOMER_EMAIL

    with shop.app_context():
        user = db.session.execute(
            select(User).where(User.email == CUSTOMER_EMAIL)
        ).scalar_one_or_none()
        return (str(user.id), user.email) if user else None


def give_demo_points(sandbox_app: Flask, customer: tuple[str, str]) -> None:
    """The seeded demo customer starts with points in the sandbox, once."""
    from loyaltylion_sandbox import customers, ledger
    from loyaltylion_sandbox.db import db as sandbox_db

    merchant_id, email = customer
    with sandbox_app.app_context():
        member = customers.ensure_customer(merchant_id, email, "seed")
        customers.enroll(member)
        if customers.balances(member).lifetime == 0:
            ledger.add_points(member, DEMO_POINTS, "Welcome points for the demo customer")
        sandbox_db.session.commit()


@dataclass
class RunningSandbox:
    app: Flask
    server: RunningServer
    codes_in_stock: int

    @property
    def url(self) -> str:
        return self.server.url

    def shutdown(self) -> None:
        self.server.shutdown()


def start_sandbox(
    shop: Flask,
    *,
    shop_origin: str,
    host: str = "127.0.0.1",
    port: int = 0,
    database_uri: str | None = None,
    demo_points: bool = True,
) -> RunningSandbox:
    """Start the sandbox beside the shop, stock it, and point the shop at it.

    The one place that wires the two together: `make run`, `make screenshots` and the
    browser tests all come through here. `shop_origin` must be exactly what browsers
    use (CORS and referral links compare it); port 0 picks a free port.
    """
    import loyaltylion_sandbox as sandbox
    from loyaltylion_sandbox.db import db as sandbox_db

    config = {"SANDBOX_SHOP_ORIGIN": shop_origin, "SANDBOX_SEED_CODES": 0}
    if database_uri:
        config["SQLALCHEMY_DATABASE_URI"] = database_uri
    sandbox_app = sandbox.create_app(config)
    codes = reward_codes(shop)
    with sandbox_app.app_context():
        stocked = sandbox.import_codes(SANDBOX_REWARD_ID, codes)
        sandbox_db.session.commit()
    customer = demo_customer(shop) if demo_points else None
    if customer is not None:
        give_demo_points(sandbox_app, customer)
    server = sandbox.start_server(sandbox_app, host, port, quiet=True)
    shop.config.update(sandbox.shop_settings(server.url))
    subscribe_shop(shop, shop_origin.rstrip("/") + shop.config["LOYALTYLION_WEBHOOK_PATH"])
    return RunningSandbox(sandbox_app, server, stocked.unused)


def subscribe_shop(shop: Flask, address: str) -> None:
    """What `flask loyaltylion webhooks subscribe` does, for the demo's sandbox."""
    from storefront.loyalty import loyaltylion
    from storefront.loyaltylion.subscriptions import subscribe

    with shop.app_context():
        client = loyaltylion.make_client()
        try:
            subscribe(client, loyaltylion.webhook_topics(), address)
        finally:
            client.close()


def port_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (in use, not allowed), or None."""
    try:
        with socket.create_server((host, port)):
            return None
    except OSError as error:
        return error.strerror or str(error)


def check_ports(
    host: str, port: int, sandbox_port: int | None, *, target: str, command: str
) -> None:
    """Refuse to start, before anything starts or is printed, when the shop's port (or
    the sandbox's, when there is one) cannot be listened on, naming the Makefile
    variable that moves it (`make <target>`, `flask --app storefront <command>`)."""
    if sandbox_port is not None and port == sandbox_port:
        raise click.ClickException(
            f"The shop and the sandbox cannot share port {port}: set SANDBOX_PORT to another "
            f"(make {target} SANDBOX_PORT={port + 1})."
        )
    ports = [("shop", port, "PORT", "port")]
    if sandbox_port is not None:
        ports.append(("sandbox", sandbox_port, "SANDBOX_PORT", "sandbox-port"))
    for what, number, variable, option in ports:
        problem = port_problem(host, number)
        if problem:
            raise click.ClickException(
                f"Cannot serve the {what} on {host}:{number} ({problem}). Stop what uses "
                f"it, or pick another port: make {target} {variable}={number + 10} "
                f"(flask --app storefront {command} --{option} {number + 10})."
            )


@click.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--sandbox-port", default=5001, show_default=True, type=int)
@with_appcontext
def dev_command(host: str, port: int, sandbox_port: int) -> None:
    """Serve the shop with the LoyaltyLion sandbox and the delivery worker."""
    from storefront.loyalty import loyaltylion

    app: Flask = current_app._get_current_object()
    sandbox = app.config["LOYALTYLION_SANDBOX"]
    check_ports(host, port, sandbox_port if sandbox else None, target="run", command="dev")
    sandbox_server = None
    if sandbox:
        sandbox_server = start_sandbox(
            app, shop_origin=f"http://{host}:{port}", host=host, port=sandbox_port
        )
        click.echo(
            f'LoyaltyLion sandbox: {sandbox_server.url} (dashboard); "$5 off" reward '
            f"stocked with {sandbox_server.codes_in_stock} of the shop's codes"
        )
    else:
        click.echo(f"LoyaltyLion: {app.config['LOYALTYLION_API_URL']} (no sandbox)")
    loyaltylion.ensure_worker(app)
    click.echo(f"Shop: http://{host}:{port}")
    try:
        # Flask refuses app.run() inside a `flask` command; werkzeug's server is what it
        # would have used. No reloader: it would start a second sandbox and worker.
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=app.debug)
    finally:
        loyaltylion.stop_worker()
        if sandbox_server is not None:
            sandbox_server.shutdown()
