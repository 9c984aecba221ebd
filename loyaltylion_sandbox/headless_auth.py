"""Who is calling the Headless API: an API key, or a customer session token.

https://developers.loyaltylion.com/headless-api/introduction: "Headless API endpoints
support API keys and OAuth for authentication. The legacy token & secret authentication
method is not supported." So `Authorization: Bearer <API key>`; HTTP Basic with the
site token and secret is a 401 here (unlike the Admin API).

https://developers.loyaltylion.com/headless-api/session-tokens: a customer session token
is "a base64-encoded JSON payload, a dot, and the hex HMAC-SHA256 signature of that
encoded payload", made with the site's SDK key pair (a Key ID and a secret). The page's
own recipe is not in the copy the sandbox was written from, so the payload is the
sandbox's reading (docs/sandbox.md):

    payload   = {"key_id": "<SDK key id>", "site_id": <int>, "merchant_id": "<customer>",
                 "iat": <unix seconds>, "exp": <unix seconds>}   (compact UTF-8 JSON)
    encoded   = standard base64 of the payload, with padding
    signature = lowercase hex HMAC-SHA256(secret, encoded)
    token     = encoded + "." + signature      sent as  Authorization: Bearer <token>

A session token acts for its customer only: on that customer's endpoints (and on the
configuration), never for another merchant_id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, request

from loyaltylion_sandbox.errors import SandboxError


@dataclass(frozen=True)
class HeadlessCredential:
    scheme: str  # "api_key" or "session_token"
    rate_key: str
    merchant_id: str | None = None  # the session token's customer


def mint_session_token(
    *,
    key_id: str,
    secret: str,
    site_id: int,
    merchant_id: str,
    ttl: int = 3600,
    now: float | None = None,
) -> str:
    """A session token in the sandbox's format (for the sandbox's own tests and tools)."""
    issued = int(now if now is not None else time.time())
    payload = {
        "key_id": key_id,
        "site_id": int(site_id),
        "merchant_id": merchant_id,
        "iat": issued,
        "exp": issued + ttl,
    }
    encoded = base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    signature = hmac.new(secret.encode(), encoded.encode(), hashlib.sha256).hexdigest()
    return f"{encoded}.{signature}"


def session_token_problem(
    token: str, *, key_id: str, secret: str, site_id: int, now: float | None = None
) -> tuple[str | None, dict[str, Any] | None]:
    """(why the token is refused, None) or (None, its payload)."""
    encoded, dot, signature = token.rpartition(".")
    if not dot or not encoded:
        return "not a session token (expected <base64 payload>.<hex signature>)", None
    expected = hmac.new(secret.encode(), encoded.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.lower(), expected):
        return "session token signature does not match (HMAC-SHA256 of the encoded payload)", None
    try:
        payload = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        return "session token payload is not base64-encoded JSON", None
    if not isinstance(payload, dict):
        return "session token payload is not a JSON object", None
    if payload.get("key_id") != key_id:
        return "session token key_id is not this site's SDK key", None
    if payload.get("site_id") != site_id:
        return f"session token is for site {payload.get('site_id')!r}, not {site_id}", None
    merchant_id = payload.get("merchant_id")
    if not isinstance(merchant_id, str) or not merchant_id:
        return "session token has no merchant_id", None
    exp = payload.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool):
        return "session token has no exp (unix seconds)", None
    if exp <= int(now if now is not None else time.time()):
        return "session token has expired", None
    return None, payload


def unauthorized(reason: str) -> SandboxError:
    # https://developers.loyaltylion.com/headless-api/errors: {"error": {"message"}}
    return SandboxError(
        401,
        f"Authentication is required: {reason}",
        {"Authorization": [reason]},
        headers={"WWW-Authenticate": 'Bearer realm="LoyaltyLion sandbox Headless API"'},
    )


def authenticate() -> HeadlessCredential:
    header = request.headers.get("Authorization", "")
    if not header:
        raise unauthorized("missing Authorization header (send 'Bearer <API key>')")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    config = current_app.config
    if scheme.lower() == "basic":
        raise unauthorized(
            "the Headless API does not support token & secret (HTTP Basic): use an API key"
        )
    if scheme.lower() != "bearer" or not value:
        raise unauthorized(f"unsupported scheme {scheme!r} (use Bearer)")
    if hmac.compare_digest(value.encode(), config["SANDBOX_API_KEY"].encode()):
        return HeadlessCredential("api_key", "key:" + value)
    if "." not in value:
        raise unauthorized("invalid API key")
    problem, payload = session_token_problem(
        value,
        key_id=config["SANDBOX_SDK_KEY_ID"],
        secret=config["SANDBOX_SDK_SECRET"],
        site_id=int(config["SANDBOX_SITE_ID"]),
    )
    if problem is not None or payload is None:
        raise unauthorized(problem or "invalid session token")
    merchant_id = payload["merchant_id"]
    return HeadlessCredential("session_token", "session:" + merchant_id, merchant_id)


def require_customer_access(credential: HeadlessCredential, merchant_id: str) -> None:
    """A session token may act for its own customer only (403 otherwise)."""
    if credential.scheme == "session_token" and credential.merchant_id != merchant_id:
        raise SandboxError(
            403,
            "This session token belongs to another customer",
            {"Authorization": [f"the session token is for customer {credential.merchant_id}"]},
        )
