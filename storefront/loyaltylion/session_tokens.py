"""Customer session tokens for the Headless API, minted on the server.

Docs: https://developers.loyaltylion.com/headless-api/session-tokens

What comes from the docs (the stored copy of that page):

* a session token authenticates Headless API calls from the shopper's own device, for
  one customer on one site, and is generated and signed by you, with no LoyaltyLion call;
* it is signed with the site's SDK token, a pair: a Key ID and a secret (Settings →
  General, "SDK secret token"; not the site's "Token and secret"). The secret stays on
  the server (here LOYALTYLION_SDK_SECRET; the Key ID is LOYALTYLION_SDK_KEY_ID);
* "A session token is a base64-encoded JSON payload, a dot, and the hex HMAC-SHA256
  signature of that encoded payload".

What is our reading, because the page's recipe (its list of payload fields, with
example values) was not in the stored copy and could not be found elsewhere: the
payload's fields and their order, the base64 alphabet, the JSON formatting, the unit of
the times and the key of the HMAC. Agreed with the sandbox, which implements the same
independently:

* payload: {"key_id": <Key ID>, "site_id": <int>, "merchant_id": <customer's ID in the
  store>, "iat": <unix seconds>, "exp": <unix seconds>}, in that order, as compact
  JSON (separators "," and ":", no spaces), UTF-8, non-ASCII characters as themselves;
* encoded payload: standard base64 (RFC 4648 alphabet, "=" padding);
* signature: lowercase hex HMAC-SHA256, keyed with the secret's UTF-8 bytes, over the
  ASCII bytes of the encoded payload (not over the raw JSON);
* token: encoded payload + "." + signature.

Check it against the recipe before relying on it in production: a token LoyaltyLion
reads differently fails as a 401, never as a wrong customer (the signature covers
every field).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from .errors import ConfigurationError

MIN_TTL = 60
MAX_TTL = 3600
DEFAULT_TTL = 300


def mint_session_token(
    *,
    key_id: str,
    secret: str,
    site_id: int | str,
    merchant_id: str,
    ttl: int = DEFAULT_TTL,
    now: float | None = None,
) -> str:
    """A session token for customer `merchant_id`, valid from `now` (default: the clock)
    for `ttl` seconds (60 to 3600). Only the token goes to the client, never the secret.
    """
    if not isinstance(key_id, str) or not key_id.strip():
        raise ConfigurationError(
            "LoyaltyLion session tokens: set LOYALTYLION_SDK_KEY_ID (the SDK token's Key ID)."
        )
    if not isinstance(secret, str) or not secret.strip():
        raise ConfigurationError(
            "LoyaltyLion session tokens: set LOYALTYLION_SDK_SECRET (the SDK token's secret)."
        )
    site = str(site_id).strip() if not isinstance(site_id, bool) else ""
    if not (site.isascii() and site.isdigit()):
        raise ConfigurationError(
            "LoyaltyLion session tokens: set LOYALTYLION_SITE_ID to your site's numeric ID."
        )
    if not isinstance(merchant_id, str) or not merchant_id.strip():
        raise ValueError("merchant_id must be the customer's ID in the store")
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not MIN_TTL <= ttl <= MAX_TTL:
        raise ValueError(f"ttl must be a whole number of seconds from {MIN_TTL} to {MAX_TTL}")

    issued_at = int(time.time() if now is None else now)
    payload = {
        "key_id": key_id,
        "site_id": int(site),
        "merchant_id": merchant_id,
        "iat": issued_at,
        "exp": issued_at + ttl,
    }
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    encoded = base64.b64encode(raw).decode("ascii")
    signature = hmac.new(secret.encode("utf-8"), encoded.encode("ascii"), hashlib.sha256)
    return f"{encoded}.{signature.hexdigest()}"


def decode_session_token(token: str) -> dict[str, Any]:
    """The payload of a session token, WITHOUT checking its signature: for debugging
    and tests, never to decide who a request is from."""
    if not isinstance(token, str):
        raise ValueError("a session token is a string")
    encoded, dot, signature = token.partition(".")
    if not dot or not encoded or not signature:
        raise ValueError("a session token is <base64 payload>.<hex signature>")
    try:
        payload = json.loads(base64.b64decode(encoded, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError("the session token's payload is not base64-encoded JSON") from error
    if not isinstance(payload, dict):
        raise ValueError("the session token's payload is not a JSON object")
    return payload
