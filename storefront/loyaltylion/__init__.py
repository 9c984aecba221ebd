"""LoyaltyLion for a custom Flask store: Admin API client, transactional outbox,
background delivery, webhooks, the SDK snippet with server-side customer
authentication, the referral cookie, a CLI and the store admin's logs.

Copy this folder into your project whole (it imports nothing outside itself) and write
a thin adapter that calls `init_app` and the `record_*` methods from your signup and
order code, inside your database transaction. The README's "Copy
storefront/loyaltylion/ into your store" has the steps; `storefront/loyalty.py` in the
reference storefront is a complete adapter.

Needs: Flask, SQLAlchemy (Flask-SQLAlchemy is the usual way to get a scoped session),
requests. Flask-WTF is used when the host has it (csrf.py).

Configuration (app.config, usually from the environment): see `extension.DEFAULTS`.
"""

from .backfill import OrderSource
from .doctor import Check
from .extension import DEFAULTS, LoyaltyLion
from .models import OutboxEvent, WebhookEvent
from .payloads import Customer, DiscountCode, OrderSnapshot, Shopper
from .state import get_extension
from .webhooks import Outcome, WebhookProcessingError, ignored, parse_timestamp, processed

__all__ = [
    "DEFAULTS",
    "Check",
    "Customer",
    "DiscountCode",
    "LoyaltyLion",
    "OrderSnapshot",
    "OrderSource",
    "OutboxEvent",
    "Outcome",
    "Shopper",
    "WebhookEvent",
    "WebhookProcessingError",
    "get_extension",
    "ignored",
    "parse_timestamp",
    "processed",
]
