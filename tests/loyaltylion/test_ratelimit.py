"""Unit tests of the request pacer (storefront/loyaltylion/ratelimit.py).

LoyaltyLion allows 20 requests/second; the pacer spaces requests 1/rate apart so no
one-second window ever holds more than rate + 1. A fake clock makes time explicit:
`sleep` advances it instead of waiting.
"""

from __future__ import annotations

import random
import threading

import pytest

from storefront.loyaltylion.ratelimit import RatePacer


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "the pacer must not sleep for nothing"
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_pacer(rate: float, clock: FakeClock) -> RatePacer:
    return RatePacer(rate, clock=clock, sleep=clock.sleep)


def send_times(pacer: RatePacer, clock: FakeClock, count: int) -> list[float]:
    """The fake time at which each of `count` back-to-back requests may go out."""
    times = []
    for _ in range(count):
        pacer.acquire()
        times.append(clock())
    return times


def max_in_any_window(times: list[float], window: float = 1.0) -> int:
    """Most requests in any closed window [t, t + window] (windows starting at a send
    are the worst case)."""
    ordered = sorted(times)
    return max(sum(1 for t in ordered if start <= t <= start + window) for start in ordered)


def test_forty_back_to_back_acquires_never_exceed_21_per_second():
    clock = FakeClock()
    times = send_times(make_pacer(20, clock), clock, 40)
    assert max_in_any_window(times) <= 21
    # And it does pace: 40 requests at 20/s span 39 intervals of 0.05 s.
    assert times[-1] - times[0] == pytest.approx(39 * 0.05)


def test_requests_are_spaced_one_interval_apart():
    clock = FakeClock()
    times = send_times(make_pacer(20, clock), clock, 10)
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert gaps == pytest.approx([0.05] * 9)


def test_first_acquire_does_not_sleep():
    clock = FakeClock()
    make_pacer(20, clock).acquire()
    assert clock.sleeps == []
    assert clock() == 1000.0


def test_an_idle_pacer_does_not_make_callers_wait():
    clock = FakeClock()
    pacer = make_pacer(20, clock)
    send_times(pacer, clock, 5)
    clock.advance(10)
    sleeps_before = len(clock.sleeps)
    pacer.acquire()
    assert len(clock.sleeps) == sleeps_before


@pytest.mark.parametrize("seed", range(5))
def test_irregular_bursts_never_exceed_21_per_second(seed):
    # Idle gaps let the pacer catch up; the burst after one must still be spaced.
    rng = random.Random(seed)
    clock = FakeClock()
    pacer = make_pacer(20, clock)
    times = []
    for _ in range(200):
        if rng.random() < 0.2:
            clock.advance(rng.uniform(0, 1.5))
        pacer.acquire()
        times.append(clock())
    assert max_in_any_window(times) <= 21


@pytest.mark.parametrize("rate", [1, 5, 18, 20, 50])
def test_window_bound_is_rate_plus_one_for_other_rates(rate):
    clock = FakeClock()
    times = send_times(make_pacer(rate, clock), clock, rate * 3)
    assert max_in_any_window(times) <= rate + 1


def test_pause_delays_the_next_acquire_by_at_least_the_pause():
    clock = FakeClock()
    pacer = make_pacer(20, clock)
    send_times(pacer, clock, 3)
    paused_at = clock()
    pacer.pause(2)
    pacer.acquire()
    assert clock() - paused_at >= 2.0
    assert clock() == pytest.approx(paused_at + 2.0)


def test_pause_on_a_fresh_pacer_delays_the_first_acquire():
    clock = FakeClock()
    pacer = make_pacer(20, clock)
    pacer.pause(2)
    pacer.acquire()
    assert clock.sleeps == [pytest.approx(2.0)]


def test_requests_after_a_pause_are_paced_again():
    clock = FakeClock()
    pacer = make_pacer(20, clock)
    pacer.acquire()
    pacer.pause(2)
    start = clock()
    times = send_times(pacer, clock, 21)
    assert times[0] - start >= 2.0
    assert max_in_any_window(times) <= 21


def test_shorter_pause_does_not_shorten_an_existing_one():
    clock = FakeClock()
    pacer = make_pacer(20, clock)
    paused_at = clock()
    pacer.pause(5)
    pacer.pause(1)
    pacer.acquire()
    assert clock() - paused_at >= 5.0


@pytest.mark.parametrize("rate", [0, 0.0, -1, -20.5])
def test_non_positive_rate_is_rejected(rate):
    with pytest.raises(ValueError, match="positive"):
        RatePacer(rate)


def test_fractional_rate_sets_the_interval():
    clock = FakeClock()
    times = send_times(make_pacer(0.5, clock), clock, 3)
    assert [t - times[0] for t in times] == pytest.approx([0.0, 2.0, 4.0])


def test_concurrent_acquires_each_get_a_distinct_slot():
    """Smoke test with real threads and a frozen fake clock: every caller must be handed
    its own slot (k * interval), none skipped and none shared."""
    threads_count, per_thread, rate = 16, 25, 20
    frozen_now = 500.0
    waits: list[float] = []
    waits_lock = threading.Lock()

    def record_sleep(seconds: float) -> None:
        with waits_lock:
            waits.append(seconds)

    pacer = RatePacer(rate, clock=lambda: frozen_now, sleep=record_sleep)
    start = threading.Barrier(threads_count)

    def worker() -> None:
        start.wait()
        for _ in range(per_thread):
            pacer.acquire()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)

    total = threads_count * per_thread
    # The very first caller goes at once (no sleep); every other waits a distinct slot.
    assert len(waits) == total - 1
    expected = [k / rate for k in range(1, total)]
    assert sorted(waits) == pytest.approx(expected)
