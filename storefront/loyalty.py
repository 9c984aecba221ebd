"""The thin adapter between this shop and `storefront.loyaltylion`.

The only file that knows both sides: it turns the shop's users and orders into the
package's plain dataclasses and records an outbox event on every signup and order
change, inside the shop's own transaction (the shop sends its signals before commit).
A merchant's developer rewrites this file for their store and copies the package as is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, current_app
from flask_login import current_user

from storefront import events
from storefront.extensions import db
from storefront.loyaltylion import Customer, LoyaltyLion, OrderSnapshot, Shopper, sdk
from storefront.loyaltylion.payloads import DiscountCode, order_create
from storefront.models import Order, Review, ReviewStatus, User
from storefront.money import parse_money
from storefront.security import RequestContext

log = logging.getLogger(__name__)
loyaltylion = LoyaltyLion()


def customer_of(user: User) -> Customer:
    # The row id: stable, unique, never reused. The same id goes to the SDK.
    return Customer(id=user.id, email=user.email)


def shopper_of(context: RequestContext | None) -> Shopper | None:
    if context is None:
        return None
    return Shopper(
        ip_address=context.ip_address,
        user_agent=context.user_agent,
        referral_id=context.referral_id,
        tracking_id=context.tracking_id,
    )


def snapshot_of(order: Order) -> OrderSnapshot:
    return OrderSnapshot(
        merchant_id=str(order.id),
        number=order.number,
        customer=Customer(id=order.customer_id, email=order.customer_email),
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
        shopper=Shopper(
            ip_address=order.ip_address,
            user_agent=order.user_agent,
            referral_id=order.referral_id,
            tracking_id=order.tracking_id,
        ),
        guest=False,
    )


def _recreate_order(merchant_id: str) -> dict | None:
    """For an order LoyaltyLion lacks and the outbox holds no create for."""
    order = db.session.get(Order, int(merchant_id)) if merchant_id.isdigit() else None
    return order_create(snapshot_of(order)) if order else None


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


def sdk_settings() -> dict | None:
    """What the <head> snippet needs, rendered fresh for every page (see base.html)."""
    config = current_app.config
    if not config["LOYALTYLION_TOKEN"]:
        return None
    customer = None
    if current_user.is_authenticated:
        if config["LOYALTYLION_SECRET"]:
            customer = customer_of(current_user)
        else:
            log.warning("LOYALTYLION_SECRET is not set: customers stay guests in the SDK")
    return sdk.snippet_settings(
        config["LOYALTYLION_TOKEN"],
        sdk_origin=config["LOYALTYLION_SDK_ORIGIN"],
        loader_override=config["LOYALTYLION_SDK_URL"],
        customer=customer,
        secret=config["LOYALTYLION_SECRET"],
    )


def _webhook_topics() -> tuple[str, ...]:
    from storefront.webhooks.service import HANDLERS  # the shop's webhook receiver

    return tuple(HANDLERS)


def init_loyalty(app: Flask) -> None:
    loyaltylion.init_app(
        app,
        session=db.session,
        engine=lambda: db.engine,
        is_admin=lambda: current_user.is_authenticated and current_user.is_admin,
        recreate_order=_recreate_order,
        webhook_topics=_webhook_topics,
    )
    app.context_processor(lambda: {"loyaltylion_sdk": sdk_settings()})
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
