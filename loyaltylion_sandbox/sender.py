"""The background webhook sender: a daemon thread per sandbox app, while there is work.

A pass (`deliver`, given by the app: webhooks.deliver_pass) delivers the due webhooks
and says how long until the next one is due; the thread sleeps that long, or until
`wake()` says something was queued.
With nothing pending it ends, and the next `wake()` starts a new one, so an idle
sandbox (and every app a test suite creates) holds no thread at all.

`start_server()` starts it when it serves a sandbox app (to resume what an earlier
run left pending) and stops it on `shutdown()`; a queued webhook starts it
otherwise. With SANDBOX_WEBHOOK_SENDER = "manual" it never runs: webhooks leave
only through POST /_sandbox/webhooks/deliver, when a test says so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask

# Check again at least this often while something is pending (wake() is the fast path).
MAX_SLEEP_SECONDS = 60.0


class WebhookSender:
    def __init__(self, app: Flask, *, enabled: bool, deliver: Callable[[], float | None]) -> None:
        """`deliver()` runs in an app context: it sends what is due and returns the
        seconds until the next pending delivery is due, or None when none is."""
        self.app = app
        self.enabled = enabled
        self._deliver = deliver
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> None:
        """Start the thread unless it runs (a no-op in "manual" mode)."""
        if not self.enabled:
            return
        with self._guard:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="loyaltylion-sandbox-webhooks", daemon=True
            )
            self._thread.start()

    def wake(self) -> None:
        """Something was queued (and committed): deliver it now."""
        self._wake.set()  # before start(): a thread about to retire sees it and stays
        self.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current attempt (at most one webhook timeout away)."""
        with self._guard:
            thread, self._thread = self._thread, None
            self._stop.set()
            self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            with self.app.app_context():
                try:
                    wait = self._deliver()
                except Exception:
                    # Pending deliveries resume with the next wake(), start_server() or
                    # POST /_sandbox/webhooks/deliver.
                    self.app.logger.exception("LoyaltyLion sandbox: webhook sender stopped")
                    wait = None
            if wait is None:
                if self._retire():
                    return
                continue
            self._wake.wait(min(wait, MAX_SLEEP_SECONDS))

    def _retire(self) -> bool:
        """Nothing pending: end this thread, unless a wake-up came in meanwhile."""
        with self._guard:
            if self._wake.is_set() and not self._stop.is_set():
                return False
            if self._thread is threading.current_thread():
                self._thread = None
            return True
