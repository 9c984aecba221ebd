#!/usr/bin/env bash
# The browser tests drive a system Chromium through Playwright (never `playwright install`).
# Use CHROMIUM_PATH if set, else Debian's /usr/bin/chromium, installing it when we are root.
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$path" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
cat >&2 <<MSG
The browser tests need Chromium at $path and none was found.
  Debian/Ubuntu: sudo apt-get install chromium
  Elsewhere:     set CHROMIUM_PATH to a Chromium or Chrome binary, e.g.
                 CHROMIUM_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" make test
MSG
exit 1
