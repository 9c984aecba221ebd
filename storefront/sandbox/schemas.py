"""JSON Schemas (Draft 2020-12) of the Admin API request bodies the sandbox accepts.

Public API, also used by the shop's own payload tests:

    from storefront.sandbox.schemas import SCHEMAS, validate, unknown_fields

    errors = validate("order_create", payload)   # {} when valid
    # {"total": ['must be a decimal string such as "1234.50" ... (got 1234.5)']}

`SCHEMAS` maps a name to a plain dict schema:

    activity        POST /v2/activities
    activity_state  PUT  /v2/activities/{name}/{merchant_id}
    order_create    POST /v2/orders
    order_update    PUT  /v2/orders/{merchant_id}
    points_add      POST /v2/customers/{merchant_id}/points
    points_remove   POST /v2/customers/{merchant_id}/remove_points
    claimed_reward  POST /v2/customers/{merchant_id}/claimed_rewards
    customer_update PATCH /v2/customers/{merchant_id}

Sources: /work/shared/loyaltylion-reference.md and the OpenAPI snippets on
https://developers.loyaltylion.com/api-reference/v2/resources/ (one page per endpoint).

Choices (documented in docs/sandbox.md):
- Unknown extra fields are allowed, as the real API tolerates them (its own docs
  show e.g. `$magento_payload`); `unknown_fields()` lists them and the request log
  shows them as warnings so typos in optional field names are still visible.
- Optional fields must be left out rather than sent as `null` (except `reason`,
  which the docs type as `string | null`).
- `date` must be a full ISO 8601 date-time *with* a time zone (`Z` or an offset):
  a naive time names no instant.
- Keywords starting with `x-` are annotations for humans (ignored by validators):
  `x-hint` is the wording used in error messages.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from storefront.sandbox.constants import (
    ACTIVITY_STATES,
    ACTIVITY_UPDATE_STATES,
    CANCELLATION_STATUSES,
    PAYMENT_STATUSES,
    REFUND_STATUSES,
)

# "1234.50", "0", "-3.5". Not 1234.5 (a number), "1,234.50" or "12.345".
MONEY_PATTERN = r"^-?\d+(\.\d{1,2})?$"
# Shape of an ISO 8601 date-time with a zone; the format checker also checks the
# calendar (no month 13) when you validate through `validate()`.
DATE_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$"

MONEY: dict[str, Any] = {
    "type": "string",
    "pattern": MONEY_PATTERN,
    "x-hint": 'a decimal string such as "1234.50" (not a number, no thousands separator, '
    "at most 2 decimals)",
}
DATE_TIME: dict[str, Any] = {
    "type": "string",
    "format": "date-time",
    "pattern": DATE_TIME_PATTERN,
    "x-hint": 'an ISO 8601 date-time with a time zone, such as "2026-11-25T18:30:00Z"',
}
NON_EMPTY_STRING: dict[str, Any] = {"type": "string", "minLength": 1}
STRING: dict[str, Any] = {"type": "string"}
EMAIL: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[^@\s]+@[^@\s]+$",
    "x-hint": "an email address",
}
BOOLEAN: dict[str, Any] = {"type": "boolean", "x-hint": "a JSON boolean (true or false)"}
# The docs type `birthday` as a string without a format; their customers/update
# example shows "1970-01-01", so the sandbox asks for a real YYYY-MM-DD date.
BIRTHDAY: dict[str, Any] = {
    "type": "string",
    "format": "date",
    "pattern": r"^\d{4}-\d{2}-\d{2}$",
    "x-hint": 'a date "YYYY-MM-DD" such as "1990-07-14"',
}


def _enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


# The fields every tracked event may carry to help referral tracking.
_TRACKING_FIELDS: dict[str, Any] = {
    "ip_address": STRING,
    "user_agent": STRING,
    "referral_id": STRING,
    "tracking_id": STRING,
}

# https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
ACTIVITY: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Create activity (POST /v2/activities)",
    "type": "object",
    "required": ["name", "customer_id", "customer_email"],
    "properties": {
        "name": {**NON_EMPTY_STRING, "x-hint": 'an activity name such as "$signup"'},
        # The docs' example sends a number here; the store's id as a string is the norm.
        "customer_id": {
            "type": ["string", "integer"],
            "minLength": 1,
            "x-hint": "the store's customer id (a string, or an integer)",
        },
        "customer_email": EMAIL,
        "merchant_id": NON_EMPTY_STRING,
        "date": DATE_TIME,
        "properties": {"type": "object", "x-hint": "a JSON object"},
        # Defaults to true in LoyaltyLion: account holders must send false.
        "guest": BOOLEAN,
        "state": _enum(ACTIVITY_STATES),
        **_TRACKING_FIELDS,
    },
}

# https://developers.loyaltylion.com/api-reference/v2/resources/activities/update-activity
ACTIVITY_STATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Update activity state (PUT /v2/activities/{name}/{merchant_id})",
    "type": "object",
    "required": ["state"],
    "properties": {"state": _enum(ACTIVITY_UPDATE_STATES)},
}

DISCOUNT_CODE: dict[str, Any] = {
    "type": "object",
    "required": ["code", "amount"],
    "properties": {"code": NON_EMPTY_STRING, "amount": MONEY},
    "x-hint": 'an object {"code": "...", "amount": "5.00"}',
}

# https://developers.loyaltylion.com/api-reference/v2/resources/orders/create-order
ORDER_CREATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Create order (POST /v2/orders)",
    "type": "object",
    "required": [
        "merchant_id",
        "customer_id",
        "customer_email",
        "total",
        "total_shipping",
        "payment_status",
    ],
    "properties": {
        "merchant_id": NON_EMPTY_STRING,
        "customer_id": {**NON_EMPTY_STRING, "x-hint": "the store's customer id as a string"},
        "customer_email": EMAIL,
        "total": MONEY,
        "total_shipping": MONEY,
        "total_paid": MONEY,
        "payment_status": _enum(PAYMENT_STATUSES),
        "merchant_number": STRING,
        # Older name of merchant_number in the OpenAPI document (typed <unknown> there).
        "number": STRING,
        "discount_codes": {
            "type": "array",
            "items": DISCOUNT_CODE,
            "x-hint": 'an array of {"code": "...", "amount": "5.00"} objects '
            "(a single object is not accepted; send [] for none)",
        },
        "claimed_reward_ids": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1},
            "x-hint": "an array of integer claimed reward ids",
        },
        "date": DATE_TIME,
        "guest": BOOLEAN,
        **_TRACKING_FIELDS,
    },
}

# https://developers.loyaltylion.com/api-reference/v2/resources/orders/update-order
ORDER_UPDATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Update order, full state (PUT /v2/orders/{merchant_id})",
    "type": "object",
    "required": [
        "payment_status",
        "refund_status",
        "cancellation_status",
        "total_paid",
        "total_refunded",
    ],
    "properties": {
        "payment_status": _enum(PAYMENT_STATUSES),
        "refund_status": _enum(REFUND_STATUSES),
        "cancellation_status": _enum(CANCELLATION_STATUSES),
        "total_paid": MONEY,
        "total_refunded": MONEY,
    },
}

_POINTS: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": 1_000_000,
    "x-hint": "a whole number of points between 1 and 1000000",
}

# https://developers.loyaltylion.com/api-reference/v2/resources/customers/add-points
POINTS_ADD: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Add points (POST /v2/customers/{merchant_id}/points)",
    "type": "object",
    "required": ["points"],
    "properties": {"points": _POINTS, "reason": {"type": ["string", "null"]}},
}

# https://developers.loyaltylion.com/api-reference/v2/resources/customers/remove-points
POINTS_REMOVE: dict[str, Any] = {
    **POINTS_ADD,
    "title": "Remove points (POST /v2/customers/{merchant_id}/remove_points)",
}

# https://developers.loyaltylion.com/api-reference/v2/resources/customers/rewards/redeem-reward
CLAIMED_REWARD: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Redeem reward (POST /v2/customers/{merchant_id}/claimed_rewards)",
    "type": "object",
    "required": ["reward_id"],
    "properties": {
        "reward_id": {"type": "integer", "minimum": 1, "x-hint": "an integer reward id"},
        "multiplier": {"type": "integer", "minimum": 1},
    },
}

# https://developers.loyaltylion.com/api-reference/v2/resources/customers/update-customer
CUSTOMER_UPDATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Update customer (PATCH /v2/customers/{merchant_id})",
    "type": "object",
    "required": ["customer"],
    "properties": {
        "customer": {
            "type": "object",
            "properties": {"birthday": BIRTHDAY, "blocked": BOOLEAN},
            "x-hint": 'an object such as {"birthday": "1990-07-14", "blocked": false}',
        }
    },
}

# https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/create-webhook
WEBHOOK_CREATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Create webhook (POST /v2/webhooks)",
    "type": "object",
    "required": ["webhook"],
    "properties": {
        "webhook": {
            "type": "object",
            "required": ["topic", "address"],
            "properties": {
                "topic": NON_EMPTY_STRING,
                "address": {**NON_EMPTY_STRING, "x-hint": "the full https:// URL to post to"},
                "service_integration_id": {"type": "integer"},
            },
            "x-hint": 'an object such as {"topic": "customers/update", "address": "https://..."}',
        }
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "activity": ACTIVITY,
    "activity_state": ACTIVITY_STATE,
    "order_create": ORDER_CREATE,
    "order_update": ORDER_UPDATE,
    "points_add": POINTS_ADD,
    "points_remove": POINTS_REMOVE,
    "claimed_reward": CLAIMED_REWARD,
    "customer_update": CUSTOMER_UPDATE,
    "webhook_create": WEBHOOK_CREATE,
}

FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_zoned_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # `type` reports it
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return True


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_calendar_date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)  # the pattern checks the shape; this, the calendar
    return True


_VALIDATORS = {
    name: Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    for name, schema in SCHEMAS.items()
}
for _schema in SCHEMAS.values():
    Draft202012Validator.check_schema(_schema)

_JSON_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "a JSON object",
    "array": "an array",
    "null": "null",
}


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _location(path: list[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _got(value: object) -> str:
    shown = json.dumps(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return (
        f"got {_json_type(value)} {shown}"
        if _json_type(value) in {"object", "array"}
        else (f"got {shown}")
    )


def _message(error: ValidationError) -> str:
    hint = error.schema.get("x-hint") if isinstance(error.schema, dict) else None
    kind = error.validator
    if kind == "type":
        expected = error.validator_value
        wanted = hint or " or ".join(
            _JSON_TYPE_NAMES[t] for t in (expected if isinstance(expected, list) else [expected])
        )
        return f"must be {wanted} ({_got(error.instance)})"
    if kind in {"pattern", "format"}:
        return f"must be {hint or 'in the documented format'} ({_got(error.instance)})"
    if kind == "enum":
        allowed = ", ".join(json.dumps(v) for v in error.validator_value)
        return f"must be one of {allowed} ({_got(error.instance)})"
    if kind == "minLength":
        return "must not be empty"
    if kind == "minimum":
        return f"must be at least {error.validator_value} ({_got(error.instance)})"
    if kind == "maximum":
        return f"must be at most {error.validator_value} ({_got(error.instance)})"
    return error.message


def validate(name: str, body: object) -> dict[str, list[str]]:
    """Validate `body` against `SCHEMAS[name]`.

    Returns {} when valid, else a map of top-level field name -> messages. Nested
    problems are reported under their top-level field with the full location
    (e.g. "discount_codes": ["discount_codes[0].amount: must be ..."]). A body that
    is not a JSON object is reported under "body".
    """
    validator = _VALIDATORS[name]
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        messages = errors.setdefault(field, [])
        if message not in messages:
            messages.append(message)

    for error in sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.path))):
        path = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for prop in error.validator_value:
                if prop not in error.instance:
                    full = [*path, prop]
                    field = str(full[0])
                    prefix = f"{_location(full)}: " if len(full) > 1 else ""
                    add(field, f"{prefix}is required")
            continue
        if not path:
            add("body", _message(error))
            continue
        prefix = f"{_location(path)}: " if len(path) > 1 else ""
        add(str(path[0]), prefix + _message(error))
    return errors


def unknown_fields(name: str, body: object) -> list[str]:
    """Fields of `body` the schema does not describe (allowed, but worth a look).

    Looks into nested objects whose fields the schema lists, e.g. "customer.birth_day".
    """
    return sorted(_unknown(SCHEMAS[name], body, ""))


def _unknown(schema: dict[str, Any], value: object, prefix: str) -> list[str]:
    if not isinstance(value, dict):
        return []
    known = schema.get("properties", {})
    found = []
    for key, item in value.items():
        if key not in known:
            found.append(prefix + key)
        elif "properties" in known[key]:
            found += _unknown(known[key], item, f"{prefix}{key}.")
    return found
