"""Domain events the shop emits. Integrations (LoyaltyLion) subscribe to them.

Each signal is sent *inside* the database transaction that makes the change, before
the commit, so a subscriber that writes rows (an outbox) commits or rolls back together
with the change it describes. Subscribers must not do network I/O here.

`commit_announcing` is how every service makes a change: the one place that says
"announce inside the transaction, commit, and roll back on any error or refusal".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from blinker import Namespace, Signal
from flask import current_app

from storefront.extensions import db

_signals = Namespace()

Announce = Callable[..., None]


@contextmanager
def commit_announcing() -> Iterator[Announce]:
    """A change to the database, with the domain events it announces:

        with events.commit_announcing() as announce:
            order.total_paid_cents += amount
            announce(events.order_changed, order=order, change="payment")

    `announce(signal, **kwargs)` sends at once, inside the transaction, so what
    subscribers write joins it. The block commits when it ends; any exception in it
    (a refusal the service raises after taking a lock, or a subscriber's error) rolls
    everything back and goes on up.
    """
    app = current_app._get_current_object()

    def announce(signal: Signal, **kwargs: Any) -> None:
        signal.send(app, **kwargs)

    try:
        yield announce
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


#: sender: the app; kwargs: user (User), context (RequestContext)
customer_signed_up = _signals.signal("customer-signed-up")

#: sender: the app; kwargs: order (Order), context (RequestContext)
order_placed = _signals.signal("order-placed")

#: sender: the app; kwargs: order (Order), change ("edited" | "payment" | "refund" | "cancelled")
order_changed = _signals.signal("order-changed")

#: sender: the app; kwargs: order (Order). Asked inside an edit's transaction, before the
#: edit changes the order's total or shipping. A receiver returns the name of the system
#: it feeds (e.g. "LoyaltyLion") when that system already holds the order's totals and
#: can be told only payments and refunds from now on; None when it can still take new
#: totals, which must then stay true until the transaction ends.
order_totals_held = _signals.signal("order-totals-held")

#: sender: the app; kwargs: user (User). The customer opted in to the newsletter.
newsletter_subscribed = _signals.signal("newsletter-subscribed")

#: sender: the app; kwargs: user (User). Profile data LoyaltyLion keeps changed (birthday).
customer_updated = _signals.signal("customer-updated")

#: sender: the app; kwargs: review (Review), context (RequestContext)
review_submitted = _signals.signal("review-submitted")

#: sender: the app; kwargs: review (Review). Approved or declined by a store admin.
review_moderated = _signals.signal("review-moderated")

#: sender: the app; kwargs: user_id (int). The customer closed their account (GDPR).
customer_closed = _signals.signal("customer-closed")
