"""`flask --app storefront ...` commands: seed, vouchers generate."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from storefront.money import MoneyError, parse_money
from storefront.vouchers.service import MAX_BATCH

vouchers_cli = AppGroup("vouchers", help="Voucher codes for LoyaltyLion rewards.")


@vouchers_cli.command("generate")
@click.option("--amount", required=True, help="Value of each code, e.g. 5.00")
@click.option(
    "--count",
    required=True,
    type=click.IntRange(1, MAX_BATCH),
    help=f"How many codes (at most {MAX_BATCH:,})",
)
@click.option("--prefix", default="", help="Optional prefix, letters and digits, e.g. LION5")
@click.option("--name", default=None, help="Batch name shown in the admin")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day the codes work (YYYY-MM-DD)",
)
@click.option("--min-subtotal", default="0", help="Merchandise subtotal a code needs, e.g. 20.00")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the batch as CSV for import into a LoyaltyLion reward",
)
def generate_vouchers(
    amount: str,
    count: int,
    prefix: str,
    name: str | None,
    expires: datetime | None,
    min_subtotal: str,
    out: Path | None,
) -> None:
    """Generate a batch of single-use, fixed-amount voucher codes."""
    from storefront.extensions import db
    from storefront.models._time import utcnow
    from storefront.money import format_money
    from storefront.vouchers.service import generate_batch, iter_batch_csv

    try:
        amount_cents = parse_money(amount)
        min_subtotal_cents = parse_money(min_subtotal, allow_zero=True)
    except MoneyError as error:
        raise click.BadParameter(str(error)) from None
    if expires is not None:
        expires = expires.replace(hour=23, minute=59, second=59)
        if expires <= utcnow():
            raise click.BadParameter(
                "that day has passed: the codes would never work", param_hint="--expires"
            )
    started = time.perf_counter()
    with click.progressbar(length=count, label="Generating codes") as bar:
        try:
            batch = generate_batch(
                name=name or f"{format_money(amount_cents)} off ({count:,} codes)",
                amount_cents=amount_cents,
                count=count,
                prefix=prefix,
                expires_at=expires,
                min_subtotal_cents=min_subtotal_cents,
                progress=bar.update,
            )
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
    elapsed = time.perf_counter() - started
    click.echo(
        f"Batch {batch.id}: {count:,} codes worth {format_money(amount_cents)} each "
        f"in {elapsed:.2f} s ({count / elapsed:,.0f} codes/s)."
    )
    if out is not None:
        with out.open("w", newline="") as handle:
            for chunk in iter_batch_csv(batch):
                handle.write(chunk)
        click.echo(f"Wrote {out} (import it into the LoyaltyLion reward).")
    db.session.remove()


@click.command("seed")
def seed_command() -> None:
    """Create the demo catalogue, admin and customer (idempotent)."""
    from storefront import seed

    report = seed.seed_demo_data()
    click.echo(
        f"Seeded {report.categories} categories, {report.products} products for sale, "
        f"{report.gifts} reward gift (not for sale) and {report.users} users; "
        "what already existed was kept."
    )
    click.echo(f"  Store admin:   {seed.ADMIN_EMAIL} / {seed.ADMIN_PASSWORD}")
    click.echo(f"  Demo customer: {seed.CUSTOMER_EMAIL} / {seed.CUSTOMER_PASSWORD}")


def register_cli(app: Flask) -> None:
    from storefront.devserver import dev_command
    from storefront.serve import serve_command

    app.cli.add_command(dev_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(vouchers_cli)
