"""What the shop knows about the shopper's request, captured for integrations."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request

USER_AGENT_MAX = 400  # the orders.user_agent column


@dataclass(frozen=True)
class RequestContext:
    """The shopper's address and browser when they signed up, ordered or reviewed.

    ip_address comes from `request.remote_addr`, which create_app's ProxyFix makes the
    real client address only when TRUSTED_PROXY_COUNT says how many proxies to trust.
    """

    ip_address: str | None
    user_agent: str | None

    @classmethod
    def from_request(cls, request: Request) -> RequestContext:
        user_agent = request.headers.get("User-Agent") or None
        return cls(
            ip_address=request.remote_addr,
            user_agent=user_agent[:USER_AGENT_MAX] if user_agent else None,
        )
