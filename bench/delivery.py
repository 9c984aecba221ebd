"""Delivery benchmark, run by hand: `.venv/bin/python bench/delivery.py`.

Prints two sets of figures, against the local sandbox over real HTTP:

1. Checkout latency with the API answering at once versus answering after 2 s.
   Delivery happens in the background, so the ratio should be ~1.
2. Delivery throughput against the sandbox's 20 requests/second limit, with the
   client pacing itself at LOYALTYLION_RATE_LIMIT (18/s by default): close to the
   limit, and no 429 in steady state.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
        started = time.perf_counter()
        response = client.post(
            "/checkout/",
            data={
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
    parser.add_argument("--rate", type=float, default=18.0, help="client pace, requests/s")
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

        print(
            f"\n2. Delivery throughput: {args.events} events, client pace {args.rate:g}/s, "
            "sandbox limit 20/s"
        )
        with app.app_context():
            db.session.execute(db.delete(loyaltylion_event_model()))
            user = db.session.get(User, 1)
            for n in range(args.events):
                loyaltylion.record_activity(
                    "newsletter_signup", customer_of(user), merchant_id=f"bench-{n}"
                )
            db.session.commit()
        started = time.perf_counter()
        loyaltylion.ensure_worker(app)
        with app.app_context():
            while queue_status(db.session).delivered < args.events:
                time.sleep(0.05)
                db.session.rollback()
        elapsed = time.perf_counter() - started
        loyaltylion.stop_worker()
        log = requests.get(f"{server.url}/_sandbox/requests", timeout=5).json()["requests"]
        too_many = sum(1 for entry in log if entry["response_status"] == 429)
        print(f"   delivered {args.events} in {elapsed:.1f} s = {args.events / elapsed:.1f} req/s")
        print(f"   429 answers from the sandbox: {too_many}")
        server.shutdown()


def loyaltylion_event_model():
    from storefront.loyaltylion.models import OutboxEvent

    return OutboxEvent


if __name__ == "__main__":
    main()
