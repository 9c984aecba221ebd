"""The store admin's voucher batches: generating one from the form, the codes it makes,
the CSV for LoyaltyLion, the used/unused counts, and the inputs the form refuses."""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import User, Voucher, VoucherBatch
from storefront.models._time import utcnow
from storefront.vouchers.service import ALPHABET, record_claim
from tests.conftest import place_order, product_id, text_of

LOOK_ALIKES = "01OIL"
CODE_BODY = rf"[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}"


def batch_form(**overrides) -> dict:
    """A valid "Generate batch" submission."""
    return {
        "name": "Spring reward",
        "amount": "5.00",
        "count": "20",
        "prefix": "",
        "expires_on": "",
        "min_subtotal": "",
        **overrides,
    }


def generate(client, **overrides):
    return client.post("/admin/vouchers", data=batch_form(**overrides))


def only_batch(app) -> tuple[VoucherBatch, list[str]]:
    with app.app_context():
        batch = db.session.execute(select(VoucherBatch)).scalar_one()
        codes = db.session.execute(
            select(Voucher.code).where(Voucher.batch_id == batch.id)
        ).scalars()
        return batch, list(codes)


def voucher_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Voucher.id))).scalar_one()


def counts_shown(response, labels=("Used", "Unused", "Total")) -> tuple[int, ...]:
    """(used, unused, total), or the columns `labels` names, from the first batch row on
    the vouchers page."""
    body = response.get_data(as_text=True)
    return tuple(
        int(re.search(rf'data-label="{label}"[^>]*>([^<]*)<', body)[1].replace(",", ""))
        for label in labels
    )


# --- Who may use it -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/admin/vouchers"), ("POST", "/admin/vouchers"), ("GET", "/admin/vouchers/1.csv")],
)
def test_a_customer_gets_403_and_generates_nothing(client, auth, method, url):
    auth.login()

    response = client.open(url, method=method, data=batch_form())

    assert response.status_code == 403
    with client.application.app_context():
        assert db.session.execute(select(func.count(VoucherBatch.id))).scalar_one() == 0


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.post("/admin/vouchers", data=batch_form())

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- Generating -----------------------------------------------------------------------


def test_the_page_explains_the_csv_is_for_a_loyaltylion_reward(client, auth):
    auth.login_admin()

    page = text_of(client.get("/admin/vouchers"))

    assert "import it into a LoyaltyLion voucher reward" in page
    assert "No batches yet." in page


def test_generating_a_batch_makes_codes_with_its_amount_prefix_and_expiry(app, client, auth):
    auth.login_admin()
    last_day = (utcnow() + timedelta(days=30)).date()

    response = generate(
        client,
        amount="7.50",
        count="25",
        prefix="lion5",
        expires_on=last_day.isoformat(),
        min_subtotal="20",
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/vouchers"
    batch, codes = only_batch(app)
    assert batch.name == "Spring reward"
    assert batch.amount_cents == 750
    assert batch.prefix == "LION5"
    assert batch.min_subtotal_cents == 2000
    # The codes work all through their last day.
    assert batch.expires_at == datetime.combine(last_day, datetime.max.time()).replace(
        microsecond=0
    )
    assert len(codes) == 25
    assert all(re.fullmatch(rf"LION5-{CODE_BODY}", code) for code in codes)
    page = text_of(client.get("/admin/vouchers"))
    assert "Generated 25 codes worth $7.50 each in “Spring reward”." in page
    assert "Orders from $20.00" in page
    assert f"Until {last_day:%d %b %Y}" in page


def test_codes_are_unique_unambiguous_and_hard_to_guess(app, client, auth):
    auth.login_admin()

    assert generate(client, count="2000").status_code == 302

    _, codes = only_batch(app)
    assert len(codes) == len(set(codes)) == 2000
    assert all(re.fullmatch(CODE_BODY, code) for code in codes)
    bodies = "".join(code.replace("-", "") for code in codes)
    assert not set(bodies) & set(LOOK_ALIKES)
    assert set(bodies) == set(ALPHABET)  # every symbol turns up in 20,000 draws
    # Ten symbols from the 31-symbol alphabet: about 49.5 bits each.
    assert 10 * math.log2(len(ALPHABET)) >= 40
    assert not set(ALPHABET) & set(LOOK_ALIKES)


def test_the_csv_is_one_code_per_line_with_no_header(app, client, auth):
    auth.login_admin()
    generate(client, count="137", prefix="CSV")
    batch, codes = only_batch(app)

    response = client.get(f"/admin/vouchers/{batch.id}.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == f"attachment; filename=vouchers-batch-{batch.id}.csv"
    )
    body = response.get_data(as_text=True)
    lines = body.split("\n")
    assert lines[-1] == "" and "\r" not in body  # every line ends in \n
    assert sorted(lines[:-1]) == sorted(codes)  # nothing but the codes: no header
    # Read as a one-column CSV it is the same codes.
    assert [row[0] for row in csv.reader(io.StringIO(body))] == lines[:-1]


def test_an_unknown_batch_csv_is_404(client, auth):
    auth.login_admin()

    response = client.get("/admin/vouchers/999.csv")

    assert response.status_code == 404


def test_used_and_unused_counts_follow_checkout(app, client, auth):
    auth.login_admin()
    generate(client, count="3")
    assert counts_shown(client.get("/admin/vouchers")) == (0, 3, 3)
    _, codes = only_batch(app)

    auth.logout()
    auth.login()
    client.post("/cart/add", data={"product_id": product_id(app, "house-blend"), "quantity": 1})
    assert client.post("/checkout/discount", data={"code": codes[0]}).status_code == 303
    assert place_order(client).status_code == 302
    auth.logout()
    auth.login_admin()

    assert counts_shown(client.get("/admin/vouchers")) == (1, 2, 3)


def test_codes_issued_by_loyaltylion_are_counted_per_batch(app, client, auth):
    auth.login_admin()
    generate(client, count="4")
    _, codes = only_batch(app)
    with app.app_context():
        customer = (
            db.session.execute(select(User).where(User.is_admin.is_(False))).scalars().first()
        )
        for code in codes[:2]:  # what the claimed-reward webhook records
            record_claim(code, customer.id, utcnow())
        db.session.commit()

    page = client.get("/admin/vouchers")

    assert counts_shown(page, ("Issued by LoyaltyLion", "Used", "Unused", "Total")) == (2, 0, 4, 4)


def test_batches_are_listed_newest_first(client, auth):
    auth.login_admin()
    generate(client, name="Older batch", count="1")
    generate(client, name="Newer batch", count="1")

    page = text_of(client.get("/admin/vouchers"))

    table = page[page.index("Batches") :]  # after the "Generated ..." messages
    assert table.index("Newer batch") < table.index("Older batch")


def test_a_batch_name_with_markup_is_shown_escaped(client, auth):
    auth.login_admin()

    assert generate(client, name="<script>alert(1)</script>").status_code == 302

    body = client.get("/admin/vouchers").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert" not in body


def test_the_largest_batch_generates_and_downloads_whole(app, client, auth):
    auth.login_admin()

    assert generate(client, count="100000").status_code == 302

    batch, _ = only_batch(app)
    response = client.get(f"/admin/vouchers/{batch.id}.csv")
    assert response.get_data(as_text=True).count("\n") == 100_000


# --- Refused ---------------------------------------------------------------------------

YESTERDAY = (utcnow() - timedelta(days=1)).date().isoformat()

INVALID = {
    "no-name": ({"name": "  "}, "Name the batch"),
    "long-name": ({"name": "x" * 101}, "Use at most 100 characters."),
    "zero-amount": ({"amount": "0"}, "The amount must be more than zero."),
    "three-decimals": ({"amount": "5.001"}, "Use at most two decimal places."),
    "no-count": ({"count": ""}, "Enter how many codes to generate."),
    "zero-count": ({"count": "0"}, "Enter a number from 1 to 100,000."),
    "too-many": ({"count": "100001"}, "Enter a number from 1 to 100,000."),
    "fractional-count": ({"count": "2.5"}, "Enter a whole number, like 3."),
    "prefix-punctuation": ({"prefix": "LION-5"}, "Use letters A–Z and digits only."),
    "prefix-accented": ({"prefix": "LIÖN"}, "Use letters A–Z and digits only."),
    "prefix-too-long": ({"prefix": "ABCDEFGHIJKLM"}, "Use at most 12 letters and digits."),
    "expired": ({"expires_on": YESTERDAY}, "The last day cannot be in the past."),
    "not-a-date": ({"expires_on": "31/12/2030"}, "Not a valid date value."),
    "negative-minimum": ({"min_subtotal": "-1"}, "The amount cannot be negative."),
}


@pytest.mark.parametrize(("overrides", "message"), list(INVALID.values()), ids=list(INVALID))
def test_an_invalid_batch_is_refused_with_a_message(app, client, auth, overrides, message):
    auth.login_admin()

    response = generate(client, **overrides)

    assert response.status_code == 400
    assert message in text_of(response)
    assert "Please correct the highlighted field." in text_of(response)
    assert voucher_count(app) == 0
    with app.app_context():
        assert db.session.execute(select(func.count(VoucherBatch.id))).scalar_one() == 0


def test_an_expiry_of_today_is_allowed(app, client, auth):
    auth.login_admin()

    assert generate(client, expires_on=utcnow().date().isoformat()).status_code == 302
