"""Email masking for what the store admin sees of payloads (delivery log, webhooks):
enough to recognise a customer, not enough to harvest addresses."""

from __future__ import annotations

import json
import re

# An address ends at whitespace or JSON punctuation, so one inside a JSON string is found.
# A word is a run of anything else; finding words is one linear pass, with no
# backtracking (an address pattern over the whole text takes quadratic time on a long
# run without an "@", which a webhook body can be made to contain).
_WORD = re.compile(r"[^\s\"'<>,;:{}\[\]()]+")


def _mask_word(word: str) -> str:
    """In one word, each "local@domain" (both non-empty, no "@" inside) becomes
    "l***@domain", left to right, as a regular expression would match them."""
    if "@" not in word:
        return word
    parts = word.split("@")
    masked: list[str] = []
    i = 0
    while i < len(parts):
        if i + 1 < len(parts) and parts[i] and parts[i + 1]:
            masked.append(f"{parts[i][0]}***@{parts[i + 1]}")
            i += 2
        else:
            masked.append(parts[i])
            i += 1
    return "@".join(masked)


def mask_emails(text: str) -> str:
    """alice.blue@example.com -> a***@example.com. Linear in the length of the text."""
    return _WORD.sub(lambda match: _mask_word(match[0]), text)


def masked_json(raw: str) -> str:
    """A stored JSON body, pretty-printed, every email address masked."""
    try:
        text = json.dumps(json.loads(raw), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        text = raw
    return mask_emails(text)
