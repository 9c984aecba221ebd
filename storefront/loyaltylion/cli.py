"""`flask loyaltylion ...`: worker, status, retry-dead, prune, check, webhooks, and for
going live: backfill, reconcile, doctor."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup

from . import doctor, outbox
from .backfill import backfill
from .client import DEFAULT_API_URL
from .errors import LoyaltyLionError, PermanentError
from .models import utcnow
from .reconcile import DIFFERS, reconcile
from .state import get_extension
from .subscriptions import subscribe
from .worker import Worker, stop_seconds

loyaltylion_cli = AppGroup("loyaltylion", help="LoyaltyLion event delivery.")


@loyaltylion_cli.command("worker")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 16))
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.05, 60))
def worker_command(threads: int, poll: float) -> None:
    """Deliver outbox events until interrupted (Ctrl-C / SIGTERM)."""
    extension = get_extension()
    if not extension.configured():
        raise click.ClickException(
            "LoyaltyLion is not configured: set LOYALTYLION_API_KEY (see .env.example)."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    app = current_app._get_current_object()
    worker = Worker(app, extension, threads=threads, poll_interval=poll).start()
    click.echo(f"Delivering to {current_app.config['LOYALTYLION_API_URL']} with {threads} threads.")
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    click.echo("Stopping: finishing the events in hand, handing the others back...")
    # Wait out the delivery in hand rather than leave its event claimed until the lease
    # runs out.
    worker.stop(stop_seconds(current_app.config))
    click.echo("Stopped.")


@loyaltylion_cli.command("status")
def status_command() -> None:
    """Queue depth, oldest pending event, dead count."""
    status = outbox.queue_status(get_extension().session)
    click.echo(f"pending:    {status.pending}")
    click.echo(f"delivering: {status.delivering}")
    click.echo(f"delivered:  {status.delivered}")
    click.echo(f"dead:       {status.dead}")
    click.echo(f"superseded: {status.superseded}")
    oldest = status.oldest_pending_at
    click.echo(f"oldest pending: {oldest.isoformat(timespec='seconds') + 'Z' if oldest else '-'}")


@loyaltylion_cli.command("retry-dead")
@click.option("--id", "event_ids", type=int, multiple=True, help="Only these events")
def retry_dead_command(event_ids: tuple[int, ...]) -> None:
    """Put dead events back in the queue for another round of attempts."""
    count = outbox.retry_dead(get_extension().session, list(event_ids) or None)
    click.echo(f"{count} dead event(s) queued again.")


class Age(click.ParamType):
    """A span written as a number and a unit: 30d, 12h, 90m."""

    name = "age"
    _UNITS = {"d": "days", "h": "hours", "m": "minutes"}

    def convert(self, value, param, ctx) -> timedelta:
        if isinstance(value, timedelta):
            return value
        text = str(value).strip().lower()
        number, unit = text[:-1], text[-1:]
        if unit not in self._UNITS or not number.isdigit() or len(number) > 6:
            self.fail(f"{value!r}: write a whole number and d, h or m, e.g. 30d", param, ctx)
        return timedelta(**{self._UNITS[unit]: int(number)})


@loyaltylion_cli.command("prune")
@click.option(
    "--older-than", required=True, type=Age(), help="Age of the events to delete, e.g. 30d"
)
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000))
def prune_command(older_than: timedelta, batch_size: int) -> None:
    """Delete delivered (and superseded) events older than --older-than, in batches.

    Pending, delivering and dead events are never touched; each order keeps its newest
    create and update, which the admin's order page reads."""
    session = get_extension().session
    cutoff = utcnow() - older_than
    total = outbox.count_prunable(session, cutoff)
    with click.progressbar(length=total, label="Deleting delivered events") as bar:
        deleted = outbox.prune(session, cutoff, batch_size=batch_size, progress=bar.update)
    click.echo(
        f"Deleted {deleted:,} delivered event(s) queued before "
        f"{cutoff.isoformat(timespec='seconds')}Z."
    )


@loyaltylion_cli.command("check")
def check_command() -> None:
    """Test the API key against GET /v2/identity/whoami."""
    extension = get_extension()
    api_url = current_app.config["LOYALTYLION_API_URL"]
    if not extension.configured():
        raise click.ClickException("No LoyaltyLion credentials: set LOYALTYLION_API_KEY.")
    client = extension.make_client()
    try:
        identity = client.whoami()
    except PermanentError as error:
        if error.status in (401, 403):
            raise click.ClickException(
                f"The API key was refused by {api_url} ({error.status}: {error.message})."
            ) from None
        raise click.ClickException(f"{api_url} answered {error}") from None
    except LoyaltyLionError as error:
        raise click.ClickException(f"Could not reach {api_url}: {error}") from None
    finally:
        client.close()
    click.echo(
        f"OK: {api_url} accepted the API key (GET /v2/identity/whoami, {client.auth_scheme} auth)."
    )
    if urlsplit(api_url).hostname == urlsplit(DEFAULT_API_URL).hostname:
        click.echo("Mode: live, LoyaltyLion's own API.")
    else:
        # The sandbox (or any stand-in) accepts its own key: say so, or "OK" reads as
        # if a real key had been tested.
        click.echo(
            f"Mode: a stand-in, not LoyaltyLion ({DEFAULT_API_URL}): this checked the "
            "stand-in's key only. To check a real key, set LOYALTYLION_API_KEY, "
            "LOYALTYLION_TOKEN and LOYALTYLION_API_URL (or leave the URL unset)."
        )
    if identity:
        click.echo(f"whoami: {identity}")


webhooks_cli = AppGroup("webhooks", help="LoyaltyLion webhook subscriptions.")
loyaltylion_cli.add_command(webhooks_cli)


def _client_or_fail():
    extension = get_extension()
    if not extension.configured():
        raise click.ClickException("No LoyaltyLion credentials: set LOYALTYLION_API_KEY.")
    return extension.make_client()


@webhooks_cli.command("list")
def webhooks_list_command() -> None:
    """The subscriptions this API key made (GET /v2/webhooks)."""
    client = _client_or_fail()
    try:
        hooks = client.list_webhooks()
    except LoyaltyLionError as error:
        raise click.ClickException(f"Could not list webhooks: {error}") from None
    finally:
        client.close()
    if not hooks:
        click.echo("No webhook subscriptions.")
    for hook in hooks:
        click.echo(f"{hook['id']:>6}  {hook['topic']:<28}  {hook['address']}")


@webhooks_cli.command("subscribe")
@click.option(
    "--url",
    "address",
    default=None,
    help="The public URL LoyaltyLion posts to (default: LOYALTYLION_WEBHOOK_URL).",
)
def webhooks_subscribe_command(address: str | None) -> None:
    """Subscribe the store's webhook URL to every topic the store handles (idempotent)."""
    address = address or current_app.config.get("LOYALTYLION_WEBHOOK_URL") or ""
    if not address:
        raise click.ClickException(
            "Give the store's public webhook URL: --url https://shop.example/webhooks/loyaltylion "
            "(or set LOYALTYLION_WEBHOOK_URL)."
        )
    topics = get_extension().webhook_topics()
    if not topics:
        raise click.ClickException("This store registers no webhook topics: nothing to subscribe.")
    client = _client_or_fail()
    try:
        outcomes = subscribe(client, topics, address)
    except LoyaltyLionError as error:
        raise click.ClickException(f"Could not subscribe: {error}") from None
    finally:
        client.close()
    for outcome in outcomes:
        if outcome.status == "set on the reward":
            click.echo(
                f"{outcome.topic}: set {address} as the webhook URL of the custom reward in "
                "LoyaltyLion's admin (this topic cannot be subscribed through the API)."
            )
        else:
            click.echo(f"{outcome.topic}: {outcome.status} (webhook {outcome.webhook_id}).")


@webhooks_cli.command("unsubscribe")
@click.argument("webhook_id", type=click.IntRange(1))
def webhooks_unsubscribe_command(webhook_id: int) -> None:
    """Delete one subscription (DELETE /v2/webhooks/{id})."""
    client = _client_or_fail()
    try:
        client.delete_webhook(webhook_id)
    except LoyaltyLionError as error:
        raise click.ClickException(f"Could not delete webhook {webhook_id}: {error}") from None
    finally:
        client.close()
    click.echo(f"Webhook {webhook_id} deleted.")


# -- going live ---------------------------------------------------------------------------


def _orders_or_fail():
    extension = get_extension()
    if extension.orders is None:
        raise click.ClickException(
            "The store gives the package no order source: pass `orders=` to init_app "
            "(backfill.OrderSource)."
        )
    return extension.orders


_DAY = click.DateTime(formats=["%Y-%m-%d"])


@loyaltylion_cli.command("backfill")
@click.option("--since", required=True, type=_DAY, help="Orders placed on or after YYYY-MM-DD.")
@click.option("--dry-run", is_flag=True, help="Count what would be queued; queue nothing.")
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(1, 10_000))
def backfill_command(since: datetime, dry_run: bool, batch_size: int) -> None:
    """Queue every order placed since --since that LoyaltyLion was never sent: its create,
    then its current state, oldest first, behind the live shop's events.

    Safe to run again or to restart: orders the outbox already has are skipped, and
    a create LoyaltyLion already has counts as delivered. The worker delivers them at
    the shared rate budget; `loyaltylion status` shows the queue going down."""
    extension = get_extension()
    orders = _orders_or_fail().placed_since(since)
    total = len(orders) if hasattr(orders, "__len__") else 0
    label = "Checking orders" if dry_run else "Queueing orders"
    with click.progressbar(length=total, label=label) as bar:
        result = backfill(
            extension.session, orders, dry_run=dry_run, batch_size=batch_size, progress=bar.update
        )
    verb = "would queue" if dry_run else "queued"
    click.echo(
        f"{result.considered:,} order(s) placed since {since:%Y-%m-%d}: {verb} "
        f"{result.queued:,} (a create and an update each); {result.known:,} already known "
        "to the outbox, skipped."
    )
    if result.queued_ids:
        more = ", ..." if result.queued > len(result.queued_ids) else ""
        click.echo(f"First: {', '.join(result.queued_ids)}{more}")
    if result.queued and not dry_run:
        click.echo(
            "The worker delivers them after the live shop's events, at the shared rate "
            "budget: `flask --app storefront loyaltylion status` shows the queue."
        )


@loyaltylion_cli.command("reconcile")
@click.option("--since", required=True, type=_DAY, help="Orders changed on or after YYYY-MM-DD.")
@click.option("--fix", is_flag=True, help="Queue what would bring LoyaltyLion in line.")
def reconcile_command(since: datetime, fix: bool) -> None:
    """Compare the shop's orders with LoyaltyLion's (GET /v2/orders, updated_at_min).
    Exit status 1 when anything differs that the queue will not settle by itself."""
    extension = get_extension()
    orders = _orders_or_fail()
    client = _client_or_fail()
    try:
        result = reconcile(
            extension.session, client, extension.shared_pacer(), orders, since, fix=fix
        )
    except LoyaltyLionError as error:
        raise click.ClickException(f"Could not list LoyaltyLion's orders: {error}") from None
    finally:
        client.close()
    if result.drifts:
        width = max(len("Order"), *(len(d.merchant_id) for d in result.drifts))
        click.echo(f"{'Order':<{width}}  {'Problem':<24}  Details")
        for drift in result.drifts:
            details = drift.describe() if drift.problem == DIFFERS else ""
            notes = []
            if drift.in_flight:
                notes.append("in flight: events queued, the worker settles it")
            elif drift.fix_queued:
                notes.append("fix queued")
            elif not drift.fixable:
                notes.append(
                    "needs a person: LoyaltyLion's API cannot change this"
                    if drift.problem == DIFFERS
                    else "needs a person: the shop has no such order"
                )
            text = "; ".join(filter(None, [details, *notes]))
            click.echo(f"{drift.merchant_id:<{width}}  {drift.problem:<24}  {text}")
    drifted = len(result.drifted)
    click.echo(
        f"Checked {result.checked:,} order(s) changed since {since:%Y-%m-%d}: "
        f"{drifted:,} differ, {len(result.in_flight):,} in flight"
        + (f", {result.fixes_queued:,} fix event(s) queued." if fix else ".")
    )
    if drifted:
        sys.exit(1)


@loyaltylion_cli.command("doctor")
def doctor_command() -> None:
    """Is the store ready to go live? One line per check; exit status 1 if any failed."""
    extension = get_extension()
    app = current_app._get_current_object()
    mode, checks = doctor.run(app, extension, extension.session)
    click.echo(mode)
    width = max(len(check.name) for check in checks)
    for check in checks:
        click.echo(f"{check.status:<4}  {check.name:<{width}}  {check.message}")
    failed = [check for check in checks if check.failed]
    if failed:
        click.echo(f"Not ready: {len(failed)} check(s) failed.")
        sys.exit(1)
    click.echo(
        "Ready to go live."
        if doctor.is_live(app.config["LOYALTYLION_API_URL"])
        else "Ready (against the sandbox)."
    )
