"""Keep the request rate under LoyaltyLion's limit (20 requests/second per program,
https://developers.loyaltylion.com/api-reference/introduction).

A pacer rather than a bursty token bucket: requests are spaced 1/rate apart, so no
one-second window ever holds more than `rate` + 1 of them, and a 429's Retry-After
pauses every sender.

* `RatePacer` keeps the next free slot in memory: one process's threads share it.
* `SharedRatePacer` keeps it in a database row (models.RateBudget): every worker
  process, on any number of machines using the database, draws from one budget, so
  together they stay under the limit, and a 429 seen by one pauses all of them. One
  short UPDATE ... RETURNING per request; PostgreSQL serialises it on the row lock,
  SQLite on its database write lock, so both work with no other moving part. The
  slots are Unix times: machines sharing a budget need their clocks in sync (NTP).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import case, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .models import RateBudget


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
        now = self._clock()
        wait = self._reserve(now) - now
        if wait > 0:
            self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """The server said slow down: nobody sends for `seconds`."""
        self._hold_until(self._clock() + seconds)

    def seconds_until_free(self) -> float:
        """How long a caller would wait now (0 when a request may go at once)."""
        return max(self._peek() - self._clock(), 0.0)

    # Where the next free slot is kept: here, in memory.

    def _peek(self) -> float:
        with self._lock:
            return self._next_slot

    def _reserve(self, now: float) -> float:
        """Take the next free slot (no earlier than `now`) and return it."""
        with self._lock:
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        return slot

    def _hold_until(self, until: float) -> None:
        with self._lock:
            self._next_slot = max(self._next_slot, until)


class SharedRatePacer(RatePacer):
    """A RatePacer whose next free slot is the `loyaltylion_rate_budget` row `name`."""

    def __init__(
        self,
        engine: Engine,
        rate_per_second: float,
        *,
        name: str = "api",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        super().__init__(rate_per_second, clock=clock, sleep=sleep)
        self.engine = engine
        self.name = name

    def _peek(self) -> float:
        with self.engine.connect() as connection:
            slot = connection.execute(
                select(RateBudget.next_slot).where(RateBudget.name == self.name)
            ).scalar_one_or_none()
        return slot or 0.0

    def _reserve(self, now: float) -> float:
        following = case((RateBudget.next_slot > now, RateBudget.next_slot), else_=now)
        return self._move(following + self.interval, now + self.interval) - self.interval

    def _hold_until(self, until: float) -> None:
        later = case((RateBudget.next_slot > until, RateBudget.next_slot), else_=until)
        self._move(later, until)

    def _move(self, new_value, first_value: float) -> float:
        """Set the row's next_slot to `new_value` (an expression of the old one) in one
        statement and return it; a budget with no row yet starts at `first_value`."""
        for _ in range(2):
            with self.engine.begin() as connection:
                moved = connection.execute(
                    update(RateBudget)
                    .where(RateBudget.name == self.name)
                    .values(next_slot=new_value)
                    .returning(RateBudget.next_slot)
                ).scalar_one_or_none()
                if moved is not None:
                    return moved
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        insert(RateBudget).values(name=self.name, next_slot=first_value)
                    )
                return first_value
            except IntegrityError:
                continue  # another worker made the row first: take a slot from it
        raise RuntimeError(f"rate budget {self.name!r}: could not create or update its row")
