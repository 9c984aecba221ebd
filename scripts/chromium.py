"""The browser every Playwright run here uses: Debian's Chromium (never `playwright
install`), with one set of flags. Shared by the browser tests and the screenshots."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# --no-sandbox: the suite runs as root in CI; the rest keeps a headless run quiet and
# offline (no updates, sync or background fetches).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING = (
    "No Chromium at {path}.\n"
    "  `make test` installs it (scripts/ensure-chromium.sh);\n"
    "  on Debian/Ubuntu: sudo apt-get install chromium;\n"
    "  elsewhere: set CHROMIUM_PATH to a Chromium or Chrome binary.\n"
    "Do not run `playwright install`: everything here uses the system browser."
)


def chromium_path() -> str:
    """CHROMIUM_PATH, else Debian's; ask `find_problem()` first whether it is there."""
    return os.environ.get("CHROMIUM_PATH", "").strip() or DEFAULT_CHROMIUM


def find_problem() -> str | None:
    """Why no browser can be started, or None when chromium_path() is runnable."""
    path = chromium_path()
    if Path(path).is_file() and os.access(path, os.X_OK):
        return None
    return MISSING.format(path=path)
