"""`flask --app storefront loyaltylion ...`: worker, status, retry-dead, check."""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from storefront.loyaltylion import outbox
from storefront.loyaltylion.errors import LoyaltyLionError, PermanentError

loyaltylion_cli = AppGroup("loyaltylion", help="LoyaltyLion event delivery.")


def _extension():
    from storefront.loyaltylion import get_extension

    return get_extension()


@loyaltylion_cli.command("worker")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 16))
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.05, 60))
def worker_command(threads: int, poll: float) -> None:
    """Deliver outbox events until interrupted (Ctrl-C / SIGTERM)."""
    from storefront.loyaltylion.worker import Worker

    extension = _extension()
    if not extension.configured():
        raise click.ClickException(
            "LoyaltyLion is not configured: set LOYALTYLION_API_KEY (see .env.example)."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = Worker(current_app._get_current_object(), threads=threads, poll_interval=poll).start()
    click.echo(f"Delivering to {current_app.config['LOYALTYLION_API_URL']} with {threads} threads.")
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    click.echo("Stopping: finishing the events in hand...")
    worker.stop()


@loyaltylion_cli.command("status")
def status_command() -> None:
    """Queue depth, oldest pending event, dead count."""
    status = outbox.queue_status(_extension().session)
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
    count = outbox.retry_dead(_extension().session, list(event_ids) or None)
    click.echo(f"{count} dead event(s) queued again.")


@loyaltylion_cli.command("check")
def check_command() -> None:
    """Test the API key against GET /v2/identity/whoami."""
    extension = _extension()
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
    click.echo(f"OK: the key works against {api_url} ({client.auth_scheme} auth).")
    if identity:
        click.echo(f"whoami: {identity}")
