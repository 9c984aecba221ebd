"""Per-app, in-process state that does not belong in the database."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import Flask, current_app

from storefront.sandbox.faults import FaultInjector
from storefront.sandbox.ratelimit import SlidingWindowLimiter

EXTENSION_KEY = "loyaltylion_sandbox"


@dataclass
class Runtime:
    limiter: SlidingWindowLimiter
    faults: FaultInjector = field(default_factory=FaultInjector)
    # Serialises every write to the program. SQLite allows one writer anyway, and a
    # single lock makes read-check-write sequences (enough points? code left?) safe
    # under the threaded server without database-specific locking.
    write_lock: threading.RLock = field(default_factory=threading.RLock)


def install(app: Flask) -> Runtime:
    state = Runtime(limiter=SlidingWindowLimiter(int(app.config["SANDBOX_RATE_LIMIT"])))
    app.extensions[EXTENSION_KEY] = state
    return state


def runtime() -> Runtime:
    return current_app.extensions[EXTENSION_KEY]
