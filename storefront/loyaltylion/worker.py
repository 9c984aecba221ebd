"""Background delivery: threads that drain the outbox until told to stop.

LOYALTYLION_WORKER_IN_PROCESS starts one inside the web process (handy in development);
production runs `flask loyaltylion worker` as its own process (or several, on several
machines: claims are atomic, and every worker paces through one shared rate budget).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)


def stop_seconds(config: Any) -> float:
    """How long a worker may take to stop: the delivery in hand can take a whole
    connect and read timeout (plus a little to record its outcome)."""
    return (
        float(config["LOYALTYLION_TIMEOUT_CONNECT"]) + float(config["LOYALTYLION_TIMEOUT_READ"]) + 2
    )


class Worker:
    def __init__(
        self,
        app: Flask,
        extension: Any,
        *,
        threads: int = 2,
        poll_interval: float = 1.0,
        batch_size: int = 20,
    ):
        self.app = app
        self.extension = extension  # the LoyaltyLion extension: its deliverer and session
        self.threads = threads
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Worker:
        for number in range(self.threads):
            thread = threading.Thread(
                target=self._run, name=f"loyaltylion-worker-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        log.info("LoyaltyLion worker started (%d threads)", self.threads)
        return self

    def wake(self) -> None:
        """New events were committed: look now instead of at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def _run(self) -> None:
        extension = self.extension
        with self.app.app_context():
            deliverer = extension.make_deliverer()
            while not self._stop.is_set():
                try:
                    stats = deliverer.run_once(self.batch_size, should_stop=self._stop.is_set)
                except Exception:  # the database went away, say: log, back off, go on
                    log.exception("LoyaltyLion worker: delivery round failed")
                    extension.session.rollback()
                    stats = None
                if stats is None or stats.handled == 0:
                    self._wake.wait(self.poll_interval)
                    self._wake.clear()
            # A scoped session (Flask-SQLAlchemy's, say) hands this thread's connection back.
            if hasattr(extension.session, "remove"):
                extension.session.remove()
