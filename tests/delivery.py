"""Delivering the shop's outbox from a test: one helper for every kind of test."""

from __future__ import annotations

from datetime import timedelta

from storefront.loyalty import loyaltylion
from storefront.loyaltylion.models import utcnow
from storefront.loyaltylion.outbox import DeliveryStats

# Far enough ahead that every retry's backoff has passed.
PAST_BACKOFF = timedelta(hours=2)


def drain(app, *, ahead: timedelta = timedelta(0), rounds: int = 50, **options) -> DeliveryStats:
    """Deliver until nothing is due, with the clock `ahead` (PAST_BACKOFF skips the
    backoff delays); `options` go to the Deliverer."""
    total = DeliveryStats()
    with app.app_context():
        deliverer = loyaltylion.make_deliverer(clock=lambda: utcnow() + ahead, **options)
        for _ in range(rounds):
            stats = deliverer.run_once(50)
            if stats.handled == 0:
                break
            total.delivered += stats.delivered
            total.retried += stats.retried
            total.dead += stats.dead
    return total
