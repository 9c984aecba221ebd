"""Load benchmark of the production shape, run by hand:

    .venv/bin/python bench/load.py                                   # SQLite
    .venv/bin/python bench/load.py --database-url postgresql+psycopg://user:pw@host/db

Starts `flask --app storefront serve` (gunicorn with --web-workers processes, and
--delivery-workers delivery worker processes, the sandbox standing in for
LoyaltyLion) on a fresh database, then drives it over real HTTP from concurrent
clients, each a logged-in shopper with its own session and CSRF tokens:

1. a bare `/healthz`, for the server's own ceiling, then the catalogue alone;
2. a bounded mix, per round: the catalogue, a product page, add to cart, checkout
   (page and submit), with the API answering at once;
3. the same mix with the sandbox answering every API call after 2 s.

Prints req/s, p50 and p95 per route, the catalogue's throughput against `/healthz`'s, and
checkout p50 with the slow API over checkout p50 with the fast one (delivery is in the
background, so the target is <= 1.1).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ATTEMPT = re.compile(r'name="attempt" type="hidden" value="([^"]+)"')
PRODUCT = re.compile(r'href="/products/([a-z0-9-]+)"')
SHIPPING = {
    "name": "Load Tester",
    "address": "1 Queue Lane",
    "city": "Leeds",
    "postcode": "LS1 1AA",
    "country": "GB",
    "payment_method": "card",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_stack(args, folder: Path) -> tuple[subprocess.Popen, str, str]:
    port, sandbox_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOYALTYLION_")}
    env.update(
        DATABASE_URL=args.database_url or f"sqlite:///{folder / 'shop.sqlite3'}",
        SECRET_KEY="bench-load",
        LOYALTYLION_SANDBOX_URL=f"http://127.0.0.1:{sandbox_port}",
        SANDBOX_DATABASE_URL=f"sqlite:///{folder / 'sandbox.sqlite3'}",
        SIGNUP_RATE_LIMIT="100000 per minute",
        LOGIN_RATE_LIMIT="100000 per minute",
        GUNICORN_ACCESS_LOG="/dev/null",
        PYTHONWARNINGS="ignore",
    )
    flask = [sys.executable, "-m", "flask", "--app", "storefront"]
    subprocess.run(
        [*flask, "db", "upgrade", "heads"],
        env=env,
        cwd=ROOT,
        check=True,  # noqa: S603
        capture_output=True,
    )
    log = open(folder / "serve.log", "w")  # noqa: SIM115 (open for the server's life)
    server = subprocess.Popen(  # noqa: S603 (this interpreter, the repo's own command)
        [
            *flask,
            "serve",
            "--port",
            str(port),
            "--sandbox-port",
            str(sandbox_port),
            "--web-workers",
            str(args.web_workers),
            "--delivery-workers",
            str(args.delivery_workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    shop = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{shop}/healthz", timeout=1).status_code == 200:
                break
        except requests.RequestException:  # not listening yet, or still booting
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit(f"the server did not start: see {folder / 'serve.log'}")
        time.sleep(0.2)
    return server, shop, f"http://127.0.0.1:{sandbox_port}"


def csrf(html: str) -> str:
    return CSRF.search(html).group(1)


class Shopper:
    def __init__(self, shop: str, number: int):
        self.shop = shop
        self.http = requests.Session()
        page = self.http.get(f"{shop}/signup").text
        response = self.http.post(
            f"{shop}/signup",
            data={
                "email": f"load{number}-{time.time_ns()}@example.com",
                "name": "Load",
                "password": "a-good-password-1",
                "csrf_token": csrf(page),
            },
        )
        response.raise_for_status()

    def timed(self, timings, route: str, method: str, path: str, **kwargs) -> requests.Response:
        started = time.perf_counter()
        response = self.http.request(method, f"{self.shop}{path}", timeout=30, **kwargs)
        timings[route].append(time.perf_counter() - started)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code}")
        return response

    def round(self, timings) -> None:
        catalogue = self.timed(timings, "catalogue", "GET", "/").text
        slug = PRODUCT.search(catalogue).group(1)
        product = self.timed(timings, "product", "GET", f"/products/{slug}").text
        product_id = re.search(r'name="product_id" type="hidden" value="(\d+)"', product).group(1)
        self.timed(
            timings,
            "add to cart",
            "POST",
            "/cart/add",
            data={"product_id": product_id, "quantity": 1, "csrf_token": csrf(product)},
        )
        page = self.timed(timings, "checkout page", "GET", "/checkout/").text
        self.timed(
            timings,
            "checkout submit",
            "POST",
            "/checkout/",
            data={**SHIPPING, "csrf_token": csrf(page), "attempt": ATTEMPT.search(page).group(1)},
        )

    def healthz(self, timings) -> None:
        self.timed(timings, "healthz", "GET", "/healthz")

    def catalogue(self, timings) -> None:
        self.timed(timings, "catalogue", "GET", "/")


def drive(shoppers: list[Shopper], action: str, seconds: float) -> tuple[dict, float]:
    timings: dict[str, list[float]] = defaultdict(list)
    stop = time.monotonic() + seconds
    errors: list[BaseException] = []

    def client(shopper: Shopper) -> None:
        try:
            while time.monotonic() < stop:
                getattr(shopper, action)(timings)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(s,)) for s in shoppers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"a client failed: {errors[0]}")
    return timings, time.perf_counter() - started


def report(title: str, timings: dict, elapsed: float) -> None:
    print(f"\n{title}")
    print(f"   {'route':<16} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for route, values in timings.items():
        ordered = sorted(values)
        p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
        print(
            f"   {route:<16} {len(values):>8} {len(values) / elapsed:>7.1f} "
            f"{statistics.median(values) * 1000:>8.1f} {p95 * 1000:>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--delivery-workers", type=int, default=2)
    args = parser.parse_args()
    database = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        server, shop, sandbox = start_stack(args, Path(tmp))
        try:
            print(
                f"{database}: {args.web_workers} web processes, {args.delivery_workers} "
                f"delivery workers, {args.clients} concurrent clients, {args.seconds:g} s a phase"
            )
            shoppers = [Shopper(shop, n) for n in range(args.clients)]
            health, health_elapsed = drive(shoppers, "healthz", args.seconds)
            report("1. /healthz alone", health, health_elapsed)
            alone, alone_elapsed = drive(shoppers, "catalogue", args.seconds)
            report("   the catalogue alone", alone, alone_elapsed)
            fast, fast_elapsed = drive(shoppers, "round", args.seconds)
            report("2. The mix, API answering at once", fast, fast_elapsed)
            requests.post(
                f"{sandbox}/_sandbox/faults",
                json={"mode": "slow", "count": 1_000_000, "delay": 2},
                timeout=5,
            )
            slow, slow_elapsed = drive(shoppers, "round", args.seconds)
            report("3. The mix, API answering after 2 s", slow, slow_elapsed)
            requests.delete(f"{sandbox}/_sandbox/faults", timeout=5)

            catalogue_rate = len(alone["catalogue"]) / alone_elapsed
            health_rate = len(health["healthz"]) / health_elapsed
            print(
                f"\n   catalogue alone {catalogue_rate:.1f} req/s, /healthz alone "
                f"{health_rate:.1f} req/s: catalogue/healthz = {catalogue_rate / health_rate:.2f}"
            )
            ratio = statistics.median(slow["checkout submit"]) / statistics.median(
                fast["checkout submit"]
            )
            print(f"   checkout p50, API after 2 s / API at once: {ratio:.2f} (target <= 1.1)")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
