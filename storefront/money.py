"""Money is integer cents in the database and in every calculation.

Strings from forms are parsed digit by digit into cents; the only way out is `format_money`
(for people) or `to_decimal_string` (for APIs: "1234.50", no separators). Binary floating point
never touches money: tests/test_money.py scans the money path for it.
"""

from __future__ import annotations

import re

# A ceiling that keeps every total far inside a 32-bit integer column.
MAX_CENTS = 10_000_000_00  # 10 million in the store currency

# Plain ASCII decimals only: Decimal() would also take "1e9999999" (a ten-million-digit
# integer to build), "1_000", "NaN" and digits from other scripts ("５", "٣").
_AMOUNT = re.compile(r"(?P<sign>-?)(?P<whole>[0-9]*)(?:\.(?P<frac>[0-9]*))?", re.ASCII)


class MoneyError(ValueError):
    """Raised with a message fit to show the person who typed the amount."""


def parse_money(text: str | None, *, allow_zero: bool = False) -> int:
    """'12.5' -> 1250. Rejects negatives, more than two decimals, junk and huge values."""
    raw = (text or "").strip().replace(" ", "")
    if raw.startswith("$"):
        raw = raw[1:]
    if not raw:
        raise MoneyError("Enter an amount.")
    if len(raw) > 20:
        raise MoneyError("That amount is too large.")
    match = _AMOUNT.fullmatch(raw)
    if match is None or not (match["whole"] or match["frac"]):
        raise MoneyError("Enter an amount like 12.50.")
    if match["sign"]:
        raise MoneyError("The amount cannot be negative.")
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise MoneyError("Use at most two decimal places.")
    cents = int(match["whole"] or "0") * 100 + int(frac.ljust(2, "0"))
    if cents == 0 and not allow_zero:
        raise MoneyError("The amount must be more than zero.")
    if cents > MAX_CENTS:
        raise MoneyError("That amount is too large.")
    return cents


def to_decimal_string(cents: int) -> str:
    """1234_50 -> '1234.50': the plain decimal string LoyaltyLion's API expects."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}.{frac:02d}"


def format_money(cents: int, currency: str = "USD") -> str:
    """1234_50 -> '$1,234.50' for display only."""
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, "")
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    text = f"{sign}{symbol}{whole:,}.{frac:02d}"
    return text if symbol else f"{text} {currency}"
