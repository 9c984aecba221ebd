"""The Headless API (2025-06) contract as JSON Schemas, for the sandbox and the shop's tests.

The schemas (Draft 2020-12) live in `headless_schemas/`, one file per request or success
body plus shared `$defs` files (common, rules, rewards, tiers, customer, configuration,
errors). They are written from LoyaltyLion's published types, the official TypeScript
client's `src/types/schemas.ts` and `src/types/api.ts`
(loyaltylion/typescript-headless-api-client): field names, JSON types, required fields,
`kind`/`state`/`code` discriminators and nullability as the types give them. Each
schema says where it comes from (`x-source`, `x-doc`). Extra fields are allowed, as the
types do not forbid them. Variants the sandbox never produces (product rewards, gift
card redeemables, cart actions...) are checked on their discriminator only (`x-note`).

    from loyaltylion_sandbox.headless_contract import validate_request, validate_response

    validate_request("rewards.redeemCartDiscountVoucher", {"reward_id": 1})
    # {"customer_merchant_id": ["is required"]}
    validate_response("customers.getCustomer", 200, body)  # [] when valid
    validate_response("rewards.redeemCartDiscountVoucher", 422, body)  # the 422 codes it lists

Operation names are the operationIds of api.ts.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "headless_schemas"

_AUTH = "errors.json#/$defs/AuthError"
_BAD = "errors.json#/$defs/BadRequest"
_NOT_FOUND = "errors.json#/$defs/NotFound"
_RATE = "errors.json#/$defs/RateLimited"


def _body(name: str) -> str:
    return f"{name}.response.json"


# operationId -> {status: schema}, as each operation's `responses` in api.ts lists them.
# configuration.getConfiguration is the odd one: its 404, 422 and 429 are {"error":
# {"message"}} with no code.
RESPONSES: dict[str, dict[int, str]] = {
    "configuration.getConfiguration": {
        200: _body("configuration.getConfiguration"),
        400: _BAD,
        401: _AUTH,
        403: _AUTH,
        404: "errors.json#/$defs/MessageOnly",
        422: "errors.json#/$defs/MessageOnly",
        429: "errors.json#/$defs/MessageOnly",
    },
    "customers.getCustomer": {
        200: _body("customers.getCustomer"),
        400: _BAD,
        401: _AUTH,
        403: _AUTH,
        404: _NOT_FOUND,
        429: _RATE,
    },
    # No 404 in the types: an unknown customer is created.
    "customers.initializeSession": {
        200: _body("customers.initializeSession"),
        400: _BAD,
        401: _AUTH,
        403: _AUTH,
        422: "errors.json#/$defs/InitializeSessionError",
        429: _RATE,
    },
    "customers.setBirthday": {
        200: _body("customers.setBirthday"),
        400: _BAD,
        401: _AUTH,
        403: _AUTH,
        404: _NOT_FOUND,
        422: "errors.json#/$defs/SetBirthdayError",
        429: _RATE,
    },
    "customers.emailMarketingSubscribe": {
        200: _body("customers.emailMarketingSubscribe"),
        400: _BAD,
        401: _AUTH,
        403: _AUTH,
        404: _NOT_FOUND,
        422: "errors.json#/$defs/EmailMarketingSubscribeError",
        429: _RATE,
    },
    "rewards.redeemCartDiscountVoucher": {
        201: _body("rewards.redeemCartDiscountVoucher"),
        400: _BAD,
        401: _AUTH,
        403: _AUTH,
        404: _NOT_FOUND,
        422: "errors.json#/$defs/RedeemRewardError",
        429: _RATE,
    },
    "rewards.redeemFreeShippingVoucher": {
        201: _body("rewards.redeemFreeShippingVoucher"),
        400: _BAD,
        401: _AUTH,
        403: _AUTH,
        404: _NOT_FOUND,
        422: "errors.json#/$defs/RedeemRewardError",
        429: _RATE,
    },
    "rules.completeCustom": {
        200: _body("rules.completeCustom"),
        400: _BAD,
        401: _AUTH,
        403: _AUTH,
        404: _NOT_FOUND,
        422: "errors.json#/$defs/CompleteRuleError",
        429: _RATE,
    },
}

# operationId -> its request body's schema; None = the operation takes no body.
REQUESTS: dict[str, str | None] = {
    "configuration.getConfiguration": None,
    "customers.getCustomer": None,
    "customers.initializeSession": "customers.initializeSession.request.json",
    "customers.setBirthday": "customers.setBirthday.request.json",
    "customers.emailMarketingSubscribe": None,
    "rewards.redeemCartDiscountVoucher": "rewards.redeemCartDiscountVoucher.request.json",
    "rewards.redeemFreeShippingVoucher": "rewards.redeemFreeShippingVoucher.request.json",
    "rules.completeCustom": "rules.completeCustom.request.json",
}

OPERATIONS: tuple[str, ...] = tuple(RESPONSES)

# The path of each operation (api.ts `paths`), for readers and the sandbox's routes.
PATHS: dict[str, tuple[str, str]] = {
    "configuration.getConfiguration": ("GET", "/headless/2025-06/{site_id}/configuration"),
    "customers.getCustomer": ("GET", "/headless/2025-06/{site_id}/customers/{merchant_id}"),
    "customers.initializeSession": (
        "POST",
        "/headless/2025-06/{site_id}/customers/{merchant_id}/sessions",
    ),
    "customers.setBirthday": (
        "POST",
        "/headless/2025-06/{site_id}/customers/{merchant_id}/birthday",
    ),
    "customers.emailMarketingSubscribe": (
        "POST",
        "/headless/2025-06/{site_id}/customers/{merchant_id}/email_marketing/subscribe",
    ),
    "rewards.redeemCartDiscountVoucher": (
        "POST",
        "/headless/2025-06/{site_id}/rewards/cart_discount_voucher/redeem",
    ),
    "rewards.redeemFreeShippingVoucher": (
        "POST",
        "/headless/2025-06/{site_id}/rewards/free_shipping_voucher/redeem",
    ),
    "rules.completeCustom": ("POST", "/headless/2025-06/{site_id}/rules/custom/complete"),
}

_FORMATS = FormatChecker(formats=("email",))


def schema_files() -> list[Path]:
    return sorted(SCHEMA_DIR.glob("*.json"))


@cache
def _registry() -> Registry:
    resources = []
    for path in schema_files():
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append(
            (path.name, Resource.from_contents(contents, default_specification=DRAFT202012))
        )
    return Registry().with_resources(resources)


@cache
def _validator(reference: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": reference}, registry=_registry(), format_checker=_FORMATS)


def _location(path: list[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _errors(reference: str, body: object) -> list[tuple[list[Any], str]]:
    found: list[tuple[list[Any], str]] = []
    for error in _validator(reference).iter_errors(body):
        for item in _explain(error):
            if item not in found:  # `required` reports once per missing property
                found.append(item)
    return sorted(found, key=lambda item: (list(map(str, item[0])), item[1]))


def _explain(error: ValidationError) -> list[tuple[list[Any], str]]:
    """The leaf problems of one error (an if/then union reports the branch's own)."""
    path = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        return [
            ([*path, prop], "is required")
            for prop in error.validator_value
            if prop not in error.instance
        ]
    if error.context:
        # anyOf (e.g. a nullable $ref): name the non-null branch's problems.
        leaves = [leaf for sub in error.context for leaf in _explain(sub)]
        if leaves:
            return leaves
    message = error.message
    if error.validator == "const":
        message = f"must be {json.dumps(error.validator_value)} (got {json.dumps(error.instance)})"
    elif error.validator == "enum":
        allowed = ", ".join(json.dumps(v) for v in error.validator_value)
        message = f"must be one of {allowed} (got {json.dumps(error.instance)})"
    elif error.validator == "type":
        message = f"must be of type {error.validator_value} (got {json.dumps(error.instance)[:60]})"
    return [(path, message)]


def _unknown_operation(operation: str) -> KeyError:
    return KeyError(f"unknown operation {operation!r}; known: {', '.join(OPERATIONS)}")


def validate_request(operation: str, body: object) -> dict[str, list[str]]:
    """Problems with a request body: {top-level field: [messages]}, {} when valid.

    Nested problems are reported under their top-level field with their location
    ("birthday": ["birthday.month: is required"]); a body that is not an object under
    "body". An operation without a body accepts None (or no fields) only.
    """
    if operation not in REQUESTS:
        raise _unknown_operation(operation)
    schema = REQUESTS[operation]
    if schema is None:
        if body in (None, {}):
            return {}
        return {"body": ["this operation takes no request body"]}
    problems: dict[str, list[str]] = {}
    for path, message in _errors(schema, body):
        field = str(path[0]) if path else "body"
        text = f"{_location(path)}: {message}" if len(path) > 1 else message
        if text not in problems.setdefault(field, []):
            problems[field].append(text)
    return problems


def validate_response(operation: str, status: int, body: object) -> list[str]:
    """Problems with a response body for `status`: [] when it matches the types.

    A status the operation's types do not list is itself a problem.
    """
    if operation not in RESPONSES:
        raise _unknown_operation(operation)
    schema = RESPONSES[operation].get(status)
    if schema is None:
        documented = ", ".join(str(s) for s in RESPONSES[operation])
        return [f"{status} is not a documented response of {operation} (documented: {documented})"]
    return [f"{_location(path) or '(body)'}: {message}" for path, message in _errors(schema, body)]


def schema_for(operation: str, status: int | None = None) -> dict[str, Any]:
    """The schema (as loaded) of an operation's request body (status None) or response."""
    name = REQUESTS[operation] if status is None else RESPONSES[operation][status]
    if name is None:
        raise KeyError(f"{operation} takes no request body")
    file, _, pointer = name.partition("#")
    contents = json.loads((SCHEMA_DIR / file).read_text(encoding="utf-8"))
    for part in [p for p in pointer.split("/") if p]:
        contents = contents[part]
    return contents


def check_schemas() -> None:
    """Every file is a valid Draft 2020-12 schema and every $ref resolves."""
    for path in schema_files():
        Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))
    registry = _registry()
    for path in schema_files():
        resolver = registry.resolver(base_uri=path.name)
        for reference in _refs(json.loads(path.read_text(encoding="utf-8"))):
            resolver.lookup(reference)  # raises if it does not resolve
    for reference in {*filter(None, REQUESTS.values())} | {
        schema for statuses in RESPONSES.values() for schema in statuses.values()
    }:
        registry.resolver().lookup(reference)


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
