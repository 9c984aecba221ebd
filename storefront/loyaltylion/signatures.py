"""Webhook signatures: base64(HMAC-SHA256(raw body, site secret)) in a request header.

https://developers.loyaltylion.com/api-reference/v2/webhooks/overview#verifying-requests
"""

from __future__ import annotations

import base64
import hashlib
import hmac

HEADER = "X-LoyaltyLion-Hmac-SHA256"  # HTTP header names are case-insensitive


def sign(body: bytes, secret: str) -> str:
    """The signature LoyaltyLion sends for this body (also what tests use to sign)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid(body: bytes, signature: str | None, secret: str) -> bool:
    """True only for the exact bytes LoyaltyLion signed with this secret.

    The body must be the raw bytes as received: parsed and re-serialised JSON would
    not match. compare_digest takes the same time wherever the first difference is.
    """
    if not secret or not signature:
        return False  # no secret configured: nothing can be verified, so nothing is
    return hmac.compare_digest(sign(body, secret).encode(), signature.strip().encode())
