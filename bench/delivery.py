"""Delivery benchmark, run by hand: `.venv/bin/python bench/delivery.py`.

Prints two sets of figures, against the local sandbox over real HTTP:

1. Checkout latency with the API answering at once versus answering after 2 s.
   Delivery happens in the background, so the ratio should be ~1.
2. Delivery throughput against the sandbox's 20 requests/second limit, with one
   worker process and then four (`flask loyaltylion worker`, as `make serve` runs
   them) sharing LOYALTYLION_RATE_LIMIT (19.2/s by default) through the database:
   at least 95% of the limit together, and no 429 in steady state, both ways.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import loyaltylion_sandbox as sandbox  # noqa: E402
from storefront import create_app  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.loyalty import customer_of, loyaltylion  # noqa: E402
from storefront.loyaltylion.outbox import queue_status  # noqa: E402
from storefront.models import User  # noqa: E402
from storefront.schema import create_tables  # noqa: E402
from storefront.seed import seed_demo_data  # noqa: E402


def build(tmp: Path, sandbox_url: str, rate: float):
    app = create_app(
        {
            "TESTING": False,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "bench",
            "SESSION_COOKIE_SECURE": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'shop.sqlite3'}",
            **sandbox.shop_settings(sandbox_url),
            "LOYALTYLION_RATE_LIMIT": rate,
            "LOYALTYLION_WORKER_THREADS": 4,
            "LOYALTYLION_WORKER_POLL_SECONDS": 0.05,
            "LOYALTYLION_TIMEOUT_READ": 10.0,
            # Every bench shopper signs up from 127.0.0.1.
            "SIGNUP_RATE_LIMIT": "100000 per minute",
        }
    )
    # The figures are the output: a line per order and per delivered event would bury them.
    logging.getLogger("storefront").setLevel(logging.WARNING)
    with app.app_context():
        create_tables()
        seed_demo_data()
    return app


def checkout_latencies(app, count: int, tag: str) -> list[float]:
    timings = []
    for n in range(count):
        client = app.test_client()
        client.post(
            "/signup", data={"email": f"{tag}{n}@example.com", "password": "a-good-password-1"}
        )
        client.post("/cart/add", data={"product_id": 1, "quantity": 1})
        page = client.get("/checkout/").get_data(as_text=True)
        attempt = re.search(r'name="attempt" type="hidden" value="([^"]+)"', page).group(1)
        started = time.perf_counter()
        response = client.post(
            "/checkout/",
            data={
                "attempt": attempt,
                "name": "Bench",
                "address": "1 Road",
                "city": "Town",
                "postcode": "12345",
                "country": "US",
                "payment_method": "card",
            },
        )
        timings.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    return timings


def describe(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=int, default=40)
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--rate", type=float, default=19.2, help="shared pace, requests/s")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 4], help="worker processes, per run"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        sandbox_app = sandbox.create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'sandbox.sqlite3'}"}
        )
        server = sandbox.start_server(sandbox_app, quiet=True)
        app = build(tmp, server.url, args.rate)
        loyaltylion.ensure_worker(app)

        print(f"1. Checkout latency ({args.checkouts} checkouts each, worker running)")
        fast = checkout_latencies(app, args.checkouts, "fast")
        print(f"   API answering at once:  {describe(fast)}")
        requests.post(
            f"{server.url}/_sandbox/faults",
            json={"mode": "slow", "count": 10_000, "delay": 2},
            timeout=5,
        )
        slow = checkout_latencies(app, args.checkouts, "slow")
        print(f"   API answering after 2s: {describe(slow)}")
        ratio = statistics.median(slow) / statistics.median(fast)
        print(f"   ratio (slow/fast, median): {ratio:.2f}  (target ~1)")
        loyaltylion.stop_worker()
        requests.delete(f"{server.url}/_sandbox/faults", timeout=5)
        requests.post(f"{server.url}/_sandbox/reset", timeout=5)

        server.shutdown()
        for processes in args.workers:
            throughput(tmp, app, sandbox_app, args.events, processes, args.rate)


def throughput(tmp: Path, app, sandbox_app, events: int, processes: int, rate: float) -> None:
    """`processes` separate `flask loyaltylion worker` processes, as `make serve` runs
    them, drain `events` activities against the sandbox's 20/s limit, through the one
    rate budget they share (a row in the shop's database)."""
    server = sandbox.start_server(sandbox_app, quiet=True)
    requests.post(f"{server.url}/_sandbox/reset", timeout=5)
    print(
        f"\n2. Delivery throughput: {events} events, {processes} worker process(es) sharing "
        f"LOYALTYLION_RATE_LIMIT={rate:g}/s, sandbox limit 20/s"
    )
    with app.app_context():
        db.session.execute(db.delete(loyaltylion_event_model()))
        user = db.session.get(User, 1)
        for n in range(events):
            loyaltylion.record_activity(
                "newsletter_signup", customer_of(user), merchant_id=f"bench-{processes}-{n}"
            )
        db.session.commit()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOYALTYLION_")}
    env.update({k: str(v) for k, v in sandbox.shop_settings(server.url).items()})
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="bench",
        LOYALTYLION_RATE_LIMIT=str(rate),
        PYTHONWARNINGS="ignore",
    )
    command = [sys.executable, "-m", "flask", "--app", "storefront", "loyaltylion", "worker"]
    started = time.perf_counter()
    workers = [
        subprocess.Popen(  # noqa: S603 (this interpreter, the repo's own command)
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(processes)
    ]
    try:
        with app.app_context():
            while queue_status(db.session).delivered < events:
                time.sleep(0.05)
                db.session.rollback()
        elapsed = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(30)
    log = requests.get(
        f"{server.url}/_sandbox/requests", params={"limit": 100_000}, timeout=30
    ).json()["requests"]
    api = [entry for entry in log if entry["path"] == "/v2/activities"]
    too_many = sum(1 for entry in api if entry["response_status"] == 429)
    # Steady state: from the first answer to the last, without the processes' start-up.
    stamps = sorted(datetime.fromisoformat(e["created_at"].replace("Z", "+00:00")) for e in api)
    steady = (stamps[-1] - stamps[0]).total_seconds()
    print(f"   delivered {events} in {elapsed:.1f} s, start-up included")
    print(
        f"   steady state: {len(api) - 1} requests in {steady:.1f} s = "
        f"{(len(api) - 1) / steady:.1f} req/s ({(len(api) - 1) / steady / 20:.0%} of the limit)"
    )
    limited_at = [
        (datetime.fromisoformat(e["created_at"].replace("Z", "+00:00")) - stamps[0]).total_seconds()
        for e in api
        if e["response_status"] == 429
    ]
    print(
        f"   429 answers from the sandbox: {too_many}"
        + (f" (at {', '.join(f'{t:.1f} s' for t in sorted(limited_at))})" if limited_at else "")
    )
    server.shutdown()


def loyaltylion_event_model():
    from storefront.loyaltylion.models import OutboxEvent

    return OutboxEvent


if __name__ == "__main__":
    main()
