"""Fixed values of the LoyaltyLion sandbox.

The shop imports the credentials below for its sandbox mode, so they are part of
the sandbox's public surface: change them only together with the shop.
"""

from __future__ import annotations

# Credentials the sandbox accepts unless the app config overrides them (config keys
# of the same name). They are deliberately obvious: this is a local dev tool.
SANDBOX_API_KEY = "sandbox_api_key"
SANDBOX_SITE_TOKEN = "sandbox_site_token"  # noqa: S105  (public sandbox value)
SANDBOX_SITE_SECRET = "sandbox_site_secret"  # noqa: S105  (public sandbox value)

# Where the shop runs in `make run`; used for CORS and for referral links.
DEFAULT_SHOP_ORIGIN = "http://127.0.0.1:5000"

# LoyaltyLion's documented limit: 20 requests per second per API key.
DEFAULT_RATE_LIMIT = 20
RATE_LIMIT_WINDOW_SECONDS = 1.0

# How far `auth.date` of an SDK customer token may be from the sandbox's clock.
DEFAULT_AUTH_WINDOW_SECONDS = 15 * 60

# Signed SDK session tokens (handed to the browser after authentication) expire.
SDK_SESSION_MAX_AGE_SECONDS = 30 * 60

# Enums from the Admin API reference (orders, activities).
PAYMENT_STATUSES = ("not_paid", "partially_paid", "paid")
REFUND_STATUSES = ("not_refunded", "partially_refunded", "refunded")
CANCELLATION_STATUSES = ("not_cancelled", "cancelled")
ACTIVITY_STATES = ("pending", "approved", "declined", "void")
ACTIVITY_UPDATE_STATES = ("approved", "declined", "void")

# Built-in activity names (they carry a `$`).
SIGNUP_ACTIVITY = "$signup"
REVIEW_ACTIVITY = "$review"

# Ledger vocabulary. A ledger row is a signed delta in one bucket (its state).
LEDGER_STATES = ("pending", "approved", "void")
LEDGER_KINDS = (
    "signup",
    "purchase",
    "referral",
    "custom_rule",
    "review",
    "points_added",
    "points_removed",
    "reward_claim",
)

# The program a fresh sandbox starts with (editable through /_sandbox/settings).
DEFAULT_SETTINGS: dict = {
    "signup_points": 200,
    # Points per whole currency unit of (total - total_shipping).
    "purchase_points_per_unit": 10,
    # Credited to the referrer when the referred customer's first order is paid.
    "referral_points": 300,
    # `$review`: pending until the activity is approved.
    "review_points": 25,
    # Custom rules: activity name -> points; `once` = at most one award per customer.
    "custom_rules": {"newsletter_signup": {"points": 50, "once": True}},
}

# The seeded voucher reward (id 1).
SEED_REWARD = {
    "id": 1,
    "title": "$5 off",
    "description": "$5 off your next order",
    "point_cost": 500,
    "discount_amount": "5.00",
    "kind": "voucher",
}
DEFAULT_SEED_CODE_COUNT = 10
SEED_CODE_PREFIX = "LLSBX-5OFF-"
