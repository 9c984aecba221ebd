"""What the browser SDK needs from the server: the snippet's settings and the auth token.

Docs: https://developers.loyaltylion.com/sdk/installation (the snippet)
      https://developers.loyaltylion.com/sdk/initialize-sdk
      https://developers.loyaltylion.com/sdk/customer-authentication

The published snippet loads two scripts from the SDK origin, both with
`crossOrigin = ""` (CORS mode): at once the dated loader
`<origin>/static/2/<YYYYMMDD>/loader[-<revision>].js`, and, inside `init`, the per-site
start script `<origin>/sdk/start/<YYYYMMDDTHH>/<site token>.js`, the date and hour
being the browser's UTC clock. The SDK starts only once both have arrived.
static/snippet.js does exactly that; the paths below are the same ones, for
the server side (tests, the CSP).

The auth token is sha1(customer id + date + email + secret), plain concatenation, with
`date` the ISO 8601 time it was made, sent alongside as `auth.date`. It is computed per
render (never cached: a stale date fails LoyaltyLion's window) from the site secret,
which stays on the server. Note: the official Magento/PrestaShop modules leave the email
out of the hash; the documented formula includes it, and so do we.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .payloads import Customer, iso8601

DEFAULT_SDK_ORIGIN = "https://sdk.loyaltylion.net"
# The published paths under the SDK origin (https://developers.loyaltylion.com/sdk/installation).
LOADER_PATH = "/static/2/{day}/loader{revision}.js"
START_PATH = "/sdk/start/{day_hour}/{token}.js"


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


def snippet_settings(
    site_token: str,
    *,
    sdk_origin: str = DEFAULT_SDK_ORIGIN,
    loader_override: str = "",
    customer: Customer | None = None,
    secret: str = "",
) -> dict[str, Any]:
    """The JSON the snippet reads from its data block (rendered with `tojson`).

    `loaderUrl` is None unless LOYALTYLION_SDK_URL overrides the loader; the snippet
    then builds the dated path from `sdkOrigin` itself, with the browser's clock, as
    the published snippet does."""
    return {
        "sdkOrigin": sdk_origin.rstrip("/"),
        "loaderUrl": loader_override or None,
        "init": init_options(site_token, customer=customer, secret=secret),
    }


def loader_url(
    sdk_origin: str = DEFAULT_SDK_ORIGIN, *, now: datetime | None = None, revision: str = ""
) -> str:
    """The dated loader the snippet requests at this moment (UTC day)."""
    day = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d")
    path = LOADER_PATH.format(day=day, revision=f"-{revision}" if revision else "")
    return sdk_origin.rstrip("/") + path


def start_url(sdk_origin: str, site_token: str, *, now: datetime | None = None) -> str:
    """The per-site start script `init` requests at this moment (UTC day and hour)."""
    day_hour = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H")
    return sdk_origin.rstrip("/") + START_PATH.format(day_hour=day_hour, token=site_token)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def csp_origins(config: Mapping[str, Any]) -> list[str]:
    """The origins the SDK needs in the host's Content-Security-Policy: the SDK origin,
    the loader override's origin, the API, and LOYALTYLION_CSP_EXTRA_ORIGINS.

    A live program's SDK may also fetch from hosts the docs do not list; run the CSP in
    report-only mode first and add what the reports show (see the README)."""
    urls: Iterable[str] = (
        config.get("LOYALTYLION_SDK_ORIGIN") or DEFAULT_SDK_ORIGIN,
        config.get("LOYALTYLION_SDK_URL") or "",
        config.get("LOYALTYLION_API_URL") or "",
        *config.get("LOYALTYLION_CSP_EXTRA_ORIGINS", []),
    )
    origins: list[str] = []
    for url in urls:
        origin = _origin(url)
        if origin and origin not in origins:
            origins.append(origin)
    return origins
