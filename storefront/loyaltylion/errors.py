"""Typed errors: the outbox retries RetryableError and gives up on PermanentError."""

from __future__ import annotations


class LoyaltyLionError(Exception):
    """Base class for everything the client raises."""


class ConfigurationError(LoyaltyLionError):
    """No usable credentials: set LOYALTYLION_API_KEY (or the legacy token + secret)."""


class RetryableError(LoyaltyLionError):
    """Timeout, connection failure, 408, 429 or 5xx: the same request may succeed later."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        ambiguous: bool = False,
    ):
        super().__init__(message)
        self.status = status
        # Seconds the server asked us to wait (429/503 Retry-After), if it said.
        self.retry_after = retry_after
        # The request may have been carried out: it went out and no clear answer came
        # back (a read timeout, a dropped connection, a 5xx). A refused connection or a
        # 429 is not ambiguous: nothing was done.
        self.ambiguous = ambiguous


class PermanentError(LoyaltyLionError):
    """400/401/403/404/422...: sending the same request again will fail the same way."""

    def __init__(self, message: str, *, status: int, details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        # The error envelope's field-level details, e.g. {"customer_email": ["is required"]}.
        self.details = details or {}

    @property
    def not_found(self) -> bool:
        return self.status == 404

    def __str__(self) -> str:
        text = f"{self.status}: {self.message}"
        if self.details:
            text += f" {self.details}"
        return text
