"""Per-app, in-process state that does not belong in the database."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app

from loyaltylion_sandbox.faults import FaultInjector
from loyaltylion_sandbox.ratelimit import SlidingWindowLimiter

EXTENSION_KEY = "loyaltylion_sandbox"


class Sender(Protocol):
    """What the rest of the sandbox needs of the webhook sender (sender.py)."""

    enabled: bool

    @property
    def running(self) -> bool: ...

    def start(self) -> None: ...

    def wake(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...


@dataclass
class Runtime:
    limiter: SlidingWindowLimiter
    sender: Sender
    faults: FaultInjector = field(default_factory=FaultInjector)
    # Serialises every write to the program. SQLite allows one writer anyway, and a
    # single lock makes read-check-write sequences (enough points? code left?) safe
    # under the threaded server without database-specific locking.
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    # One webhook delivery pass at a time (background sender or control route), so
    # a delivery is never attempted twice at once. Held while waiting on the store,
    # which is why it is not the write lock.
    delivery_lock: threading.Lock = field(default_factory=threading.Lock)


def runtime() -> Runtime:
    return current_app.extensions[EXTENSION_KEY]
