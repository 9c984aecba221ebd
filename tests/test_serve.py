"""`flask --app storefront serve` (what `make serve` runs), as a real process tree:
migrate, start gunicorn, delivery workers and the sandbox, serve, deliver, and stop on
SIGTERM with every process gone."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serve_env(tmp_path, database_uri) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOYALTYLION_")}
    env.update(
        DATABASE_URL=database_uri,
        SECRET_KEY="serve-test",
        SANDBOX_DATABASE_URL=f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        METRICS_TOKEN="serve-metrics",
        GUNICORN_ACCESS_LOG="/dev/null",
        PYTHONWARNINGS="ignore",
    )
    (tmp_path / "metrics").mkdir()
    return env


def flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "storefront", *args]


def test_serve_runs_gunicorn_and_workers_delivers_and_stops_on_sigterm(serve_env, tmp_path):
    from tests.conftest import TEST_CONFIG, _drop_everything, dispose

    if not serve_env["DATABASE_URL"].startswith("sqlite"):  # start PostgreSQL empty
        from storefront import create_app

        shop = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": serve_env["DATABASE_URL"]})
        _drop_everything(shop)
        dispose(shop)
    migrate = subprocess.run(  # noqa: S603 (this interpreter, the repo's own command)
        flask("db", "upgrade", "heads"), env=serve_env, cwd=ROOT, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    with open(tmp_path / "serve.log", "w+") as log:
        run_and_stop(serve_env, log)


def run_and_stop(serve_env: dict[str, str], log) -> None:
    port, sandbox_port = free_port(), free_port()
    server = subprocess.Popen(  # noqa: S603
        flask(
            "serve",
            "--port",
            str(port),
            "--sandbox-port",
            str(sandbox_port),
            "--web-workers",
            "2",
            "--delivery-workers",
            "2",
        ),
        env=serve_env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    shop = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{shop}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:  # not listening, or still booting
                pass
            assert server.poll() is None and time.monotonic() < deadline, log_text(log)
            time.sleep(0.2)
        assert requests.get(shop, timeout=5).status_code == 200
        # A shopper signs up through gunicorn; the worker processes send the $signup.
        browser = requests.Session()
        page = browser.get(f"{shop}/signup", timeout=5).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        signup = browser.post(
            f"{shop}/signup",
            data={
                "email": "served@example.com",
                "name": "Served",
                "csrf_token": token,
                "password": "a-good-password-1",
            },
            timeout=10,
        )
        assert (
            signup.status_code == 200
            and "served@example.com" in browser.get(f"{shop}/account/", timeout=5).text
        )
        bearer = {"Authorization": "Bearer serve-metrics"}
        deadline = time.monotonic() + 30
        while (
            'loyaltylion_deliveries_total{outcome="delivered",status="2xx"}'
            not in (text := requests.get(f"{shop}/metrics", headers=bearer, timeout=5).text)
            or 'loyaltylion_outbox_events{status="pending"} 0.0' not in text
        ):
            assert time.monotonic() < deadline, text
            time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            raise
    output = log_text(log)
    assert "Booting worker" in output  # gunicorn's own processes
    assert output.count("Delivering to http://127.0.0.1:") == 2
    assert output.count("Stopped.") == 2, output
    assert "Shutting down: Master" in output
    with pytest.raises(ProcessLookupError):  # nothing of the process group is left
        os.killpg(server.pid, 0)


def log_text(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()
