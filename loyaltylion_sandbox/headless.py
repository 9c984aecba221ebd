"""The Headless API (2025-06) subset, over the same database and ledger as the Admin API.

https://developers.loyaltylion.com/headless-api/introduction. Paths, bodies and answers
follow LoyaltyLion's published types (headless_contract.py, headless_schemas/):

    GET  /headless/2025-06/{site_id}/configuration                      getConfiguration
    GET  /headless/2025-06/{site_id}/customers/{merchant_id}            getCustomer
    POST /headless/2025-06/{site_id}/customers/{merchant_id}/sessions   initializeSession
    POST /headless/2025-06/{site_id}/customers/{merchant_id}/birthday   setBirthday
    POST .../customers/{merchant_id}/email_marketing/subscribe          emailMarketingSubscribe
    POST /headless/2025-06/{site_id}/rewards/cart_discount_voucher/redeem
         (also /redeem/cart_discount_voucher, the docs page's path)     redeemCartDiscountVoucher
    POST /headless/2025-06/{site_id}/rewards/free_shipping_voucher/redeem redeemFreeShippingVoucher
    POST /headless/2025-06/{site_id}/rules/custom/complete              completeCustom

Every request goes through `_gate`: CORS (the shop origin only, as for the SDK), faults
scoped "headless" or "all", auth (an API key or a customer session token,
headless_auth.py), the site id, the channel, the rate limit. Errors take the Headless
shapes of https://developers.loyaltylion.com/headless-api/errors.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import func, select

from loyaltylion_sandbox import (
    activities,
    customers,
    headless_auth,
    program_events,
    reqlog,
    sdk,
)
from loyaltylion_sandbox import headless_resources as hr
from loyaltylion_sandbox.api import _apply_fault
from loyaltylion_sandbox.constants import (
    HEADLESS_CHANNEL_HEADER,
    HEADLESS_CHANNELS,
    POOLED_REWARD_KINDS,
)
from loyaltylion_sandbox.db import db, utcnow
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.headless_contract import validate_request
from loyaltylion_sandbox.models import Activity, Customer, Reward
from loyaltylion_sandbox.rewards import stock
from loyaltylion_sandbox.runtime import runtime
from loyaltylion_sandbox.transactions import mutating

HEADLESS_PREFIX = "/headless/2025-06"
bp = Blueprint("sandbox_headless", __name__, url_prefix=HEADLESS_PREFIX + "/<site_id>")

ALLOWED_HEADERS = f"Content-Type, Authorization, {HEADLESS_CHANNEL_HEADER}"


class HeadlessError(SandboxError):
    """An error with a Headless `code` (404 not_found, the 422 codes, rate_limited)."""

    def __init__(self, status: int, code: str, message: str, **kwargs: Any) -> None:
        super().__init__(status, message, {"code": [code]}, **kwargs)
        self.code = code


def _not_found(message: str) -> HeadlessError:
    return HeadlessError(404, "not_found", message)


def _unprocessable(code: str, message: str) -> HeadlessError:
    return HeadlessError(422, code, message)


def _body_of(error: SandboxError) -> dict[str, Any]:
    """The Headless error shapes: 400/401/403 {message, details: {field: text}}, 404/422/
    429 {code, message}."""
    code = getattr(error, "code", None)
    if code is None and error.status == 404:
        code = "not_found"
    if code is not None:
        return {"error": {"code": code, "message": error.message}}
    details = {field: "; ".join(messages) for field, messages in error.details.items()}
    body: dict[str, Any] = {"message": error.message}
    if details:
        body["details"] = details
    return {"error": body}


@bp.errorhandler(SandboxError)
def _headless_error(error: SandboxError) -> Response:
    call = reqlog.current()
    if call is not None:
        call.verdict = call.verdict or error.verdict
        if not call.errors:
            call.errors = error.details
    response = jsonify(_body_of(error))
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


# ----------------------------------------------------------------------------- gate


@bp.url_value_preprocessor
def _pop_site_id(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.headless_site_id = (values or {}).pop("site_id", None)


FAULT_BODIES = {
    "429": {
        "error": {
            "code": "rate_limited",
            "message": "Too many requests (sandbox fault injection)",
        }
    },
    "5xx": {"error": {"message": "Service unavailable (sandbox fault injection)"}},
}


@bp.before_request
def _gate() -> Response | None:
    refused = sdk.cors_gate(ALLOWED_HEADERS)  # answers preflights, logs the call
    if refused is not None:
        return refused
    call = reqlog.current() or reqlog.begin()
    fault = runtime().faults.take("headless")
    if fault is not None:
        response = _apply_fault(fault, FAULT_BODIES)
        if response is not None:
            return response
    try:
        credential = headless_auth.authenticate()
    except SandboxError:
        call.auth_scheme = "invalid" if request.headers.get("Authorization") else "none"
        raise
    call.auth_scheme = "bearer" if credential.scheme == "api_key" else "session_token"
    g.headless_credential = credential
    # "All Headless API endpoints require a site_id in the path": the sandbox is one site.
    expected = str(current_app.config["SANDBOX_SITE_ID"])
    if g.headless_site_id != expected:
        raise _not_found(
            f"Site `{g.headless_site_id}` not found: the sandbox is site {expected} "
            "(SANDBOX_SITE_ID)"
        )
    g.headless_channel = _channel()
    wait = runtime().limiter.hit(credential.rate_key)
    if wait is not None:
        raise HeadlessError(
            429,
            "rate_limited",
            f"Too many requests: the limit is {runtime().limiter.limit} requests per second",
            headers={"Retry-After": str(wait)},
        )
    return None


def _channel() -> str:
    """`channel` (query) or X-LoyaltyLion-Channel (header): web, pos or mobile."""
    channel = request.args.get("channel") or request.headers.get(HEADLESS_CHANNEL_HEADER)
    if channel not in HEADLESS_CHANNELS:
        options = "|".join(f'"{c}"' for c in HEADLESS_CHANNELS)
        problem = (
            f"Invalid option: expected one of {options}"
            if channel
            else f"Required: pass ?channel= or the {HEADLESS_CHANNEL_HEADER} header"
        )
        raise SandboxError(400, "Invalid request", {"channel": [problem]}, verdict="invalid")
    return channel


@bp.after_request
def _cors(response: Response) -> Response:
    return sdk.cors_headers(response)


# --------------------------------------------------------------------------- helpers


def _body(operation: str) -> Any:
    """The JSON body, checked against the operation's request schema (400 otherwise)."""
    call = reqlog.current() or reqlog.begin()
    raw = request.get_data(cache=True)
    body: Any = None
    if raw.strip():
        if not request.is_json:
            call.errors = {"Content-Type": ["must be application/json"]}
            raise SandboxError(400, "Invalid request", call.errors, verdict="invalid")
        try:
            body = json.loads(raw)
        except ValueError as exc:
            call.errors = {"body": [f"not valid JSON: {exc}"]}
            raise SandboxError(400, "Invalid request", call.errors, verdict="invalid") from None
    errors = validate_request(operation, body)
    call.validated = True
    if errors:
        call.errors = errors
        raise SandboxError(400, "Invalid request", errors, verdict="invalid")
    return body


def _credential() -> headless_auth.HeadlessCredential:
    return g.headless_credential


def _customer(merchant_id: str) -> Customer:
    headless_auth.require_customer_access(_credential(), merchant_id)
    customer = customers.get_customer(merchant_id)
    if customer is None:
        raise _not_found(f"Customer with merchant ID `{merchant_id}` not found")
    return customer


def _require_enrolled(customer: Customer) -> None:
    """The customer-changing endpoints: "This must be a customer whose state is
    `enrolled`" (blocked checked first, as CustomerBlocked is its own state)."""
    if customer.blocked:
        raise _unprocessable("customer_blocked", "The customer is blocked from the program")
    if not customer.enrolled:
        raise _unprocessable("customer_not_enrolled", "The customer is not enrolled")


# -------------------------------------------------------------------- configuration


# https://developers.loyaltylion.com/headless-api/2025-06/configuration/get-configuration
@bp.get("/configuration")
def get_configuration() -> Any:
    return hr.site_configuration(g.headless_channel)


# ------------------------------------------------------------------------ customers


# https://developers.loyaltylion.com/headless-api/2025-06/customers/get-customer
@bp.get("/customers/<merchant_id>")
def get_customer(merchant_id: str) -> Any:
    return hr.customer_envelope(_customer(merchant_id), g.headless_channel)


# https://developers.loyaltylion.com/headless-api/2025-06/customers/initialize-session
@bp.post("/customers/<merchant_id>/sessions")
@mutating
def initialize_session(merchant_id: str) -> Any:
    """Find or create the customer ("If the customer does not yet exist in LoyaltyLion,
    they will be created with these properties") and enrol them, as the SDK's session
    does. `session` and `cart` are validated and otherwise ignored (no pageview rule,
    no cart rewards)."""
    body = _body("customers.initializeSession")
    headless_auth.require_customer_access(_credential(), merchant_id)
    email = body["customer"]["email"]
    customer = customers.get_customer(merchant_id)
    if customer is None:
        taken = db.session.execute(
            select(Customer.id).where(
                func.lower(Customer.email) == email.lower(), Customer.enrolled.is_(True)
            )
        ).first()
        if taken:
            # Sandbox reading of InitializeSessionErrorEmailAlreadyInUse: another
            # enrolled customer has this email (guests may share it: linking.py).
            raise _unprocessable(
                "email_already_in_use", f"Another customer is enrolled with {email}"
            )
        customer = customers.ensure_customer(merchant_id, email, "headless")
    if not customer.blocked:
        customers.enroll(customer)
    db.session.flush()
    return {**hr.customer_envelope(customer, g.headless_channel), "requested_cart_actions": []}


def _birthday_date(birthday: dict[str, Any]) -> date:
    """SetBirthdayErrorInvalidDate for what the types' descriptions rule out: month 1-12,
    day 1-31, year 1900 to this year, and a real calendar date."""
    month, day, year = birthday["month"], birthday["day"], birthday["year"]
    birthday = {"month": month, "day": day, "year": year}
    whole = (
        isinstance(v, int) or (isinstance(v, float) and v.is_integer()) for v in birthday.values()
    )
    if not all(whole):
        raise _unprocessable("invalid_date", "month, day and year must be whole numbers")
    if not 1900 <= int(year) <= utcnow().year:
        raise _unprocessable("invalid_date", f"year must be between 1900 and {utcnow().year}")
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise _unprocessable("invalid_date", f"not a date: {exc}") from None


# https://developers.loyaltylion.com/headless-api/2025-06/customers/set-birthday
@bp.post("/customers/<merchant_id>/birthday")
@mutating
def set_birthday(merchant_id: str) -> Any:
    """ "If the customer already had a birthday set, it will not have been updated and this
    will be `false`". Stored where PATCH /v2/customers/{merchant_id} stores it."""
    body = _body("customers.setBirthday")
    customer = _customer(merchant_id)
    _require_enrolled(customer)
    wanted = _birthday_date(body["birthday"])
    updated = not customer.birthday
    if updated:
        customers.update_customer(customer, {"birthday": wanted.isoformat()})
        db.session.flush()
    return {
        "updated": updated,
        "birthday": hr.birthday(customer),
        "customer": hr.enrolled_customer(customer),
    }


# The custom rule an email subscription completes, if the program has it (sandbox choice:
# the sandbox's newsletter rule is the custom rule of that name).
NEWSLETTER_RULE = "newsletter_signup"


# https://developers.loyaltylion.com/headless-api/2025-06/customers/email-marketing-subscribe
@bp.post("/customers/<merchant_id>/email_marketing/subscribe")
@mutating
def email_marketing_subscribe(merchant_id: str) -> Any:
    _body("customers.emailMarketingSubscribe")  # no body (an empty {} is fine)
    customer = _customer(merchant_id)
    _require_enrolled(customer)
    updated = customer.email_marketing_consent != "subscribed"
    customer.email_marketing_consent = "subscribed"
    actions: list[dict[str, Any]] = []
    rule = next((r for r in hr.program_rules() if r.name == NEWSLETTER_RULE), None)
    if updated and rule is not None and not _limit_reached(customer, rule):
        action = _complete(customer, rule)
        if action is not None:
            actions.append(action)
    db.session.flush()
    return {
        "updated": updated,
        "email_marketing_consent": {"state": "subscribed"},
        "customer": hr.enrolled_customer(customer),
        "actions": actions,
    }


# -------------------------------------------------------------------------- rewards


def _redeem(operation: str, kinds: tuple[str, ...]) -> tuple[dict[str, Any], int]:
    """Spend points on a pooled reward and hand out its next code: the SDK's claim
    (program_events.claim: the same ledger row, the same claimed_reward webhook). The
    422 codes are checked first so that each gets its own code."""
    body = _body(operation)
    merchant_id = body["customer_merchant_id"]
    customer = _customer(merchant_id)
    reward_id = body["reward_id"]
    reward = db.session.get(Reward, reward_id) if isinstance(reward_id, int) else None
    if reward is None:
        raise _not_found(f"Reward with ID `{reward_id}` not found")
    if reward.kind not in kinds:
        raise _unprocessable(
            "reward_kind_mismatch",
            f"Reward {reward.id} is a {hr.REWARD_KIND.get(reward.kind, reward.kind)} reward",
        )
    _require_enrolled(customer)
    if reward.kind in POOLED_REWARD_KINDS and stock(reward.id).unused == 0:
        raise _unprocessable("reward_out_of_stock", f"Reward {reward.id} is out of stock")
    have = customers.balances(customer).approved
    if have < reward.point_cost:
        raise _unprocessable(
            "insufficient_points",
            f"The customer needs {reward.point_cost} points and has {have}",
        )
    claimed = program_events.claim(customer, reward.id, source="headless")
    db.session.flush()
    return {
        "voucher_code": claimed.code,
        "claimed_reward": hr.claimed_reward(claimed),
        "customer": hr.enrolled_customer(customer),
    }, 201


# https://developers.loyaltylion.com/headless-api/2025-06/reward-redemption/cart-discount-voucher
# The types and the official client use /rewards/cart_discount_voucher/redeem; the docs
# page shows /redeem/cart_discount_voucher. The sandbox serves both (docs/sandbox.md).
@bp.post("/rewards/cart_discount_voucher/redeem")
@bp.post("/redeem/cart_discount_voucher", endpoint="redeem_cart_discount_voucher_alias")
@mutating
def redeem_cart_discount_voucher() -> Any:
    return _redeem("rewards.redeemCartDiscountVoucher", ("voucher",))


# https://developers.loyaltylion.com/headless-api/2025-06/reward-redemption/free-shipping-voucher
@bp.post("/rewards/free_shipping_voucher/redeem")
@mutating
def redeem_free_shipping_voucher() -> Any:
    return _redeem("rewards.redeemFreeShippingVoucher", ("free_shipping",))


# ---------------------------------------------------------------------------- rules


def _limit_reached(customer: Customer, rule: hr.ProgramRule) -> bool:
    count, _last = hr.rule_completions(customer, rule)
    return rule.once and count >= 1


def _complete(customer: Customer, rule: hr.ProgramRule) -> dict[str, Any] | None:
    """Complete a custom rule through the Admin API's own path: a custom activity
    (activities.record_activity), so its points, approval and limits are the same."""
    activity, _warnings = activities.record_activity(
        {
            "name": rule.name,
            "customer_id": customer.merchant_id,
            "customer_email": customer.email,
            "guest": False,
        },
        None,
    )
    db.session.flush()
    return hr.activity_action(activity) if isinstance(activity, Activity) else None


# https://developers.loyaltylion.com/headless-api/2025-06/rule-completion/custom
@bp.post("/rules/custom/complete")
@mutating
def complete_custom_rule() -> Any:
    body = _body("rules.completeCustom")
    customer = _customer(body["customer_merchant_id"])
    rule = hr.find_rule(body["rule_id"]) if isinstance(body["rule_id"], int) else None
    if rule is None:
        raise _not_found(f"Rule with ID `{body['rule_id']}` not found")
    if rule.kind != "custom":
        raise _unprocessable("rule_kind_mismatch", f"Rule {rule.id} is a {rule.kind} rule")
    _require_enrolled(customer)
    if _limit_reached(customer, rule):
        raise _unprocessable(
            "rule_limit_reached", f"{rule.title!r} can be completed once per customer"
        )
    action = _complete(customer, rule)
    return {"actions": [action] if action else [], "customer": hr.enrolled_customer(customer)}
