"""Domain events the shop emits. Integrations (LoyaltyLion) subscribe to them.

Each signal is sent *inside* the database transaction that makes the change, before
the commit, so a subscriber that writes rows (an outbox) commits or rolls back together
with the change it describes. Subscribers must not do network I/O here.
"""

from blinker import Namespace

_signals = Namespace()

#: sender: the app; kwargs: user (User), context (RequestContext)
customer_signed_up = _signals.signal("customer-signed-up")

#: sender: the app; kwargs: order (Order), context (RequestContext)
order_placed = _signals.signal("order-placed")

#: sender: the app; kwargs: order (Order), change ("edited" | "payment" | "refund" | "cancelled")
order_changed = _signals.signal("order-changed")
