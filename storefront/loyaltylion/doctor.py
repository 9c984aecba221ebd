"""`loyaltylion doctor`: is this store ready to go live? One line per check, OK or what
to do, and an exit status.

The checks the package can make on its own are here; a host adds its own (the voucher
codes a reward hands out, say: only the store knows its codes) with
`LoyaltyLion.add_doctor_check`. A check that cannot be made (no API for it) says so and
does not fail the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .client import DEFAULT_API_URL, LoyaltyLionClient
from .errors import ConfigurationError, HeadlessError, LoyaltyLionError, PermanentError
from .models import DEAD, DELIVERING, PENDING, OutboxEvent, utcnow
from .sdk import csp_origins
from .subscriptions import MANAGED_TOPICS

OK, FAIL, SKIP = "OK", "FAIL", "SKIP"

# The API key scopes the package's calls need.
# https://developers.loyaltylion.com/api-reference/authentication/api-keys
# write_customers: activities ($signup, custom rules) and profile updates;
# write_orders: create and update orders; read_orders: Get Order (is a create already
# there?) and List Orders (reconcile); read_customers: List Activities (was an activity
# whose answer was lost recorded?).
REQUIRED_SCOPES = ("read_customers", "write_customers", "read_orders", "write_orders")
# An event older than this is a stuck queue, not a busy one.
OLDEST_ALLOWED = timedelta(hours=1)
# The pages whose HTML must never carry the site secret (the host may add its own).
DEFAULT_PAGES = ("/",)


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # OK | FAIL | SKIP
    message: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL


HostCheck = Callable[[], Check]


def is_live(api_url: str) -> bool:
    return urlsplit(api_url).hostname == urlsplit(DEFAULT_API_URL).hostname


def check_identity(client: LoyaltyLionClient | None, api_url: str) -> list[Check]:
    """The key works (GET /v2/identity/whoami) and has every scope the package uses.
    https://developers.loyaltylion.com/api-reference/v2/resources/whoami"""
    if client is None:
        return [
            Check("API key", FAIL, "Set LOYALTYLION_API_KEY (LoyaltyLion: Settings → API keys).")
        ]
    try:
        identity = (client.whoami() or {}).get("identity") or {}
    except PermanentError as error:
        if error.status in (401, 403):
            return [
                Check(
                    "API key",
                    FAIL,
                    f"{api_url} refused the key ({error.status}): create a new API key and "
                    "set LOYALTYLION_API_KEY.",
                )
            ]
        return [Check("API key", FAIL, f"{api_url} answered {error}.")]
    except LoyaltyLionError as error:
        return [Check("API key", FAIL, f"Could not reach {api_url}: {error}.")]
    checks = [Check("API key", OK, f"{api_url} accepted it ({identity.get('kind', 'key')}).")]
    scopes = identity.get("scopes")
    if not isinstance(scopes, list):
        checks.append(Check("API key scopes", FAIL, "whoami reported no scopes."))
        return checks
    missing = [scope for scope in REQUIRED_SCOPES if scope not in scopes]
    if missing:
        checks.append(
            Check(
                "API key scopes",
                FAIL,
                f"Missing {', '.join(missing)}: give the key these scopes (or create one "
                "that has them).",
            )
        )
    else:
        checks.append(Check("API key scopes", OK, ", ".join(REQUIRED_SCOPES)))
    return checks


def check_site_credentials(app: Flask, pages: Iterable[str]) -> list[Check]:
    config = app.config
    token, secret = config["LOYALTYLION_TOKEN"], config["LOYALTYLION_SECRET"]
    missing = [
        name
        for name, value in (("LOYALTYLION_TOKEN", token), ("LOYALTYLION_SECRET", secret))
        if not value
    ]
    checks = [
        Check(
            "Site token and secret",
            FAIL if missing else OK,
            f"Set {' and '.join(missing)} (LoyaltyLion: Settings → Configuration)."
            if missing
            else "both set",
        )
    ]
    # Every server-only credential: the site secret, the API key, the SDK secret that
    # signs Headless session tokens.
    secrets = {
        name: config.get(name)
        for name in ("LOYALTYLION_SECRET", "LOYALTYLION_API_KEY", "LOYALTYLION_SDK_SECRET")
        if config.get(name)
    }
    if not secrets:
        return checks
    leaked = []
    with app.test_client() as browser:
        for path in pages:
            response = browser.get(path)
            body = response.get_data(as_text=True)
            for name, value in secrets.items():
                if value in body or any(value in header for _, header in response.headers):
                    leaked.append(f"{name} in {path}")
    checks.append(
        Check(
            "Secret stays on the server",
            FAIL if leaked else OK,
            f"{'; '.join(leaked)}: server-only credentials must never reach a page (the "
            "secret only signs the SDK's auth token, sdk.py). Rotate them in LoyaltyLion."
            if leaked
            else f"{', '.join(secrets)} not in {', '.join(pages)}",
        )
    )
    return checks


def check_headless(app: Flask, extension) -> list[Check]:
    """LOYALTYLION_UI=headless: the site id the Headless paths need, the configuration
    answering, and the SDK key pair for customer session tokens (optional)."""
    config = app.config
    if config.get("LOYALTYLION_UI") != "headless":
        return []  # the SDK draws the program: nothing of this is used
    if not config["LOYALTYLION_SITE_ID"]:
        return [
            Check(
                "Headless API",
                FAIL,
                "Set LOYALTYLION_SITE_ID (the number after /sites/ in LoyaltyLion's URL).",
            )
        ]
    try:
        client = extension.make_headless_client(app)
        try:
            configuration = client.get_configuration()
        finally:
            client.close()
    except (ConfigurationError, HeadlessError) as error:
        return [Check("Headless API", FAIL, f"Get Configuration failed: {error}.")]
    rewards = len(configuration.get("rewards") or [])
    checks = [Check("Headless API", OK, f"configuration answered ({rewards} rewards on web)")]
    pair = config["LOYALTYLION_SDK_KEY_ID"] and config["LOYALTYLION_SDK_SECRET"]
    checks.append(
        Check(
            "Session tokens",
            OK if pair else SKIP,
            "LOYALTYLION_SDK_KEY_ID and LOYALTYLION_SDK_SECRET set"
            if pair
            else "no SDK key pair: pages work, the browser refresh (headless.js) is off",
        )
    )
    return checks


def check_webhooks(
    client: LoyaltyLionClient | None, topics: Iterable[str], address: str
) -> list[Check]:
    """Each topic the store handles is subscribed, to this store's URL.
    https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/list-webhooks"""
    wanted = [topic for topic in sorted(set(topics)) if topic not in MANAGED_TOPICS]
    if not wanted:
        return []
    if not address:
        return [Check("Webhooks", FAIL, "Set LOYALTYLION_WEBHOOK_URL to this store's public URL.")]
    if client is None:
        return [Check("Webhooks", FAIL, "No API key to list the subscriptions with.")]
    try:
        hooks = client.list_webhooks()
    except LoyaltyLionError as error:
        return [Check("Webhooks", FAIL, f"Could not list the subscriptions: {error}.")]
    subscribed = {(hook.get("topic"), hook.get("address")) for hook in hooks}
    missing = [topic for topic in wanted if (topic, address) not in subscribed]
    if missing:
        return [
            Check(
                "Webhooks",
                FAIL,
                f"{', '.join(missing)} not sent to {address}: run `flask --app storefront "
                "loyaltylion webhooks subscribe`.",
            )
        ]
    return [Check("Webhooks", OK, f"{', '.join(wanted)} → {address}")]


def check_outbox(session: Session) -> list[Check]:
    dead = session.execute(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.status == DEAD)
    ).scalar_one()
    oldest = session.execute(
        select(func.min(OutboxEvent.created_at)).where(
            OutboxEvent.status.in_((PENDING, DELIVERING))
        )
    ).scalar_one()
    problems = []
    if dead:
        problems.append(
            f"{dead} dead event(s): see Admin → LoyaltyLion deliveries, fix the cause, retry"
        )
    if oldest is not None and utcnow() - oldest > OLDEST_ALLOWED:
        problems.append(
            f"an event has waited since {oldest:%Y-%m-%d %H:%M} UTC: is a worker running "
            "(`flask --app storefront loyaltylion worker`)?"
        )
    if problems:
        return [Check("Outbox", FAIL, "; ".join(problems) + ".")]
    return [Check("Outbox", OK, "no dead events, nothing older than an hour")]


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def check_csp(app: Flask) -> list[Check]:
    """The SDK's origins are allowed where the SDK needs them: its scripts and its calls."""
    with app.test_client() as browser:
        response = browser.get("/")
    header = response.headers.get("Content-Security-Policy") or response.headers.get(
        "Content-Security-Policy-Report-Only"
    )
    if not header:
        return [Check("Content-Security-Policy", OK, "no policy: the browser blocks nothing")]
    directives = _directives(header)
    page_origin = "http://localhost"  # the test client's
    blocked = []
    for origin in csp_origins(app.config):
        for name in ("script-src", "connect-src"):
            sources = directives.get(name, directives.get("default-src", []))
            allowed = (
                origin in sources
                or "*" in sources
                or (origin == page_origin and "'self'" in sources)
            )
            if not allowed:
                blocked.append(f"{origin} in {name}")
    if blocked:
        return [
            Check(
                "Content-Security-Policy",
                FAIL,
                f"Not allowed: {', '.join(blocked)}. Add them to the policy (headers.py).",
            )
        ]
    return [Check("Content-Security-Policy", OK, "allows the SDK's origins")]


def run(app: Flask, extension, session: Session) -> tuple[str, list[Check]]:
    """Every check, the package's and the host's; and the mode line."""
    api_url = app.config["LOYALTYLION_API_URL"]
    mode = (
        f"Live: LoyaltyLion's own API ({api_url})."
        if is_live(api_url)
        else f"Sandbox: {api_url} stands in for LoyaltyLion; these checks test it, not a "
        "real account."
    )
    try:
        client = extension.make_client() if app.config["LOYALTYLION_API_KEY"] else None
    except ConfigurationError:
        client = None
    try:
        checks = check_identity(client, api_url)
        checks += check_site_credentials(
            app, app.config.get("LOYALTYLION_DOCTOR_PAGES", DEFAULT_PAGES)
        )
        checks += check_webhooks(
            client, extension.webhook_topics(), app.config["LOYALTYLION_WEBHOOK_URL"]
        )
        for host_check in extension.doctor_checks:
            checks.append(host_check())
        checks += check_headless(app, extension)
        checks += check_outbox(session)
        checks += check_csp(app)
    finally:
        if client is not None:
            client.close()
    return mode, checks
