"""Cursor pagination as LoyaltyLion documents it.

https://developers.loyaltylion.com/api-reference/pagination

Newest first; `{"cursor": {"prev": ..., "next": ...}}` with `null` when there is
nothing more in that direction; the cursor carries the filters of the first
request, so a follow-up request only sends `cursor` (and optionally `limit`).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from loyaltylion_sandbox.db import db
from loyaltylion_sandbox.errors import SandboxError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise SandboxError(
            400,
            f"limit must be between 1 and {MAX_LIMIT}",
            {"limit": [f"must be an integer between 1 and {MAX_LIMIT} (got {raw!r})"]},
        )
    return limit


def parse_datetime(name: str, raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise SandboxError(
            400,
            f"{name} must be an ISO 8601 date-time with a time zone",
            {name: [f"must be an ISO 8601 date-time with a time zone (got {raw!r})"]},
        )
    return value


def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(payload, dict) or payload.get("dir") not in ("next", "prev"):
            raise ValueError("bad cursor")
        int(payload["id"])
        return payload
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise SandboxError(
            400, "Invalid cursor", {"cursor": ["not a cursor from this API"]}
        ) from exc


def page(
    model: Any,
    base: Select,
    *,
    limit: int,
    cursor: dict[str, Any] | None,
    filters: dict[str, Any],
) -> tuple[list[Any], dict[str, str | None]]:
    """One page of `base` (already filtered), newest (highest id) first."""
    id_col = model.id
    stmt = base
    if cursor and cursor["dir"] == "next":
        stmt = stmt.where(id_col < int(cursor["id"])).order_by(id_col.desc())
        rows = list(db.session.execute(stmt.limit(limit)).scalars())
    elif cursor:
        stmt = stmt.where(id_col > int(cursor["id"])).order_by(id_col.asc())
        rows = list(reversed(list(db.session.execute(stmt.limit(limit)).scalars())))
    else:
        rows = list(db.session.execute(stmt.order_by(id_col.desc()).limit(limit)).scalars())

    prev_cursor = next_cursor = None
    if rows:
        newest, oldest = rows[0].id, rows[-1].id
        sub = base.subquery()
        if db.session.execute(select(sub.c.id).where(sub.c.id > newest).limit(1)).first():
            prev_cursor = encode_cursor({"dir": "prev", "id": newest, "filters": filters})
        if db.session.execute(select(sub.c.id).where(sub.c.id < oldest).limit(1)).first():
            next_cursor = encode_cursor({"dir": "next", "id": oldest, "filters": filters})
    return rows, {"prev": prev_cursor, "next": next_cursor}
