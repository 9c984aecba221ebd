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

# The Headless API (https://developers.loyaltylion.com/headless-api/introduction): the
# sandbox is one site, and `site_id` in a Headless path must be this one (config
# SANDBOX_SITE_ID). Customer session tokens are signed with the site's SDK key pair
# (https://developers.loyaltylion.com/headless-api/session-tokens): a Key ID and a secret.
SANDBOX_SITE_ID = 1
SANDBOX_SDK_KEY_ID = "sandbox_sdk_key_id"
SANDBOX_SDK_SECRET = "sandbox_sdk_secret"  # noqa: S105  (public sandbox value)
HEADLESS_VERSION = "2025-06"
# "one of pos (point of sale), web (online storefront), and mobile (mobile app)".
HEADLESS_CHANNELS = ("web", "pos", "mobile")
HEADLESS_CHANNEL_HEADER = "X-LoyaltyLion-Channel"
HEADLESS_PROGRAM_NAME = "Sandbox Rewards"
HEADLESS_CURRENCY = "usd"
HEADLESS_LANGUAGE = "en"

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

# The built-in activity the sandbox knows (built-in names carry a `$`). Reviews are a
# custom rule here: current docs list no `$review`, and the Reviews API is a preview.
SIGNUP_ACTIVITY = "$signup"

# Ledger vocabulary. A ledger row is a signed delta in one bucket (its state).
LEDGER_STATES = ("pending", "approved", "void")
LEDGER_KINDS = (
    "signup",
    "purchase",
    "referral",
    "custom_rule",
    "points_added",
    "points_removed",
    "reward_claim",
)

# Webhooks the sandbox sends to the store, as LoyaltyLion does.
# https://developers.loyaltylion.com/api-reference/v2/webhooks/overview
WEBHOOK_SIGNATURE_HEADER = "x-loyaltylion-hmac-sha256"
# Sent beside the signature (https://developers.loyaltylion.com/docs/features/custom-rewards).
WEBHOOK_TOPIC_HEADER = "x-loyaltylion-topic"
WEBHOOK_SITE_DOMAIN_HEADER = "x-loyaltylion-site-domain"
# The body: the documented envelope {id, topic, created_at, payload} (webhooks overview),
# or the bare payload with the topic in the header, as the custom-rewards page shows.
WEBHOOK_SHAPES = ("envelope", "flat")
DEFAULT_WEBHOOK_SHAPE = "envelope"
# Topics a subscription can be created for (Create Webhook's enum): not
# rewards/store_fulfilment, which a custom reward's own URL receives.
# https://developers.loyaltylion.com/api-reference/v2/resources/webhooks/create-webhook
SUBSCRIBABLE_TOPICS = (
    "customers/update",
    "loyalty_emails/unsubscribe",
    "program_events/customer.enrolled",
    "program_events/customer.tier_upgraded",
    "program_events/customer.tier_downgraded",
    "program_events/customer.points_earned",
    "program_events/customer.reward_available_notification",
    "program_events/customer.recurring_reward_available_reminder",
    "program_events/customer.claimed_reward",
    "program_events/customer.referral_complete",
    "program_events/customer.rule_completed",
    "program_events/customer.approaching_tier_upgrade",
    "program_events/customer.moved_to_at_risk_segment",
    "program_events/customer.moved_to_defected_segment",
    "program_events/customer.moved_to_loyal_segment",
    "program_events/customer.approaching_points_expiration",
    "program_events/customer.approaching_reward_expiration",
)
TOPIC_STORE_FULFILMENT = "rewards/store_fulfilment"
TOPIC_CUSTOMERS_UPDATE = "customers/update"
# Where the shop receives them unless SANDBOX_SHOP_WEBHOOK_URL says otherwise:
# <SANDBOX_SHOP_ORIGIN><DEFAULT_WEBHOOK_PATH>.
DEFAULT_WEBHOOK_PATH = "/webhooks/loyaltylion"
# LoyaltyLion asks for an answer within 5 s and retries until it gets a 2xx; its
# schedule is not documented, so the sandbox uses a capped exponential backoff.
DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 5.0
DEFAULT_WEBHOOK_RETRY_SECONDS = 5.0
DEFAULT_WEBHOOK_RETRY_MAX_SECONDS = 300.0
DEFAULT_WEBHOOK_MAX_ATTEMPTS = 0  # 0 = retry until the store answers 2xx
# "thread": a background sender delivers due webhooks. "manual": only
# POST /_sandbox/webhooks/deliver sends them (what the sandbox's own tests use).
WEBHOOK_SENDER_MODES = ("thread", "manual")
# A delivery is "pending" until a 2xx ("delivered"), or "failed" once it gave up.
DELIVERY_STATES = ("pending", "delivered", "failed")
# A custom reward's claim follows its fulfilment webhook.
FULFILMENT_STATES = ("pending", "fulfilled", "failed")
# Who a `test: true` fulfilment webhook names when no customer is given.
TEST_WEBHOOK_CUSTOMER = {
    "customer_id": 0,
    "customer_merchant_id": "sandbox-test-customer",
    "customer_email": "test-customer@example.com",
}

# The program a fresh sandbox starts with (editable through /_sandbox/settings).
DEFAULT_SETTINGS: dict = {
    "signup_points": 200,
    # Points per whole currency unit of (total - total_shipping).
    "purchase_points_per_unit": 10,
    # Credited to the referrer when the referred customer's first order is paid.
    "referral_points": 300,
    # Custom rules by identifier: `points`; `once` = at most one award per customer;
    # `approval` "immediate" (approved at once) or "trigger" (pending until approved
    # with PUT /v2/activities/{name}/{merchant_id}), as in LoyaltyLion's rule editor;
    # `title`, what shoppers read.
    "custom_rules": {
        "newsletter_signup": {
            "points": 50,
            "once": True,
            "approval": "immediate",
            "title": "Join the newsletter",
        },
        "product_review": {
            "points": 25,
            "once": False,
            "approval": "trigger",
            "title": "Write a review",
        },
    },
    # "Reward historic purchases": a $signup links the guest orders of the same email
    # and pays their purchase points, for orders at most `historic_purchases_days` old
    # (null = since the program launched). The help centre names the setting and
    # offers "last 1 month, last 3 months, or since the program launched"; 365 days
    # is the sandbox's default.
    # https://help.loyaltylion.com/en/articles/11060322-give-points-for-previous-guest-purchases
    "reward_historic_purchases": True,
    "historic_purchases_days": 365,
    # What GET /v2/identity/whoami reports as the API key's scopes (reported only:
    # the sandbox does not enforce them). Scope names from
    # https://developers.loyaltylion.com/api-reference/authentication/api-keys
    "api_key_scopes": ["read_customers", "write_customers", "read_orders", "write_orders"],
    # Where the custom reward's fulfilment webhooks go; null = SANDBOX_SHOP_WEBHOOK_URL.
    "webhook_url": None,
    # "envelope" or "flat" (WEBHOOK_SHAPES); null = SANDBOX_WEBHOOK_SHAPE.
    "webhook_shape": None,
    # Tiers with points boundaries (tiers.py): each tier's `lower_bound` in tier points
    # (approved points earned, spending does not lower them); the first must start at
    # 0, and each tier ends where the next begins (the last has no upper bound). Lifetime
    # membership. null = no tiers (the Headless API's tier_configuration is null).
    # Sandbox choice: LoyaltyLion's tier setup is not in its API docs.
    "tiers": [
        {"name": "Bronze", "lower_bound": 0},
        {"name": "Silver", "lower_bound": 500},
        {"name": "Gold", "lower_bound": 1500},
    ],
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

# The seeded custom reward (id 2): fulfilled by the store through the
# `rewards/store_fulfilment` webhook, with no code of its own.
SEED_CUSTOM_REWARD = {
    "id": 2,
    "title": "Free tote bag on your next order",
    "description": "A tote bag, added free to your next order",
    "point_cost": 300,
    "discount_amount": "0.00",
    "kind": "custom",
    "identifier": "free-gift-next-order",
}
SEED_CODE_PREFIX = "LLSBX-5OFF-"

# Reward kinds (Reward.kind). "voucher" and "free_shipping" hand out a code from the
# reward's imported pool; "custom" is fulfilled by the store through its webhook.
REWARD_KINDS = ("voucher", "free_shipping", "custom")
POOLED_REWARD_KINDS = ("voucher", "free_shipping")
