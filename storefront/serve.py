"""`flask --app storefront serve`: the production shape, for `make serve`.

One unit of processes, as a platform would run them from a Procfile:

    web:       gunicorn --config gunicorn.conf.py "storefront:create_app()"
    worker.N:  flask --app storefront loyaltylion worker      (DELIVERY_WORKERS of them)

on whatever DATABASE_URL names; without LoyaltyLion credentials, the sandbox too (in
this process, as for `make run`, with the demo data seeded).

honcho supervises them: prefixed output, and SIGTERM or Ctrl-C passed to every
process, which then drain (gunicorn finishes its requests,
each worker its delivery in hand, handing its other claims back) before they exit.
The database must be migrated first (`make serve` does).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from storefront.devserver import check_ports, start_sandbox
from storefront.loyaltylion.worker import stop_seconds

ROOT = Path(__file__).resolve().parent.parent


def drain_seconds(app: Flask) -> float:
    """How long a process may take to stop: a delivery worker its delivery in hand,
    gunicorn its graceful timeout (30 s); then a margin."""
    return max(stop_seconds(app.config), 30.0) + 5


def process_commands(delivery_workers: int) -> dict[str, str]:
    python = shlex.quote(sys.executable)
    commands = {"web": f'{python} -m gunicorn --config gunicorn.conf.py "storefront:create_app()"'}
    for number in range(1, delivery_workers + 1):
        commands[f"worker.{number}"] = f"{python} -m flask --app storefront loyaltylion worker"
    return commands


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="HOST")
@click.option("--port", default=8000, show_default=True, type=int, envvar="PORT")
@click.option(
    "--web-workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    envvar="WEB_CONCURRENCY",
    help="gunicorn processes",
)
@click.option(
    "--delivery-workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 64),
    envvar="DELIVERY_WORKERS",
    help="`loyaltylion worker` processes",
)
@click.option("--sandbox-port", default=5001, show_default=True, type=int, envvar="SANDBOX_PORT")
@with_appcontext
def serve_command(
    host: str, port: int, web_workers: int, delivery_workers: int, sandbox_port: int
) -> None:
    """Serve the shop under gunicorn with separate LoyaltyLion delivery workers."""
    from honcho import manager as honcho

    app: Flask = current_app._get_current_object()
    sandbox_mode = app.config["LOYALTYLION_SANDBOX"]
    check_ports(host, port, sandbox_port if sandbox_mode else None, target="serve", command="serve")

    env = dict(os.environ)
    env.update(HOST=host, PORT=str(port), WEB_CONCURRENCY=str(web_workers))
    # Every process writes its counters here; /metrics adds them up (metrics.py). It
    # must start empty: one per port under instance/, unless the environment names one.
    if not env.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = Path(app.instance_path) / f"prometheus-{port}"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)

    sandbox = None
    if sandbox_mode:
        # A laptop trying the production shape: the demo's catalogue and accounts, as
        # `make run` has. Never with real credentials (its passwords are public).
        from storefront.seed import seed_demo_data

        seed_demo_data()
        sandbox = start_sandbox(
            app, shop_origin=f"http://{host}:{port}", host=host, port=sandbox_port
        )
        env["LOYALTYLION_SANDBOX_URL"] = sandbox.url
        # The sandbox is a laptop's stand-in, served over plain http: cookies that
        # demand https would never come back. With real credentials they stay Secure.
        env.setdefault("SESSION_COOKIE_SECURE", "0")
        env.setdefault("REMEMBER_COOKIE_SECURE", "0")
        click.echo(f"LoyaltyLion sandbox: {sandbox.url} (dashboard)")
    else:
        click.echo(f"LoyaltyLion: {app.config['LOYALTYLION_API_URL']}")
    click.echo(
        f"Shop: http://{host}:{port} ({web_workers} web processes, "
        f"{delivery_workers} delivery workers)"
    )

    # honcho kills what has not stopped after KILL_WAIT seconds: long enough to drain.
    honcho.KILL_WAIT = drain_seconds(app)
    manager = honcho.Manager()
    for name, command in process_commands(delivery_workers).items():
        manager.add_process(name, command, env=env, cwd=str(ROOT))
    try:
        manager.loop()
    finally:
        if sandbox is not None:
            sandbox.shutdown()
    sys.exit(manager.returncode)
