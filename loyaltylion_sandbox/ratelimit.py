"""Per-key sliding-window rate limit (LoyaltyLion documents 20 requests/second)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """At most `limit` accepted requests per key in any `window`-second span.

    Only accepted requests count, so a client that backs off for Retry-After
    seconds always gets through again. `limit` <= 0 disables the limit.
    """

    def __init__(
        self, limit: int, window: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Record a request for `key`; None if allowed, else whole seconds to wait."""
        if self.limit <= 0:
            return None
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                wait = hits[0] + self.window - now
                # Retry-After is an integer; never tell a client "0".
                return max(1, math.ceil(wait))
            hits.append(now)
            return None

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
