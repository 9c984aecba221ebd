"""`flask --app storefront dev`: the whole demo in one process, for `make run`.

Serves the shop, starts the LoyaltyLion delivery worker and, when no LoyaltyLion
credentials are configured, the local sandbox on its own origin (port 5001) with a
"$5 off" reward stocked with 500 of the shop's own voucher codes. With credentials
set, no sandbox starts and the very same code talks to LoyaltyLion.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.serving import run_simple

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
    from storefront.sandbox import program
    from storefront.sandbox.db import db as sandbox_db

    merchant_id, email = customer
    with sandbox_app.app_context():
        member = program.ensure_customer(merchant_id, email, "seed")
        program.enroll(member)
        if program.balances(member).lifetime == 0:
            program.add_points(member, DEMO_POINTS, "Welcome points for the demo customer")
        sandbox_db.session.commit()


def start_sandbox(shop: Flask, *, host: str, port: int, shop_port: int):
    """Start the sandbox beside the shop and point the shop at it."""
    from storefront import sandbox
    from storefront.sandbox.db import db as sandbox_db

    sandbox_app = sandbox.create_app(
        {"SANDBOX_SHOP_ORIGIN": f"http://{host}:{shop_port}", "SANDBOX_SEED_CODES": 0}
    )
    codes = reward_codes(shop)
    with sandbox_app.app_context():
        result = sandbox.import_codes(SANDBOX_REWARD_ID, codes)
        sandbox_db.session.commit()
    customer = demo_customer(shop)
    if customer is not None:
        give_demo_points(sandbox_app, customer)
    server = sandbox.start_server(sandbox_app, host, port, quiet=True)
    shop.config["LOYALTYLION_API_URL"] = server.url
    shop.config["LOYALTYLION_SDK_URL"] = f"{server.url}/sdk/loader.js"
    click.echo(
        f'LoyaltyLion sandbox: {server.url} (dashboard); "$5 off" reward stocked with '
        f"{result.unused} of the shop's codes ({result.added} new)"
    )
    return server


@click.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--sandbox-port", default=5001, show_default=True, type=int)
@with_appcontext
def dev_command(host: str, port: int, sandbox_port: int) -> None:
    """Serve the shop with the LoyaltyLion sandbox and the delivery worker."""
    from storefront.loyalty import loyaltylion

    app: Flask = current_app._get_current_object()
    sandbox_server = None
    if app.config["LOYALTYLION_SANDBOX"]:
        sandbox_server = start_sandbox(app, host=host, port=sandbox_port, shop_port=port)
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
