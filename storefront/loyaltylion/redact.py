"""Email masking for what the store admin sees of payloads (delivery log, webhooks):
enough to recognise a customer, not enough to harvest addresses."""

from __future__ import annotations

import json
import re

# An address ends at whitespace or JSON punctuation, so one inside a JSON string is found.
_STOP = r"\s@\"'<>,;:{}\[\]()"
_EMAIL = re.compile(rf"([^{_STOP}])[^{_STOP}]*@([^{_STOP}]+)")


def mask_emails(text: str) -> str:
    """alice.blue@example.com -> a***@example.com."""
    return _EMAIL.sub(lambda match: f"{match[1]}***@{match[2]}", text)


def masked_json(raw: str) -> str:
    """A stored JSON body, pretty-printed, every email address masked."""
    try:
        text = json.dumps(json.loads(raw), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        text = raw
    return mask_emails(text)
