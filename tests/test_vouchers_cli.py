"""`flask --app storefront vouchers generate`: codes in the database and a CSV file,
or, for a bad amount, a clear message, a non-zero exit and nothing written."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Voucher, VoucherBatch


def generate(runner, *options: str):
    return runner.invoke(args=["vouchers", "generate", *options])


def stored_codes(app) -> list[tuple[str, int]]:
    """(code, amount in cents) for every voucher in the database."""
    with app.app_context():
        return list(
            db.session.execute(select(Voucher.code, VoucherBatch.amount_cents).join(VoucherBatch))
        )


def test_generate_writes_the_codes_and_a_csv(app, runner, tmp_path):
    out = tmp_path / "codes.csv"

    result = generate(runner, "--amount", "5.00", "--count", "500", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert "500 codes worth $5.00 each" in result.output
    codes = stored_codes(app)
    assert len(codes) == 500
    assert {amount for _, amount in codes} == {500}
    with out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 500  # one code per line, no header (vouchers/service.py)
    assert sorted(row[0] for row in rows) == sorted(code for code, _ in codes)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Enter an amount like 12.50."),
        ("-5", "The amount cannot be negative."),
        ("1.234", "Use at most two decimal places."),
        ("1e999999", "Enter an amount like 12.50."),  # once a decimal.Overflow traceback
    ],
)
def test_a_bad_amount_exits_non_zero_with_a_message_and_writes_nothing(
    app, runner, tmp_path, amount, message
):
    out = tmp_path / "codes.csv"

    result = generate(runner, "--amount", amount, "--count", "500", "--out", str(out))

    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()
    with app.app_context():
        assert db.session.execute(select(func.count(VoucherBatch.id))).scalar_one() == 0
        assert db.session.execute(select(func.count(Voucher.id))).scalar_one() == 0
