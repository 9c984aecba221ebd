"""The program's settings: the defaults, overlaid with what /_sandbox/settings stored.

Runs inside an app context; committing is the caller's (see transactions.py).
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from loyaltylion_sandbox.constants import DEFAULT_SETTINGS, DEFAULT_WEBHOOK_PATH, WEBHOOK_SHAPES
from loyaltylion_sandbox.db import db
from loyaltylion_sandbox.errors import SandboxError
from loyaltylion_sandbox.models import Setting


def current() -> dict[str, Any]:
    """Program settings: the defaults overlaid with what /_sandbox/settings stored."""
    merged = copy.deepcopy(DEFAULT_SETTINGS)
    for row in db.session.execute(select(Setting)).scalars():
        merged[row.key] = row.value
    if not merged["webhook_url"]:
        merged["webhook_url"] = default_webhook_url()
    if not merged["webhook_shape"]:
        merged["webhook_shape"] = current_app.config["SANDBOX_WEBHOOK_SHAPE"]
    return merged


def default_webhook_url() -> str:
    """SANDBOX_SHOP_WEBHOOK_URL, else <SANDBOX_SHOP_ORIGIN>/webhooks/loyaltylion."""
    config = current_app.config
    configured = (config.get("SANDBOX_SHOP_WEBHOOK_URL") or "").strip()
    return configured or config["SANDBOX_SHOP_ORIGIN"].rstrip("/") + DEFAULT_WEBHOOK_PATH


def update(patch: Any) -> dict[str, Any]:
    """Validate and store a partial settings update; raises SandboxError(400)."""
    if not isinstance(patch, dict):
        raise SandboxError(400, "Settings must be a JSON object", {"body": ["must be an object"]})
    errors: dict[str, list[str]] = {}
    for key, value in patch.items():
        if key not in DEFAULT_SETTINGS:
            errors[key] = [f"unknown setting (known: {', '.join(DEFAULT_SETTINGS)})"]
        elif key == "custom_rules":
            problem = _custom_rules_problem(value)
            if problem:
                errors[key] = [problem]
        elif key == "webhook_url":
            if value is not None and not _is_http_url(value):
                errors[key] = ["must be an http(s) URL such as http://127.0.0.1:5000/..., or null"]
        elif key == "webhook_shape":
            if value is not None and value not in WEBHOOK_SHAPES:
                errors[key] = [f"must be one of {', '.join(WEBHOOK_SHAPES)}, or null"]
        elif key == "reward_historic_purchases":
            if not isinstance(value, bool):
                errors[key] = ["must be true or false"]
        elif key == "historic_purchases_days":
            if value is not None and not (_is_count(value) and value >= 1):
                errors[key] = [
                    "must be a number of days >= 1, or null (since the program launched)"
                ]
        elif key == "tiers":
            problem = _tiers_problem(value)
            if problem:
                errors[key] = [problem]
        elif key == "api_key_scopes":
            if not _is_scope_list(value):
                errors[key] = ['must be a list of scope names such as ["read_customers"]']
        elif not _is_count(value):
            errors[key] = ["must be an integer >= 0"]
    if errors:
        raise SandboxError(400, "Invalid settings: " + ", ".join(errors), errors)
    for key, value in patch.items():
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
    db.session.flush()
    return current()


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


_SCOPE = re.compile(r"[a-z][a-z_]*")


def _is_scope_list(value: Any) -> bool:
    # Any name of that shape: the sandbox reports scopes and enforces none, so a
    # scope LoyaltyLion adds later can be reported too.
    return isinstance(value, list) and all(
        isinstance(scope, str) and _SCOPE.fullmatch(scope) for scope in value
    )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# "only letters and '_' underscores can be used here, no numbers please!"
# https://help.loyaltylion.com/en/articles/1965598-activity-custom
_RULE_IDENTIFIER = re.compile(r"[A-Za-z_]+")
APPROVALS = ("immediate", "trigger")


def _custom_rules_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return (
            'must be an object like {"newsletter_signup": {"points": 50, "once": true, '
            '"approval": "immediate"}}'
        )
    for name, rule in value.items():
        if not _RULE_IDENTIFIER.fullmatch(name or ""):
            return f"{name!r}: a custom rule identifier has only letters and '_'"
        if not isinstance(rule, dict) or not _is_count(rule.get("points")):
            return f"{name!r}: needs an integer 'points' >= 0"
        if not isinstance(rule.get("once", False), bool):
            return f"{name!r}: 'once' must be a boolean"
        if rule.get("approval", "immediate") not in APPROVALS:
            return f"{name!r}: 'approval' must be one of {', '.join(APPROVALS)}"
        if not isinstance(rule.get("title", ""), str):
            return f"{name!r}: 'title' must be a string"
    return None


def _tiers_problem(value: Any) -> str | None:
    """`tiers`: null (no tiers) or [{"name", "lower_bound"}...] from 0, increasing."""
    example = '[{"name": "Bronze", "lower_bound": 0}, {"name": "Silver", "lower_bound": 500}]'
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        return f"must be a list of tiers such as {example}, or null (no tiers)"
    previous = -1
    for position, tier in enumerate(value, start=1):
        if not isinstance(tier, dict) or not isinstance(tier.get("name"), str) or not tier["name"]:
            return f"tier {position}: needs a non-empty 'name'"
        bound = tier.get("lower_bound")
        if not _is_count(bound):
            return f"tier {position}: needs an integer 'lower_bound' >= 0 (tier points)"
        if position == 1 and bound != 0:
            return "the first tier's lower_bound must be 0 (every customer is in a tier)"
        if bound <= previous:
            return f"tier {position}: lower_bound must be above the previous tier's"
        previous = bound
    return None
