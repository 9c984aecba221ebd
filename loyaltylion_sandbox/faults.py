"""Fault injection: make the next N Admin API (or Headless API) answers fail on purpose.

Set through POST /_sandbox/faults. Kept in memory (the sandbox is one process), so
a restart or POST /_sandbox/reset clears it. `scope` says which API it hits: "admin"
(/v2/, the default, as before), "headless" (/headless/) or "all" (both, counted
together).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from loyaltylion_sandbox.errors import SandboxError

MODES = ("5xx", "429", "slow", "drop")
SCOPES = ("admin", "headless", "all")


@dataclass
class Fault:
    mode: str
    remaining: int
    delay: float = 1.0  # seconds, for "slow"
    retry_after: int = 1  # seconds, for "429"
    status: int = 503  # for "5xx"
    scope: str = "admin"  # which API: "admin", "headless" or "all"


def parse_fault(body: Any) -> Fault:
    """Validate a POST /_sandbox/faults body; raises SandboxError(400) naming the field."""
    if not isinstance(body, dict):
        raise SandboxError(400, "Body must be a JSON object", {"body": ["must be an object"]})
    errors: dict[str, list[str]] = {}
    mode = body.get("mode")
    if mode not in MODES:
        errors["mode"] = [f"must be one of {', '.join(MODES)}"]
    count = body.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        errors["count"] = ["must be an integer >= 0 (0 clears the fault)"]
    delay = body.get("delay", 1.0)
    if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= 120:
        errors["delay"] = ["must be a number of seconds between 0 and 120"]
    retry_after = body.get("retry_after", 1)
    if not isinstance(retry_after, int) or isinstance(retry_after, bool) or retry_after < 0:
        errors["retry_after"] = ["must be an integer number of seconds >= 0"]
    status = body.get("status", 503)
    if not isinstance(status, int) or isinstance(status, bool) or not 500 <= status <= 599:
        errors["status"] = ["must be an HTTP status between 500 and 599"]
    scope = body.get("scope", "admin")
    if scope not in SCOPES:
        errors["scope"] = [f"must be one of {', '.join(SCOPES)}"]
    if errors:
        raise SandboxError(400, "Invalid fault: " + ", ".join(errors), errors)
    return Fault(mode, count, float(delay), retry_after, status, scope)


class FaultInjector:
    def __init__(self) -> None:
        self._fault: Fault | None = None
        self._lock = threading.Lock()

    def set(self, fault: Fault) -> None:
        with self._lock:
            self._fault = fault if fault.remaining > 0 else None

    def take(self, api: str = "admin") -> Fault | None:
        """The fault for this request to `api` ("admin" or "headless"), if any, counting
        it down. A fault scoped to the other API leaves this request alone."""
        with self._lock:
            fault = self._fault
            if fault is None or fault.scope not in (api, "all"):
                return None
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._fault = None
            return Fault(**{**asdict(fault), "remaining": fault.remaining})

    def snapshot(self) -> dict[str, Any] | None:
        with self._lock:
            return asdict(self._fault) if self._fault else None

    def clear(self) -> None:
        self.set(Fault("5xx", 0))
