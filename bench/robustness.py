"""Hardening figures: `.venv/bin/python bench/robustness.py`.

1. How long masking e-mail addresses takes on a 1 MB body (the admin's logs show every
   stored payload masked), for the worst shapes: one long run without an "@", and a
   body full of addresses. The scanner is linear; the pattern it replaced was not.
2. Checkout latency when four submits of one checkout arrive at once (a double click
   and two tabs): the p50 of all answers, and proof that each round made one order.
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loyaltylion_sandbox.server import start_server  # noqa: E402
from storefront import create_app  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.loyaltylion.redact import mask_emails  # noqa: E402
from storefront.models import Order, Product  # noqa: E402
from storefront.schema import create_tables  # noqa: E402
from storefront.seed import CUSTOMER_EMAIL, CUSTOMER_PASSWORD, seed_demo_data  # noqa: E402

MB = 1024 * 1024
_ATTEMPT = re.compile(r'name="attempt" type="hidden" value="([^"]+)"')
SHIPPING = {
    "name": "Bench Customer",
    "address": "1 Queue Lane",
    "city": "Leeds",
    "postcode": "LS1 1AA",
    "country": "GB",
    "payment_method": "card",
}


def masking() -> None:
    print("1. Masking e-mail addresses in a 1 MB body")
    bodies = {
        "no @ at all (one long run)": "a" * MB,
        "a run ending in @ (the old worst case)": "a" * (MB - 1) + "@",
        "addresses only": ('"alice.blue@example.com", ' * (MB // 26 + 1))[:MB],
    }
    for name, body in bodies.items():
        start = time.perf_counter()
        mask_emails(body)
        print(f"   {name:<40} {1000 * (time.perf_counter() - start):7.1f} ms")


def checkout(rounds: int) -> None:
    print(f"\n2. Checkout with four simultaneous submits of one checkout, {rounds} rounds")
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "SESSION_COOKIE_SECURE": False,
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'shop.sqlite3'}",
                "LOYALTYLION_API_KEY": "",
                "LOYALTYLION_TOKEN": "",
            }
        )
        logging.getLogger("storefront").setLevel(logging.WARNING)
        with app.app_context():
            create_tables()
            seed_demo_data()
            product = db.session.execute(
                db.select(Product.id).where(Product.slug == "house-blend")
            ).scalar_one()
        server = start_server(app, quiet=True)
        try:
            customer = requests.Session()
            customer.post(
                f"{server.url}/login",
                data={"email": CUSTOMER_EMAIL, "password": CUSTOMER_PASSWORD},
                timeout=10,
            )
            latencies: list[float] = []
            for _ in range(rounds):
                customer.post(f"{server.url}/cart/add", data={"product_id": product, "quantity": 1})
                page = customer.get(f"{server.url}/checkout/", timeout=10).text
                form = {**SHIPPING, "attempt": _ATTEMPT.search(page).group(1)}
                latencies += _four_at_once(server.url, customer, form)
            with app.app_context():
                orders = db.session.execute(db.select(db.func.count()).select_from(Order))
                placed = orders.scalar_one()
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    p50 = statistics.median(latencies)
    print(f"   answers: {len(latencies)}, p50 {p50:6.1f} ms, p95 {p95:6.1f} ms")
    print(f"   orders placed: {placed} (one per round: {placed == rounds})")


def _four_at_once(url: str, customer: requests.Session, form: dict) -> list[float]:
    start = threading.Barrier(4)

    def submit() -> float:
        tab = requests.Session()
        tab.cookies.update(customer.cookies)
        start.wait()
        began = time.perf_counter()
        answer = tab.post(f"{url}/checkout/", data=form, allow_redirects=False, timeout=60)
        elapsed = 1000 * (time.perf_counter() - began)
        assert answer.status_code in (302, 303), answer.status_code
        if "session" in answer.cookies:  # the submit that placed the order: as in a
            customer.cookies.update(answer.cookies)  # browser, one cookie jar for all tabs
        return elapsed

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda _: submit(), range(4)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    masking()
    checkout(args.rounds)


if __name__ == "__main__":
    main()
