"""Retention benchmark, run by hand: `.venv/bin/python bench/retention.py [--rows N]`.

Fills the outbox with a million delivered events (SQLite by default, or
--database-url), then prints how long the admin's delivery log takes to render (first
page, a status filter, a deep page) and how long `loyaltylion prune --older-than 30d`
takes to delete them in batches.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from storefront import create_app  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.loyaltylion import outbox  # noqa: E402
from storefront.loyaltylion.models import DELIVERED, OutboxEvent, utcnow  # noqa: E402
from storefront.schema import create_tables  # noqa: E402
from storefront.seed import ADMIN_EMAIL, ADMIN_PASSWORD, seed_demo_data  # noqa: E402


def fill(rows: int) -> None:
    old = utcnow() - timedelta(days=60)
    chunk = 20_000
    started = time.perf_counter()
    for first in range(0, rows, chunk):
        db.session.execute(
            insert(OutboxEvent),
            [
                {
                    "kind": "activity",
                    "stream": f"activity:bench/{n}",
                    "payload": '{"name":"bench"}',
                    "customer_id": str(n % 5000),
                    "status": DELIVERED,
                    "attempts": 1,
                    "next_attempt_at": old,
                    "created_at": old,
                    "delivered_at": old,
                }
                for n in range(first, min(first + chunk, rows))
            ],
        )
        db.session.commit()
    print(f"   filled {rows:,} delivered events in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "SESSION_COOKIE_SECURE": False,
                "SQLALCHEMY_DATABASE_URI": args.database_url
                or f"sqlite:///{Path(tmp) / 'shop.sqlite3'}",
            }
        )
        with app.app_context():
            create_tables()
            seed_demo_data()
            db.session.execute(db.delete(OutboxEvent))
            db.session.commit()
            print(f"1. The delivery log with {args.rows:,} events")
            fill(args.rows)
        client = app.test_client()
        client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        for label, path in [
            ("first page", "/admin/loyaltylion/deliveries"),
            ("dead only", "/admin/loyaltylion/deliveries?status=dead"),
            ("page 1,000", "/admin/loyaltylion/deliveries?page=1000"),
        ]:
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                response = client.get(path)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            print(f"   {label:<12} p50 {statistics.median(timings) * 1000:7.1f} ms")
        with app.app_context():
            print("2. prune --older-than 30d")
            started = time.perf_counter()
            deleted = outbox.prune(db.session, utcnow() - timedelta(days=30))
            elapsed = time.perf_counter() - started
            print(f"   deleted {deleted:,} in {elapsed:.1f} s ({deleted / elapsed:,.0f} rows/s)")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
