"""Per-app, in-process state that does not belong in the database."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

from storefront.sandbox.faults import FaultInjector
from storefront.sandbox.ratelimit import SlidingWindowLimiter

if TYPE_CHECKING:
    from storefront.sandbox.sender import WebhookSender

EXTENSION_KEY = "loyaltylion_sandbox"


@dataclass
class Runtime:
    limiter: SlidingWindowLimiter
    sender: WebhookSender
    faults: FaultInjector = field(default_factory=FaultInjector)
    # Serialises every write to the program. SQLite allows one writer anyway, and a
    # single lock makes read-check-write sequences (enough points? code left?) safe
    # under the threaded server without database-specific locking.
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    # One webhook delivery pass at a time (background sender or control route), so
    # a delivery is never attempted twice at once. Held while waiting on the store,
    # which is why it is not the write lock.
    delivery_lock: threading.Lock = field(default_factory=threading.Lock)


def install(app: Flask) -> Runtime:
    from storefront.sandbox.sender import WebhookSender  # sender -> webhooks -> runtime

    state = Runtime(
        limiter=SlidingWindowLimiter(int(app.config["SANDBOX_RATE_LIMIT"])),
        sender=WebhookSender(app, enabled=app.config["SANDBOX_WEBHOOK_SENDER"] == "thread"),
    )
    app.extensions[EXTENSION_KEY] = state
    return state


def runtime() -> Runtime:
    return current_app.extensions[EXTENSION_KEY]
