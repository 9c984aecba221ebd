"""The thin adapter between this shop and `storefront.loyaltylion`.

The only file that knows both sides. It
* turns the shop's users and orders into the package's plain dataclasses and records an
  outbox event on every signup and order change, inside the shop's own transaction (the
  shop announces its events before it commits: storefront/events.py);
* handles the webhooks the shop cares about: a custom reward's gift, the voucher codes
  customers claim (so checkout can offer them), and the customer's loyalty status;
* gives the package what it asks the host for: the session, who is an admin, who the
  logged-in customer is.
A merchant's developer rewrites this file for their store and copies the package as is
(the README's "Copy storefront/loyaltylion/ into your store").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from flask import Flask, abort, current_app
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from storefront import events, gifts
from storefront.cart.service import current_cart
from storefront.extensions import db, login_manager
from storefront.loyaltylion import (
    Check,
    Customer,
    DiscountCode,
    LoyaltyLion,
    OrderSnapshot,
    Shopper,
    WebhookEvent,
    WebhookProcessingError,
    ignored,
    parse_timestamp,
    processed,
)
from storefront.models import LoyaltySnapshot, Order, Review, ReviewStatus, User
from storefront.money import parse_money
from storefront.shopper import RequestContext
from storefront.vouchers.service import VoucherError, code_states, record_claim

loyaltylion = LoyaltyLion()


def customer_of(user: User) -> Customer:
    # The row id: stable, unique, never reused. The same id goes to the SDK.
    return Customer(id=user.id, email=user.email)


def shopper_of(context: RequestContext | None) -> Shopper | None:
    # The package adds the referral and email ids of the request itself (its cookie).
    if context is None:
        return None
    return Shopper(ip_address=context.ip_address, user_agent=context.user_agent)


# A guest's identity at LoyaltyLion: Create Order requires a `customer_id` and the docs
# say nothing of what a guest's should be (LoyaltyLion's Magento 2 module sends
# Magento's, which is null for a guest). One per order, so no guest ever shares an id,
# and "guest-" so none can be mistaken for an account's row id. LoyaltyLion links a
# guest's orders to the account made later with the same email (linked_merchant_ids).
GUEST_ID_PREFIX = "guest-"


def order_customer(order: Order) -> Customer:
    """Who LoyaltyLion was told placed the order: the account, or the guest it was
    placed by (even once the guest has made an account and it is theirs here)."""
    if order.guest:
        return Customer(id=f"{GUEST_ID_PREFIX}{order.id}", email=order.customer_email)
    return Customer(id=order.customer_id, email=order.customer_email)


def snapshot_of(order: Order) -> OrderSnapshot:
    return OrderSnapshot(
        merchant_id=str(order.id),
        number=order.number,
        customer=order_customer(order),
        date=order.created_at,
        # What the order was worth when paid. An edit that took items off a paid order
        # refunded them (orders.service.edit_order): LoyaltyLion learns that as a refund
        # and takes off the points for the amount, so its total stays what was paid.
        # Otherwise nothing was paid beyond the total, and this is the total.
        total_cents=max(order.total_cents, order.total_paid_cents),
        shipping_cents=order.shipping_cents,
        paid_cents=order.total_paid_cents,
        refunded_cents=order.total_refunded_cents,
        payment_status=order.payment_status,
        refund_status=order.refund_status,
        cancellation_status=order.cancellation_status,
        discount_codes=tuple(DiscountCode(d.code, d.amount_cents) for d in order.discounts),
        shopper=Shopper(ip_address=order.ip_address, user_agent=order.user_agent),
        guest=order.guest,
    )


class ShopOrders:
    """The shop's orders as the package asks for them (loyaltylion.OrderSource): for
    backfill and reconcile, and to re-create an order LoyaltyLion lacks."""

    PAGE = 500

    def get(self, merchant_id: str) -> OrderSnapshot | None:
        if not merchant_id.isdigit() or int(merchant_id) > _MAX_ID:
            return None
        order = db.session.get(Order, int(merchant_id))
        return snapshot_of(order) if order is not None else None

    def placed_since(self, since: datetime) -> OrdersSince:
        return OrdersSince(Order.created_at >= since)

    def changed_since(self, since: datetime) -> OrdersSince:
        return OrdersSince(or_(Order.created_at >= since, Order.updated_at >= since))


class OrdersSince:
    """Orders matching `condition`, oldest first, read a page at a time by id (the
    caller commits between pages, which would end a streaming cursor)."""

    def __init__(self, condition) -> None:
        self.condition = condition

    def __len__(self) -> int:
        return db.session.execute(
            select(func.count()).select_from(Order).where(self.condition)
        ).scalar_one()

    def __iter__(self) -> Iterator[OrderSnapshot]:
        after = 0
        while True:
            page = list(
                db.session.execute(
                    select(Order)
                    .where(self.condition, Order.id > after)
                    .order_by(Order.id)
                    .limit(ShopOrders.PAGE)
                    .options(selectinload(Order.discounts))
                ).scalars()
            )
            if not page:
                return
            after = page[-1].id
            yield from (snapshot_of(order) for order in page)


def _on_signup(_app, user: User, context: RequestContext | None = None, **_):
    loyaltylion.record_signup(customer_of(user), shopper=shopper_of(context))


def _customer_is_gone(customer_id: int) -> bool:
    """A closed account gets no more activity or profile events (its orders still do)."""
    user = db.session.get(User, customer_id)
    return user is None or user.closed_at is not None


def _on_order_placed(_app, order: Order, **_):
    loyaltylion.record_order_created(snapshot_of(order))


def _order_totals_held(_app, order: Order, **_) -> str | None:
    # Until its create goes out, LoyaltyLion can take a new total (the waiting create is
    # rewritten); after, Update Order carries none, so LoyaltyLion holds the totals.
    return None if loyaltylion.hold_unsent_create(str(order.id)) else "LoyaltyLion"


@dataclass(frozen=True)
class LoyaltyLionOrder:
    """The order as LoyaltyLion has it (or will, once the queue drains), in cents."""

    sent: bool  # LoyaltyLion has the create: its total and shipping are fixed
    total_cents: int
    shipping_cents: int
    paid_cents: int
    refunded_cents: int
    payment_status: str
    refund_status: str
    cancellation_status: str
    unsent: int
    dead: int

    @property
    def spend_cents(self) -> int:
        """What purchase points are counted on: the total less shipping and refunds."""
        return max(self.total_cents - self.shipping_cents - self.refunded_cents, 0)


def loyaltylion_order_view(order: Order) -> LoyaltyLionOrder | None:
    """For the admin's order page (a template global)."""
    view = loyaltylion.order_view(str(order.id))
    if view is None:
        return None

    def cents(text: str) -> int:
        return parse_money(text, allow_zero=True)

    return LoyaltyLionOrder(
        sent=view.create_sent,
        total_cents=cents(view.total),
        shipping_cents=cents(view.total_shipping),
        paid_cents=cents(view.total_paid),
        refunded_cents=cents(view.total_refunded),
        payment_status=view.payment_status,
        refund_status=view.refund_status,
        cancellation_status=view.cancellation_status,
        unsent=view.unsent,
        dead=view.dead,
    )


def _on_order_changed(_app, order: Order, **_):
    # Edit, payment, refund or cancellation: always the full current state. Also for a
    # customer who closed their account: the order is a kept record, and a refund must
    # still take back the points it earned (and the referrer's).
    loyaltylion.record_order_updated(snapshot_of(order))


# Custom rules: the store triggers each by its identifier, set when the rule is created
# in LoyaltyLion (letters and "_" only). Both identifiers are settings.
# https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
# https://help.loyaltylion.com/en/articles/1965598-activity-custom


def _on_newsletter_subscribed(_app, user: User, **_):
    # One merchant_id per customer: opting out and in again is recognisably the same.
    loyaltylion.record_activity(
        current_app.config["LOYALTYLION_NEWSLETTER_RULE"],
        customer_of(user),
        merchant_id=f"newsletter-{user.id}",
    )


def _on_customer_updated(_app, user: User, **_):
    # LoyaltyLion takes a birthday but offers no way to clear one: a cleared birthday is
    # only cleared here (the account page says so).
    if user.birthday is not None:
        loyaltylion.record_customer_update(user.id, birthday=user.birthday)


def _on_review_submitted(_app, review: Review, context: RequestContext | None = None, **_):
    # A custom rule with the "Trigger" approval method: its points stay pending until the
    # moderation decision below approves or declines the activity.
    loyaltylion.record_activity(
        current_app.config["LOYALTYLION_REVIEW_RULE"],
        customer_of(review.customer),
        merchant_id=review.merchant_id,
        shopper=shopper_of(context),
    )


def _on_review_moderated(_app, review: Review, **_):
    if _customer_is_gone(review.customer_id):
        return
    state = "approved" if review.status == ReviewStatus.APPROVED else "declined"
    loyaltylion.record_activity_state(
        current_app.config["LOYALTYLION_REVIEW_RULE"],
        review.merchant_id,
        state,
        customer_id=review.customer_id,
    )


def _on_customer_closed(_app, user_id: int, **_):
    loyaltylion.forget_customer(user_id)


# -- webhooks -----------------------------------------------------------------------------

_CUSTOMER_ID = re.compile(r"[0-9]{1,10}")
_MAX_ID = 2_147_483_647  # ids are 32-bit `integer` columns


def customer_id_of(value: Any) -> int:
    """LoyaltyLion's `merchant_id` for a customer is our User.id. The docs type it as a
    number but their examples send a string ("5000001"): accept both, nothing else."""
    text = "" if isinstance(value, bool) else str(value).strip()  # True is an int, too
    if not isinstance(value, int | str) or not _CUSTOMER_ID.fullmatch(text) or int(text) > _MAX_ID:
        raise WebhookProcessingError(f"{value!r} is not a shop customer id")
    return int(text)


@dataclass(frozen=True)
class GiftReward:
    product_slug: str  # an inactive product: given away, never sold (storefront/seed.py)
    title: str  # what the customer's account calls it


# Keyed by the identifier set on each custom reward in LoyaltyLion.
# https://developers.loyaltylion.com/docs/features/custom-rewards
GIFT_REWARDS = {
    "free-gift-next-order": GiftReward(product_slug="lion-tote-bag", title="Free tote bag"),
}


def fulfil_store_reward(event: WebhookEvent, payload: dict[str, Any]):
    """rewards/store_fulfilment: a customer claimed a custom reward; grant its gift.
    https://developers.loyaltylion.com/api-reference/v2/webhooks/events/rewards-store-fulfilment
    """
    if _is_test(payload):
        # Sent when the reward is saved in LoyaltyLion, to check the URL answers 2xx.
        return ignored("Test delivery (the reward was saved in LoyaltyLion): nothing to fulfil.")
    identifier = payload.get("reward_identifier")
    reward = GIFT_REWARDS.get(identifier) if isinstance(identifier, str) else None
    if reward is None:
        # Failed, not ignored: the customer paid points for it. Add the identifier to
        # GIFT_REWARDS (or fulfil it by hand), then retry from the admin.
        raise WebhookProcessingError(f"unknown reward identifier {identifier!r}")
    customer_id = customer_id_of(payload.get("customer_merchant_id"))
    event.customer_id = str(customer_id)
    try:
        gift = gifts.grant(
            customer_id,
            reward.product_slug,
            title=reward.title,
            grant_key=f"loyaltylion-webhook:{event.id}",
        )
    except gifts.GiftError as error:
        raise WebhookProcessingError(str(error)) from None
    return processed(f"{gift.product.name} granted to customer {customer_id} for their next order.")


def _is_test(payload: dict[str, Any]) -> bool:
    test = payload.get("test", False)
    if test in (True, "true"):
        return True
    if test in (False, "false"):
        return False
    # Neither: fulfilling could hand out a gift for a test, so refuse and let a human look.
    raise WebhookProcessingError(f"`test` must be true or false, not {test!r}")


def record_claimed_code(event: WebhookEvent, payload: dict[str, Any]):
    """program_events/customer.claimed_reward: LoyaltyLion gave a customer one of the
    shop's codes; remember whose it is, so checkout offers it in one click.
    https://developers.loyaltylion.com/api-reference/v2/webhooks/events/program-events/customer-claimed-reward
    """
    if payload.get("reward_type") != "voucher":
        return ignored(f"A {payload.get('reward_type')!r} reward: no voucher code of ours.")
    code = payload.get("voucher_code")
    customer = payload.get("customer")
    if not isinstance(code, str) or not isinstance(customer, dict):
        raise WebhookProcessingError("a voucher claim needs `voucher_code` and `customer`")
    user = db.session.get(User, customer_id_of(customer.get("merchant_id")))
    if user is None or user.closed_at is not None:
        return ignored(f"No open shop account with id {customer.get('merchant_id')}.")
    event.customer_id = str(user.id)
    try:
        voucher = record_claim(code, user.id, event.sent_at or event.received_at)
    except VoucherError as error:
        # Failed, not ignored: the customer paid points for a code checkout will not
        # take. Import the shop's own codes into the reward, then retry from the admin.
        raise WebhookProcessingError(error.message) from None
    return processed(f"Code {voucher.code} is customer {user.id}'s; checkout offers it.")


def record_loyalty_status(event: WebhookEvent, payload: dict[str, Any]):
    """customers/update: keep the customer's points and tier for the account page, which
    shows them beside the SDK's live figures (it works without JavaScript).
    https://developers.loyaltylion.com/api-reference/v2/webhooks/events/customers-update
    """
    # The payload is {"customer": <the Customers API's customer object>}.
    customer = payload.get("customer")
    if not isinstance(customer, dict):
        raise WebhookProcessingError("the payload has no `customer` object")
    if customer.get("merchant_id") in (None, ""):
        return ignored("A guest (no merchant_id): no shop account to update.")
    user = db.session.get(User, customer_id_of(customer["merchant_id"]))
    if user is None or user.closed_at is not None:
        return ignored(f"No open shop account with id {customer['merchant_id']}.")
    event.customer_id = str(user.id)
    updated_at = parse_timestamp(customer.get("updated_at")) or event.sent_at or event.received_at
    snapshot = db.session.get(LoyaltySnapshot, user.id)
    if snapshot is not None and snapshot.updated_at > updated_at:
        return ignored("Older than the status already stored (deliveries can arrive out of order).")
    if snapshot is None:
        snapshot = LoyaltySnapshot(customer_id=user.id)
        db.session.add(snapshot)
    snapshot.points_approved = _points(customer, "points_approved")
    snapshot.points_pending = _points(customer, "points_pending")
    snapshot.tier_name = _tier_name(customer)
    snapshot.updated_at = updated_at
    return processed(f"Customer {user.id}: {snapshot.points_approved} points.")


def _points(customer: dict[str, Any], key: str) -> int:
    value = customer.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise WebhookProcessingError(f"`customer.{key}` must be a whole number, not {value!r}")
    return value


def _tier_name(customer: dict[str, Any]) -> str | None:
    # Programs without tiers send no membership (or null).
    membership = customer.get("loyalty_tier_membership")
    tier = membership.get("loyalty_tier") if isinstance(membership, dict) else None
    name = tier.get("name") if isinstance(tier, dict) else None
    return name[:100] if isinstance(name, str) and name else None


# -- the doctor's voucher check ----------------------------------------------------------


def check_reward_codes() -> Check:
    """The codes imported into LoyaltyLion's voucher rewards are the shop's own, and the
    ones LoyaltyLion has not handed out yet are unused here (else a customer pays
    points for a code checkout refuses). LoyaltyLion's API lists no reward's codes, so
    only the sandbox can be asked; against LoyaltyLion this says what to check by hand."""
    name = "Reward voucher codes"
    config = current_app.config
    if not config.get("LOYALTYLION_SANDBOX"):
        return Check(
            name,
            "SKIP",
            "LoyaltyLion's API does not list a reward's codes: import only CSVs downloaded "
            "from Admin → Vouchers, one batch per reward.",
        )
    try:
        imported = _sandbox_reward_codes(config["LOYALTYLION_API_URL"])
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        return Check(name, "FAIL", f"Could not read the sandbox's rewards: {error}.")
    if not imported:
        return Check(name, "FAIL", "No voucher reward has codes: import a batch's CSV into one.")
    problems = []
    for title, codes in imported.items():
        waiting = [c["code"] for c in codes if c.get("state") == "unused"]
        states = code_states([c["code"] for c in codes])
        unknown = [code for code, state in states.items() if state == "unknown"]
        used = [code for code in waiting if states.get(code) == "used"]
        if unknown:
            problems.append(f"{title}: {len(unknown)} code(s) the shop never made ({unknown[0]}…)")
        if used:
            problems.append(
                f"{title}: {len(used)} unclaimed code(s) already used here ({used[0]}…)"
            )
    if problems:
        return Check(name, "FAIL", "; ".join(problems) + ". Import a fresh batch instead.")
    counts = ", ".join(f"{title}: {len(codes)}" for title, codes in imported.items())
    return Check(name, "OK", f"the shop's own, unclaimed ones unused ({counts})")


def _sandbox_reward_codes(api_url: str) -> dict[str, list[dict[str, str]]]:
    """{reward title: [{"code", "state"}]} for the sandbox's voucher rewards (its
    control routes: docs/sandbox.md)."""
    base = api_url.rstrip("/")
    with requests.Session() as http:
        rewards = http.get(f"{base}/_sandbox/rewards", timeout=5).json()["rewards"]
        found = {}
        for reward in rewards:
            if reward.get("kind") == "custom":
                continue
            answer = http.get(f"{base}/_sandbox/rewards/{int(reward['id'])}/codes", timeout=5)
            answer.raise_for_status()
            codes = answer.json()["codes"]
            if codes:
                found[str(reward["title"])] = codes
    return found


# -- what the package asks of the host ---------------------------------------------------


def _current_customer() -> Customer | None:
    return customer_of(current_user) if current_user.is_authenticated else None


def _is_admin() -> bool:
    return current_user.is_authenticated and current_user.is_admin


def _deny():
    # The admin blueprint's rule: log in first; a customer gets a 403.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    abort(403, description="The LoyaltyLion pages are for store staff only.")


def _headless_cart() -> dict[str, Any] | None:
    """The cart for the Headless API's Initialize Session. Its published cart kinds are
    `empty` and `shopify` (CartEmpty, CartShopify in LoyaltyLion's types): a custom
    store's cart has no documented shape, so only an empty one is sent, and a full one
    is left out rather than dressed up as Shopify's (rewards with cart conditions are
    then judged without it)."""
    cart = current_cart()
    return {"kind": "empty"} if cart is None or not cart.items else None


def csp_origins() -> list[str]:
    """For the shop's Content-Security-Policy (headers.py)."""
    return loyaltylion.csp_origins()


def init_loyalty(app: Flask) -> None:
    # The shop's admin frames the package's admin pages, and its menu links them.
    app.config.setdefault("LOYALTYLION_ADMIN_LAYOUT", "admin/layout.html")
    app.config.setdefault("LOYALTYLION_ADMIN_NAV", False)
    loyaltylion.init_app(
        app,
        session=db.session,
        engine=lambda: db.engine,
        is_admin=_is_admin,
        on_denied=_deny,
        current_customer=_current_customer,
        orders=ShopOrders(),
        headless_cart=_headless_cart,
    )
    loyaltylion.add_doctor_check(check_reward_codes)
    loyaltylion.on_webhook("rewards/store_fulfilment", fulfil_store_reward)
    loyaltylion.on_webhook("customers/update", record_loyalty_status)
    loyaltylion.on_webhook("program_events/customer.claimed_reward", record_claimed_code)
    app.add_template_global(loyaltylion_order_view)
    # Connected once per process (blinker keeps strong references with weak=False).
    events.customer_signed_up.connect(_on_signup, weak=False)
    events.order_placed.connect(_on_order_placed, weak=False)
    events.order_changed.connect(_on_order_changed, weak=False)
    events.order_totals_held.connect(_order_totals_held, weak=False)
    events.newsletter_subscribed.connect(_on_newsletter_subscribed, weak=False)
    events.customer_updated.connect(_on_customer_updated, weak=False)
    events.review_submitted.connect(_on_review_submitted, weak=False)
    events.review_moderated.connect(_on_review_moderated, weak=False)
    events.customer_closed.connect(_on_customer_closed, weak=False)
