"""Small security helpers shared by the blueprints."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Request
from wtforms.validators import ValidationError

# Explicit bidi embeddings, overrides and isolates: invisible characters that reorder
# the text around them ("Trojan Source"). Marks (U+200E/U+200F) stay allowed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


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


def strip_whitespace(value: str | None) -> str | None:
    """A WTForms filter: "  Ada " -> "Ada", so a blank answer counts as no answer."""
    return value.strip() if isinstance(value, str) else value


def printable_text(form, field) -> None:
    """A WTForms validator for one-line free text (names, addresses).

    Any language, any emoji is fine; control characters (NUL included, which
    PostgreSQL refuses to store) and invisible bidi overrides are not.
    """
    value = field.data or ""
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in value):
        raise ValidationError("Remove the invisible control characters from this field.")


def printable_multiline_text(form, field) -> None:
    """Like printable_text, for text areas: line breaks and tabs are welcome."""
    value = field.data or ""
    if any(
        (unicodedata.category(ch) == "Cc" and ch not in "\n\r\t") or ch in _BIDI_CONTROLS
        for ch in value
    ):
        raise ValidationError("Remove the invisible control characters from this field.")


@dataclass(frozen=True)
class RequestContext:
    """What the shop knows about the shopper's request, captured for integrations.

    ip_address comes from `request.remote_addr`, which create_app's ProxyFix makes the
    real client address only when TRUSTED_PROXY_COUNT says how many proxies to trust.
    """

    ip_address: str | None
    user_agent: str | None
    # LoyaltyLion referral (?ll_ref_id) and email tracking (?ll_eid) ids, if any.
    referral_id: str | None = None
    tracking_id: str | None = None

    @classmethod
    def from_request(cls, request: Request) -> RequestContext:
        from storefront.referrals import current_referral

        user_agent = request.headers.get("User-Agent") or None
        referral = current_referral()
        return cls(
            ip_address=request.remote_addr,
            user_agent=user_agent[:400] if user_agent else None,
            referral_id=referral.referral_id,
            tracking_id=referral.current_tracking_id(),
        )
