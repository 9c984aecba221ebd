"""JSON Schemas (Draft 2020-12) of the Admin API request bodies the sandbox accepts.

Public API, also used by the shop's own payload tests:

    from loyaltylion_sandbox.schemas import SCHEMAS, validate, unknown_fields

    errors = validate("order_create", payload)   # {} when valid
    # {"total": ['must be a decimal string such as "1234.50" ... (got 1234.5)']}

`SCHEMAS` maps a name to a plain dict schema:

    activity        POST  /v2/activities
    activity_state  PUT   /v2/activities/{name}/{merchant_id}
    order_create    POST  /v2/orders
    order_update    PUT   /v2/orders/{merchant_id}
    points_add      POST  /v2/customers/{merchant_id}/points
    points_remove   POST  /v2/customers/{merchant_id}/remove_points
    claimed_reward  POST  /v2/customers/{merchant_id}/claimed_rewards
    customer_update PATCH /v2/customers/{merchant_id}
    webhook_create  POST  /v2/webhooks

Every rule carries where it comes from: `x-doc` is the LoyaltyLion page that documents
it (each schema's and each field's), and `x-choice`, where there is one, is the
sandbox's own decision where the docs are silent or looser (docs/sandbox.md lists them).
Keywords starting with `x-` are annotations for humans, ignored by validators; `x-hint`
is the wording used in error messages. tests/sandbox/test_schemas.py checks that every
field has an `x-doc`, and feeds the documented examples and violations through.

General choices:
- Unknown extra fields are allowed, as the real API tolerates them (its own docs show
  `$magento_payload`); `unknown_fields()` lists them and the request log shows them as
  warnings, so a misspelt optional field is still visible.
- Optional fields must be left out rather than sent as `null` (except `reason`, which
  the docs type as `string | null`).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from loyaltylion_sandbox.constants import (
    ACTIVITY_STATES,
    ACTIVITY_UPDATE_STATES,
    CANCELLATION_STATUSES,
    PAYMENT_STATUSES,
    REFUND_STATUSES,
)

_API = "https://developers.loyaltylion.com/api-reference/v2/resources"
CREATE_ACTIVITY = f"{_API}/activities/create-activity"
UPDATE_ACTIVITY = f"{_API}/activities/update-activity"
CREATE_ORDER = f"{_API}/orders/create-order"
UPDATE_ORDER = f"{_API}/orders/update-order"
ADD_POINTS = f"{_API}/customers/add-points"
REMOVE_POINTS = f"{_API}/customers/remove-points"
REDEEM_REWARD = f"{_API}/customers/rewards/redeem-reward"
UPDATE_CUSTOMER = f"{_API}/customers/update-customer"
CREATE_WEBHOOK = f"{_API}/webhooks/create-webhook"
CUSTOMERS_UPDATE_EVENT = (
    "https://developers.loyaltylion.com/api-reference/v2/webhooks/events/customers-update"
)

# "1234.50", "0", "-3.5". Not 1234.5 (a number), "1,234.50" or "12.345".
MONEY_PATTERN = r"^-?\d+(\.\d{1,2})?$"
# Shape of an ISO 8601 date-time with a zone; the format checker also checks the
# calendar (no month 13) when you validate through `validate()`.
DATE_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$"


def rule(spec: dict[str, Any], doc: str, choice: str | None = None) -> dict[str, Any]:
    """A field's rule, with the page it comes from and, if any, the sandbox's choice."""
    annotated = {**spec, "x-doc": doc}
    if choice:
        annotated["x-choice"] = choice
    return annotated


# Money: "a decimal string without formatting, e.g. 99.99" (Create Order's fields).
MONEY: dict[str, Any] = {
    "type": "string",
    "pattern": MONEY_PATTERN,
    "x-hint": 'a decimal string such as "1234.50" (not a number, no thousands separator, '
    "at most 2 decimals)",
}
MONEY_CHOICE = "at most 2 decimals: the docs' examples have two, and a store currency no more"
DATE_TIME: dict[str, Any] = {
    "type": "string",
    "format": "date-time",
    "pattern": DATE_TIME_PATTERN,
    "x-hint": 'an ISO 8601 date-time with a time zone, such as "2026-11-25T18:30:00Z"',
}
DATE_CHOICE = "a time zone is required: a naive time names no instant"
NON_EMPTY_STRING: dict[str, Any] = {"type": "string", "minLength": 1}
STRING: dict[str, Any] = {"type": "string"}
EMAIL: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[^@\s]+@[^@\s]+$",
    "x-hint": "an email address",
}
EMAIL_CHOICE = "shaped like an address (one @); the docs type it as a string"
BOOLEAN: dict[str, Any] = {"type": "boolean", "x-hint": "a JSON boolean (true or false)"}
# The docs type `birthday` as a string (no null, no format); their customers/update
# example shows "1970-01-01".
BIRTHDAY: dict[str, Any] = {
    "type": "string",
    "format": "date",
    "pattern": r"^\d{4}-\d{2}-\d{2}$",
    "x-hint": 'a date "YYYY-MM-DD" such as "1990-07-14"',
}


def _enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def _tracking(doc: str) -> dict[str, Any]:
    """The fields every tracked event may carry to help referral tracking."""
    return {
        "ip_address": rule(STRING, doc),
        "user_agent": rule(STRING, doc),
        "referral_id": rule(STRING, doc),
        "tracking_id": rule(STRING, doc),
    }


ACTIVITY: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Create activity (POST /v2/activities)",
    "x-doc": CREATE_ACTIVITY,
    "type": "object",
    "required": ["name", "customer_id", "customer_email"],
    "properties": {
        "name": rule(
            {**NON_EMPTY_STRING, "x-hint": 'an activity name such as "$signup"'}, CREATE_ACTIVITY
        ),
        "customer_id": rule(
            {
                "type": ["string", "integer"],
                "minLength": 1,
                "x-hint": "the store's customer id (a string, or an integer)",
            },
            CREATE_ACTIVITY,
            "an integer is taken too: LoyaltyLion's own example once sent a number",
        ),
        "customer_email": rule(EMAIL, CREATE_ACTIVITY, EMAIL_CHOICE),
        "merchant_id": rule(NON_EMPTY_STRING, CREATE_ACTIVITY),
        "date": rule(DATE_TIME, CREATE_ACTIVITY, DATE_CHOICE),
        "properties": rule({"type": "object", "x-hint": "a JSON object"}, CREATE_ACTIVITY),
        # "A boolean value indicating if the customer is a guest. The default is true."
        "guest": rule(BOOLEAN, CREATE_ACTIVITY),
        # "no longer supported and will be ignored": accepted, ignored, warned about.
        "state": rule(_enum(ACTIVITY_STATES), CREATE_ACTIVITY),
        **_tracking(CREATE_ACTIVITY),
    },
}

ACTIVITY_STATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Update activity state (PUT /v2/activities/{name}/{merchant_id})",
    "x-doc": UPDATE_ACTIVITY,
    "type": "object",
    "required": ["state"],
    "properties": {"state": rule(_enum(ACTIVITY_UPDATE_STATES), UPDATE_ACTIVITY)},
}

DISCOUNT_CODE: dict[str, Any] = {
    "type": "object",
    "required": ["code", "amount"],
    "properties": {
        "code": rule(NON_EMPTY_STRING, CREATE_ORDER),
        "amount": rule(MONEY, CREATE_ORDER, MONEY_CHOICE),
    },
    "x-hint": 'an object {"code": "...", "amount": "5.00"}',
}

ORDER_CREATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Create order (POST /v2/orders)",
    "x-doc": CREATE_ORDER,
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
        "merchant_id": rule(NON_EMPTY_STRING, CREATE_ORDER),
        "customer_id": rule(
            {**NON_EMPTY_STRING, "x-hint": "the store's customer id as a string"}, CREATE_ORDER
        ),
        "customer_email": rule(EMAIL, CREATE_ORDER, EMAIL_CHOICE),
        "total": rule(MONEY, CREATE_ORDER, MONEY_CHOICE),
        "total_shipping": rule(MONEY, CREATE_ORDER, MONEY_CHOICE),
        "total_paid": rule(MONEY, CREATE_ORDER, MONEY_CHOICE),
        "payment_status": rule(_enum(PAYMENT_STATUSES), CREATE_ORDER),
        "merchant_number": rule(STRING, CREATE_ORDER),
        "number": rule(
            STRING, CREATE_ORDER, "an older name of merchant_number (typed <any> there)"
        ),
        "discount_codes": rule(
            {
                "type": "array",
                "items": DISCOUNT_CODE,
                "x-hint": 'an array of {"code": "...", "amount": "5.00"} objects '
                "(a single object is not accepted; send [] for none)",
            },
            CREATE_ORDER,
            "an array only: one version of the page types it <any>; its example is an array",
        ),
        "claimed_reward_ids": rule(
            {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "x-hint": "an array of integer claimed reward ids",
            },
            CREATE_ORDER,
        ),
        "date": rule(DATE_TIME, CREATE_ORDER, DATE_CHOICE),
        "guest": rule(BOOLEAN, CREATE_ORDER),
        **_tracking(CREATE_ORDER),
    },
}

ORDER_UPDATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Update order, full state (PUT /v2/orders/{merchant_id})",
    "x-doc": UPDATE_ORDER,
    "type": "object",
    "required": [
        "payment_status",
        "refund_status",
        "cancellation_status",
        "total_paid",
        "total_refunded",
    ],
    "properties": {
        "payment_status": rule(_enum(PAYMENT_STATUSES), UPDATE_ORDER),
        "refund_status": rule(_enum(REFUND_STATUSES), UPDATE_ORDER),
        "cancellation_status": rule(_enum(CANCELLATION_STATUSES), UPDATE_ORDER),
        "total_paid": rule(MONEY, UPDATE_ORDER, MONEY_CHOICE),
        "total_refunded": rule(MONEY, UPDATE_ORDER, MONEY_CHOICE),
    },
}

_POINTS: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": 1_000_000,
    "x-hint": "a whole number of points between 1 and 1000000",
}
_POINTS_CHOICE = "1 to 1,000,000: the docs give no bounds"

POINTS_ADD: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Add points (POST /v2/customers/{merchant_id}/points)",
    "x-doc": ADD_POINTS,
    "type": "object",
    "required": ["points"],
    "properties": {
        "points": rule(_POINTS, ADD_POINTS, _POINTS_CHOICE),
        "reason": rule({"type": ["string", "null"]}, ADD_POINTS),
    },
}

POINTS_REMOVE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Remove points (POST /v2/customers/{merchant_id}/remove_points)",
    "x-doc": REMOVE_POINTS,
    "type": "object",
    "required": ["points"],
    "properties": {
        "points": rule(_POINTS, REMOVE_POINTS, _POINTS_CHOICE),
        "reason": rule({"type": ["string", "null"]}, REMOVE_POINTS),
    },
}

CLAIMED_REWARD: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Redeem reward (POST /v2/customers/{merchant_id}/claimed_rewards)",
    "x-doc": REDEEM_REWARD,
    "type": "object",
    "required": ["reward_id"],
    "properties": {
        "reward_id": rule(
            {"type": "integer", "minimum": 1, "x-hint": "an integer reward id"}, REDEEM_REWARD
        ),
        "multiplier": rule({"type": "integer", "minimum": 1}, REDEEM_REWARD),
    },
}

CUSTOMER_UPDATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Update customer (PATCH /v2/customers/{merchant_id})",
    "x-doc": UPDATE_CUSTOMER,
    "type": "object",
    "required": ["customer"],
    "properties": {
        "customer": rule(
            {
                "type": "object",
                "properties": {
                    "birthday": rule(
                        BIRTHDAY,
                        UPDATE_CUSTOMER,
                        "a real YYYY-MM-DD date, as in the example on "
                        f"{CUSTOMERS_UPDATE_EVENT}; never null (typed string: no way to clear)",
                    ),
                    "blocked": rule(BOOLEAN, UPDATE_CUSTOMER),
                },
                "x-hint": 'an object such as {"birthday": "1990-07-14", "blocked": false}',
            },
            UPDATE_CUSTOMER,
        )
    },
}

WEBHOOK_CREATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Create webhook (POST /v2/webhooks)",
    "x-doc": CREATE_WEBHOOK,
    "type": "object",
    "required": ["webhook"],
    "properties": {
        "webhook": rule(
            {
                "type": "object",
                "required": ["topic", "address"],
                "properties": {
                    # The topic list and the https:// rule are checked in subscriptions.py,
                    # with messages that say what to do instead.
                    "topic": rule(NON_EMPTY_STRING, CREATE_WEBHOOK),
                    "address": rule(
                        {**NON_EMPTY_STRING, "x-hint": "the full https:// URL to post to"},
                        CREATE_WEBHOOK,
                    ),
                    "service_integration_id": rule({"type": "integer"}, CREATE_WEBHOOK),
                },
                "x-hint": 'an object such as {"topic": "customers/update", "address": "https://..."}',
            },
            CREATE_WEBHOOK,
        )
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
