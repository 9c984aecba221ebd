"""Where views, commands and worker threads find the app's LoyaltyLion extension.

Its own module so that they need not import the extension's module (which imports
them): the package's imports run one way.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

KEY = "loyaltylion"


def get_extension(app: Flask | None = None) -> Any:
    """The `LoyaltyLion` instance `init_app` registered on this app."""
    return (app or current_app).extensions[KEY]
