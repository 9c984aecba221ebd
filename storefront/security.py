"""Small security helpers shared by the blueprints."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import abort, request
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


def refuse_nul_characters() -> None:
    """A before_request hook: a NUL in the path is a 400.

    No path of the shop has a use for one, and PostgreSQL refuses to even compare a text
    column with a string that holds one (a slug lookup fails: a 500). Query parameters
    and form fields are validated where they are read, each with its own message
    (the forms' validators, printable_text); JSON bodies drop such values where they
    become form data (storefront/forms.py)."""
    if "\x00" in request.path:
        abort(400, description="The address contains a NUL character, which nothing here accepts.")
