"""Small security helpers shared by the blueprints."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Request


def safe_next_url(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site, else None.

    Rejects absolute URLs, scheme-relative `//evil.example`, backslash tricks that
    browsers normalise to `//`, and control characters (microblog's rule, hardened).
    """
    if not target:
        return None
    if any(ord(ch) < 32 for ch in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    return target


@dataclass(frozen=True)
class RequestContext:
    """What the shop knows about the shopper's request, captured for integrations.

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
            user_agent=user_agent[:400] if user_agent else None,
        )
