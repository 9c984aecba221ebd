"""Money: parsing what people type, the two ways out, and no binary floats on the way."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

from storefront.money import MAX_CENTS, MoneyError, format_money, parse_money, to_decimal_string

ROOT = Path(__file__).resolve().parent.parent

# Everything that computes, stores or sends an amount.
MONEY_PATH = [
    "storefront/money.py",
    "storefront/checkout",
    "storefront/orders",
    "storefront/vouchers",
    "storefront/cart",
    "storefront/admin",
    "storefront/models",
    "storefront/loyaltylion/payloads.py",  # only once the integration has it
]


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12.5", 1250),
        ("12.50", 1250),
        ("12", 1200),
        ("$12.50", 1250),
        (" 1 234.05 ", 123405),
        (".5", 50),
        ("0.01", 1),
        ("10000000.00", MAX_CENTS),
    ],
)
def test_parse_money_reads_plain_amounts_as_cents(text, cents):
    assert parse_money(text) == cents


def test_parse_money_allows_zero_only_when_asked():
    assert parse_money("0.00", allow_zero=True) == 0
    with pytest.raises(MoneyError, match="more than zero"):
        parse_money("0.00")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "Enter an amount."),
        ("", "Enter an amount."),
        ("   ", "Enter an amount."),
        ("-5", "cannot be negative"),
        ("$-5.00", "cannot be negative"),
        ("1.234", "at most two decimal places"),
        ("10000000.01", "too large"),
        ("9" * 21, "too large"),
        ("abc", "like 12.50"),
        ("12,50", "like 12.50"),
        ("1e3", "like 12.50"),
        ("1e999999999", "like 12.50"),  # Decimal would take it (and overflow building cents)
        ("NaN", "like 12.50"),
        ("Infinity", "like 12.50"),
        ("1_000", "like 12.50"),
        ("５", "like 12.50"),  # full-width digit
        ("٣", "like 12.50"),  # Arabic-Indic digit
        ("12.5\x00", "like 12.50"),
        (".", "like 12.50"),
    ],
)
def test_parse_money_rejects_junk_with_a_message(text, message):
    with pytest.raises(MoneyError, match=message):
        parse_money(text)


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (1234_50, "1234.50"),  # no thousands separator
        (1_000_000_00, "1000000.00"),
        (5, "0.05"),
        (50, "0.50"),
        (0, "0.00"),
        (-5, "-0.05"),
        (-1234_50, "-1234.50"),
    ],
)
def test_to_decimal_string_is_the_plain_api_format(cents, text):
    assert to_decimal_string(cents) == text


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [
        (1234_50, "USD", "$1,234.50"),
        (5, "USD", "$0.05"),
        (0, "USD", "$0.00"),
        (-500, "USD", "-$5.00"),
        (1234_50, "EUR", "€1,234.50"),
        (1234_50, "GBP", "£1,234.50"),
        (1234_50, "CAD", "1,234.50 CAD"),
    ],
)
def test_format_money_is_for_people(cents, currency, text):
    assert format_money(cents, currency) == text


def _python_files(entry: str) -> list[Path]:
    path = ROOT / entry
    if path.is_dir():
        return sorted(path.rglob("*.py"))
    return [path] if path.exists() else []


def _float_uses(source: str) -> list[int]:
    """Line numbers where the word `float` is code (comments and docstrings do not count)."""
    lines = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and token.string.lower() == "float":
            lines.append(token.start[0])
        elif token.type == tokenize.STRING and token.string.lstrip("rRbBuU").startswith(("f", "F")):
            # Before Python 3.12 an f-string is one STRING token: look inside its fields.
            expression = ast.parse(token.string, mode="eval")
            lines += [
                token.start[0] + node.lineno - 1
                for node in ast.walk(expression)
                if (isinstance(node, ast.Name) and node.id.lower() == "float")
                or (isinstance(node, ast.Attribute) and node.attr.lower() == "float")
            ]
    return lines


def test_the_float_scanner_sees_code_but_not_comments_or_docstrings():
    source = (
        '"""Never a float."""\n'
        "# float is banned\n"
        "x = 'float'\n"
        "y = float(x)\n"
        "z = f'{float(y):.2f}'\n"
        "w: sa.Float\n"
    )

    assert _float_uses(source) == [4, 5, 6]


def test_no_binary_float_on_the_money_path():
    files = [file for entry in MONEY_PATH for file in _python_files(entry)]
    assert files, "the money path moved: update MONEY_PATH"

    offenders = [
        f"{file.relative_to(ROOT)}:{line}"
        for file in files
        for line in _float_uses(file.read_text(encoding="utf-8"))
    ]

    assert not offenders, "float on the money path (use integer cents): " + ", ".join(offenders)
