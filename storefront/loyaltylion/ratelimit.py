"""Keep the request rate under LoyaltyLion's limit (20 requests/second per program).

A pacer rather than a bursty token bucket: requests are spaced 1/rate apart, so no
one-second window ever holds more than `rate` + 1 of them, and a 429's Retry-After
pauses every thread of this process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RatePacer:
    def __init__(
        self,
        rate_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rate_per_second <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate_per_second
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def acquire(self) -> None:
        """Block until this caller may send one request."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """The server said slow down: nobody sends for `seconds`."""
        with self._lock:
            self._next_slot = max(self._next_slot, self._clock() + seconds)
