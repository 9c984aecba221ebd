"""How a change to the program commits: under the write lock, all or nothing.

    with writing():
        ...                      # changes through db.session
    # committed; webhooks it queued are on their way

`mutating` does the same for a whole view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from loyaltylion_sandbox import webhooks
from loyaltylion_sandbox.db import db
from loyaltylion_sandbox.runtime import runtime


@contextmanager
def writing() -> Iterator[None]:
    """Run the block under the program's write lock; commit what it did, or roll it
    all back. Webhooks it queued are handed to the background sender once committed."""
    with runtime().write_lock:
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    webhooks.after_commit()


def mutating(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view whose changes commit as one (see `writing`)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with writing():
            return view(*args, **kwargs)

    return wrapper
