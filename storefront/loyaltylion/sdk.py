"""What the browser SDK needs from the server: the init options and the auth token.

Docs: https://developers.loyaltylion.com/sdk/initialize-sdk
      https://developers.loyaltylion.com/sdk/customer-authentication

The auth token is sha1(customer id + date + email + secret), plain concatenation, with
`date` the ISO 8601 time it was made, sent alongside as `auth.date`. It is computed per
render (never cached: a stale date fails LoyaltyLion's window) from the site secret,
which stays on the server. Note: the official Magento/PrestaShop modules leave the email
out of the hash; the documented formula includes it, and so do we.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from storefront.loyaltylion.payloads import Customer, iso8601

# LoyaltyLion's loader lives at a dated path; the snippet fills in today's date (UTC).
DEFAULT_LOADER_URL_TEMPLATE = "https://sdk.loyaltylion.net/static/2/{date}/loader.js"


def auth_token(customer_id: int | str, date: str, email: str, secret: str) -> str:
    """The documented customer auth token (a SHA-1 hex digest)."""
    if not secret:
        raise ValueError("the LoyaltyLion site secret is required to authenticate customers")
    message = f"{customer_id}{date}{email}{secret}"
    return hashlib.sha1(message.encode("utf-8"), usedforsecurity=False).hexdigest()


def init_options(
    site_token: str,
    *,
    customer: Customer | None = None,
    secret: str = "",
    now: datetime | None = None,
) -> dict[str, Any]:
    """The object for `loyaltylion.init(...)`: the site token, plus for a logged-in
    customer their id and email and a fresh auth date + token."""
    options: dict[str, Any] = {"token": site_token}
    if customer is None:
        return options
    date = iso8601(now or datetime.now(UTC))
    options["customer"] = {"id": str(customer.id), "email": customer.email}
    options["auth"] = {
        "date": date,
        "token": auth_token(customer.id, date, customer.email, secret),
    }
    return options


def loader_url(override: str = "", *, today: datetime | None = None) -> str:
    """The loader to load: LOYALTYLION_SDK_URL if set, else LoyaltyLion's dated path."""
    if override:
        return override
    day = (today or datetime.now(UTC)).strftime("%Y%m%d")
    return DEFAULT_LOADER_URL_TEMPLATE.format(date=day)
