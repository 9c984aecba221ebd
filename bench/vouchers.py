"""How fast voucher codes generate and export: `.venv/bin/python bench/vouchers.py`.

Builds the app on a throwaway SQLite database, generates one batch (100,000 codes
unless --count says otherwise), exports it as CSV, and prints the figures. The bar
from the issue: 100,000 codes in a few seconds.

Time and memory are measured in separate runs, because tracemalloc slows down the
code it watches: the timed run is what an admin waits for, the traced run says how
much Python memory the work needed at its peak.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def peak_memory(work: Callable[[], object]) -> int:
    """Peak bytes Python allocated while `work` ran."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="codes per batch")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))  # run as a script, not an installed package
    from sqlalchemy import func, select

    from storefront import create_app
    from storefront.extensions import db
    from storefront.models import Voucher
    from storefront.vouchers.service import generate_batch, iter_batch_csv

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            }
        )
        csv_path = Path(tmp) / "codes.csv"

        def generate():
            return generate_batch(name="Bench", amount_cents=500, count=args.count)

        def export(batch) -> None:
            with csv_path.open("w", newline="") as handle:
                for chunk in iter_batch_csv(batch):
                    handle.write(chunk)

        with app.app_context():
            batch, generate_seconds = timed(generate)
            _, export_seconds = timed(lambda: export(batch))
            with csv_path.open(newline="") as handle:
                rows = sum(1 for _ in handle)  # one code per line, no header
            stored = db.session.execute(
                select(func.count(Voucher.id)).where(Voucher.batch_id == batch.id)
            ).scalar_one()
            generate_peak = peak_memory(generate)
            export_peak = peak_memory(lambda: export(batch))
            db.session.remove()
        with app.app_context():
            db.engine.dispose()

    assert stored == rows == args.count, (stored, rows, args.count)
    mib = 1024 * 1024
    print(f"Generated {args.count:,} codes in {generate_seconds:.2f} s", end=" ")
    print(f"({args.count / generate_seconds:,.0f} codes/s), peak {generate_peak / mib:.1f} MiB")
    print(f"Exported them as CSV in {export_seconds:.2f} s, peak {export_peak / mib:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
