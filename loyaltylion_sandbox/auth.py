"""Admin API credentials: a Bearer API key, or the deprecated HTTP Basic pair.

https://developers.loyaltylion.com/api-reference/authentication/overview
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass

from flask import current_app, request

from loyaltylion_sandbox.errors import SandboxError


@dataclass(frozen=True)
class Credential:
    scheme: str  # "bearer" or "basic"
    # What the rate limit is counted against (never logged).
    rate_key: str


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _unauthorized(reason: str) -> SandboxError:
    return SandboxError(
        401,
        f"Unauthorized: {reason}",
        {"Authorization": [reason]},
        headers={"WWW-Authenticate": 'Bearer realm="LoyaltyLion sandbox"'},
    )


def authenticate() -> Credential:
    """The caller's credential, or SandboxError(401) saying what is wrong."""
    header = request.headers.get("Authorization", "")
    if not header:
        raise _unauthorized("missing Authorization header (send 'Bearer <API key>')")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    config = current_app.config
    if scheme.lower() == "bearer":
        if value and _same(value, config["SANDBOX_API_KEY"]):
            return Credential("bearer", "key:" + value)
        raise _unauthorized("invalid API key")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise _unauthorized("malformed Basic credentials") from None
        token, _, secret = decoded.partition(":")
        if _same(token, config["SANDBOX_SITE_TOKEN"]) and _same(
            secret, config["SANDBOX_SITE_SECRET"]
        ):
            return Credential("basic", "token:" + token)
        raise _unauthorized("invalid site token or secret")
    raise _unauthorized(f"unsupported scheme {scheme!r} (use Bearer)")
