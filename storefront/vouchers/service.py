"""Single-use, fixed-amount voucher codes: generate in bulk, check, redeem atomically.

LoyaltyLion does not create discount codes for a custom platform: the store
pre-generates a pool per reward, the merchant imports it into the reward, and
LoyaltyLion hands one code to each customer who claims it. The store enforces the
rest (single use, amount) at checkout. Ref: "Custom" installation guide, vouchers.
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update

from storefront.extensions import db
from storefront.models import Voucher, VoucherBatch
from storefront.models._time import utcnow
from storefront.money import format_money

# No 0/O, 1/I/L: codes get read aloud and typed from screenshots.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# 31 symbols x 10 = 49.5 bits of randomness per code (the floor is 40).
RANDOM_LENGTH = 10
PREFIX_PATTERN = re.compile(r"^[A-Z0-9]{0,12}$")
# What a normalised code can look like; anything else cannot be one of ours.
CODE_PATTERN = re.compile(r"[A-Z0-9-]{1,40}")
INSERT_CHUNK = 5_000
# The admin form and the CLI both stop here: the size LoyaltyLion's import is tested with
# here (bench/vouchers.py), and what the README promises.
MAX_BATCH = 100_000


class VoucherError(ValueError):
    """A code that cannot be used, with a message for the shopper."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason  # "unknown" | "used" | "expired" | "minimum" | "empty" | "claimed"
        self.message = message


def normalize_code(text: str) -> str:
    """What the shopper typed -> the stored form: upper-case, no spaces."""
    return re.sub(r"\s+", "", text or "").upper()


# Random bytes become symbols through bytes.translate, in C: drawing symbol by symbol
# with secrets.choice made generating 100,000 codes take a second on its own.
# 248 = 8 x 31, so bytes 0-247 map evenly onto the alphabet; 248-255 are dropped
# (rejection sampling), which keeps every symbol equally likely.
_BYTE_TO_SYMBOL = bytes(ord(ALPHABET[b % len(ALPHABET)]) for b in range(256))
_UNEVEN_BYTES = bytes(range(256 - 256 % len(ALPHABET), 256))


def _random_symbols(n: int) -> str:
    """`n` symbols drawn uniformly from ALPHABET with `secrets`."""
    symbols = b""
    while len(symbols) < n:
        # About 3% of bytes are dropped: ask for a little more than is missing.
        wanted = n - len(symbols)
        symbols += secrets.token_bytes(wanted + wanted // 16 + 16).translate(
            _BYTE_TO_SYMBOL, _UNEVEN_BYTES
        )
    return symbols[:n].decode("ascii")


def _format_code(body: str, prefix: str) -> str:
    body = f"{body[:5]}-{body[5:]}"
    return f"{prefix}-{body}" if prefix else body


def random_code(prefix: str = "") -> str:
    return _format_code(_random_symbols(RANDOM_LENGTH), prefix)


def random_codes(count: int, prefix: str = "") -> list[str]:
    """`count` codes from one draw of random bytes (duplicates are the caller's concern)."""
    symbols = _random_symbols(count * RANDOM_LENGTH)
    return [
        _format_code(symbols[i : i + RANDOM_LENGTH], prefix)
        for i in range(0, len(symbols), RANDOM_LENGTH)
    ]


@dataclass(frozen=True)
class AppliedVoucher:
    voucher_id: int
    code: str
    face_value_cents: int

    def discount_for(self, subtotal_cents: int) -> int:
        # A discount never takes merchandise below zero.
        return min(self.face_value_cents, subtotal_cents)


def check_code(code: str, subtotal_cents: int, now: datetime | None = None) -> AppliedVoucher:
    """Validate a code for a cart with this merchandise subtotal, or raise VoucherError."""
    now = now or utcnow()
    code = normalize_code(code)
    if not CODE_PATTERN.fullmatch(code):
        raise VoucherError("unknown", "We don't recognise that discount code.")
    row = db.session.execute(
        select(Voucher, VoucherBatch).join(VoucherBatch).where(Voucher.code == code)
    ).first()
    if row is None:
        raise VoucherError("unknown", f"We don't recognise the discount code {code}.")
    voucher, batch = row
    if voucher.used_at is not None:
        raise VoucherError("used", f"The discount code {code} has already been used.")
    if batch.expires_at is not None and batch.expires_at <= now:
        raise VoucherError(
            "expired", f"The discount code {code} expired on {batch.expires_at:%d %b %Y}."
        )
    if subtotal_cents <= 0:
        raise VoucherError("empty", "Add something to your cart before using a discount code.")
    if subtotal_cents < batch.min_subtotal_cents:
        raise VoucherError(
            "minimum",
            f"The discount code {code} needs a merchandise subtotal of at least "
            f"{format_money(batch.min_subtotal_cents)}.",
        )
    return AppliedVoucher(voucher.id, voucher.code, batch.amount_cents)


def redeem(applied: AppliedVoucher, order_id: int, now: datetime | None = None) -> None:
    """Mark the code used by this order, inside the caller's transaction.

    A conditional UPDATE that must change exactly one row: of two checkouts racing for
    one code, the database lets exactly one through, on SQLite and PostgreSQL alike.
    """
    now = now or utcnow()
    not_expired = select(VoucherBatch.id).where(
        (VoucherBatch.expires_at.is_(None)) | (VoucherBatch.expires_at > now)
    )
    result = db.session.execute(
        update(Voucher)
        .where(
            Voucher.id == applied.voucher_id,
            Voucher.used_at.is_(None),
            Voucher.batch_id.in_(not_expired),
        )
        .values(used_at=now, order_id=order_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise VoucherError("used", f"The discount code {applied.code} has already been used.")


def record_claim(code: str, customer_id: int, claimed_at: datetime) -> Voucher:
    """LoyaltyLion gave `code` to this customer (its claimed-reward webhook): remember it,
    so checkout can offer it. Idempotent for the same customer; raises VoucherError for
    a code the shop never made or one already given to somebody else."""
    code = normalize_code(code)
    voucher = (
        db.session.execute(select(Voucher).where(Voucher.code == code)).scalar_one_or_none()
        if CODE_PATTERN.fullmatch(code)
        else None
    )
    if voucher is None:
        raise VoucherError("unknown", f"{code!r} is not one of the shop's codes")
    if voucher.claimed_by_id not in (None, customer_id):
        raise VoucherError(
            "claimed", f"{code} was already given to customer {voucher.claimed_by_id}"
        )
    if voucher.claimed_by_id is None:
        voucher.claimed_by_id = customer_id
        voucher.claimed_at = claimed_at
    return voucher


def code_states(codes: list[str]) -> dict[str, str]:
    """{code: "unused" | "used" | "unknown"} for codes another system holds (the ones
    imported into a LoyaltyLion reward), a thousand per query."""
    normal = {normalize_code(code): code for code in codes}
    states = dict.fromkeys(codes, "unknown")
    keys = [code for code in normal if CODE_PATTERN.fullmatch(code)]
    for start in range(0, len(keys), 1000):
        rows = db.session.execute(
            select(Voucher.code, Voucher.used_at).where(
                Voucher.code.in_(keys[start : start + 1000])
            )
        )
        for code, used_at in rows:
            states[normal[code]] = "used" if used_at is not None else "unused"
    return states


@dataclass(frozen=True)
class ClaimedCode:
    """A code LoyaltyLion gave this customer that they have not used yet."""

    code: str
    amount_cents: int
    min_subtotal_cents: int
    expires_at: datetime | None

    def fits(self, subtotal_cents: int) -> bool:
        return subtotal_cents > 0 and subtotal_cents >= self.min_subtotal_cents


def unused_claimed_codes(customer_id: int, now: datetime | None = None) -> list[ClaimedCode]:
    """The customer's claimed, unused, unexpired codes, newest claim first."""
    now = now or utcnow()
    rows = db.session.execute(
        select(
            Voucher.code,
            VoucherBatch.amount_cents,
            VoucherBatch.min_subtotal_cents,
            VoucherBatch.expires_at,
        )
        .join(VoucherBatch)
        .where(
            Voucher.claimed_by_id == customer_id,
            Voucher.used_at.is_(None),
            (VoucherBatch.expires_at.is_(None)) | (VoucherBatch.expires_at > now),
        )
        .order_by(Voucher.claimed_at.desc(), Voucher.id.desc())
        .limit(20)
    )
    return [ClaimedCode(*row) for row in rows]


def generate_batch(
    *,
    name: str,
    amount_cents: int,
    count: int,
    prefix: str = "",
    expires_at: datetime | None = None,
    min_subtotal_cents: int = 0,
    progress: Callable[[int], None] | None = None,
) -> VoucherBatch:
    """Create a batch of `count` unique codes with bulk inserts, and commit.

    Codes are drawn from `secrets`; the unique constraint is the final word, and the
    rare clash with an existing code is detected per chunk and drawn again.
    """
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"count must be between 1 and {MAX_BATCH:,}")
    if amount_cents <= 0:
        raise ValueError("amount must be positive")
    prefix = prefix.upper()
    if not PREFIX_PATTERN.match(prefix):
        raise ValueError("prefix: up to 12 letters and digits")
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise ValueError("name: 1 to 100 characters")
    batch = VoucherBatch(
        name=name,
        prefix=prefix,
        amount_cents=amount_cents,
        min_subtotal_cents=min_subtotal_cents,
        expires_at=expires_at,
    )
    db.session.add(batch)
    db.session.flush()
    made = 0
    while made < count:
        wanted = min(INSERT_CHUNK, count - made)
        codes = set(random_codes(wanted, prefix))
        clashes = set(
            db.session.execute(select(Voucher.code).where(Voucher.code.in_(codes))).scalars()
        )
        codes -= clashes
        # A Core insert of the table, not the ORM entity: these rows need no ORM
        # bookkeeping, and skipping it makes the insert about twice as fast.
        db.session.execute(
            insert(Voucher.__table__), [{"code": c, "batch_id": batch.id} for c in codes]
        )
        made += len(codes)
        if progress:
            progress(len(codes))
    db.session.commit()
    return batch


@dataclass(frozen=True)
class BatchCounts:
    total: int
    used: int  # redeemed at checkout
    issued: int  # handed to a customer by LoyaltyLion (its claimed-reward webhook)

    @property
    def unused(self) -> int:
        return self.total - self.used


def batch_counts(batch_ids: list[int] | None = None) -> dict[int, BatchCounts]:
    """{batch_id: BatchCounts} in one query. "Issued" is what the shop heard from
    LoyaltyLion's claimed-reward webhooks: its API lists no reward's codes."""
    query = select(
        Voucher.batch_id,
        func.count(Voucher.id),
        func.count(Voucher.used_at),
        func.count(Voucher.claimed_by_id),
    ).group_by(Voucher.batch_id)
    if batch_ids is not None:
        query = query.where(Voucher.batch_id.in_(batch_ids))
    return {
        bid: BatchCounts(total, used, issued)
        for bid, total, used, issued in db.session.execute(query)
    }


def iter_batch_csv(batch: VoucherBatch) -> Iterator[str]:
    """The batch for a LoyaltyLion voucher reward's import: one code per line, no
    header. LoyaltyLion's docs do not describe the import file ("bulk pre-generate these
    voucher codes for import", https://developers.loyaltylion.com/docs/installation/custom);
    a file of bare codes is read the same by an importer that takes lines and by one
    that takes a one-column CSV, where a `code` header would be imported as a code by
    the first (and `loyaltylion doctor` would then flag it). Codes are letters, digits
    and dashes, so nothing needs quoting. Streams: 100,000 codes need little memory."""
    buffer = io.StringIO()
    # yield_per: an ORM result otherwise fetches every row before the first is read.
    codes = db.session.execute(
        select(Voucher.code)
        .where(Voucher.batch_id == batch.id)
        .order_by(Voucher.id)
        .execution_options(yield_per=5_000)
    ).scalars()
    for code in codes:
        buffer.write(f"{code}\n")
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
