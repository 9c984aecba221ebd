"""`flask loyaltylion ...`: worker, status, retry-dead, prune, check, webhooks."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup

from . import outbox
from .client import DEFAULT_API_URL
from .errors import LoyaltyLionError, PermanentError
from .models import utcnow
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
