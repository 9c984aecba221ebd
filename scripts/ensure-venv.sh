#!/usr/bin/env bash
# Create the project's virtualenv. On a fresh Debian machine `python3 -m venv` needs the
# python3-venv package: install it when we are root, otherwise say what to run.
set -euo pipefail
python="${1:-python3}"
venv="${2:-.venv}"

if ! command -v "$python" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Python 3 (apt-get)..."
    apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
    python=python3
  else
    echo "Python 3.11+ is required: install python3 and python3-venv, then run make again." >&2
    exit 1
  fi
fi

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Python 3.11 or newer is required ($("$python" --version 2>&1) found)." >&2
  exit 1
fi

if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
  rm -rf "$venv"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    minor=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    echo "Installing python${minor}-venv (apt-get)..."
    apt-get update -qq
    apt-get install -y -qq "python${minor}-venv" >/dev/null 2>&1 || apt-get install -y -qq python3-venv >/dev/null
    "$python" -m venv "$venv"
  else
    echo "Could not create a virtualenv: install the python3-venv package (sudo apt-get install python3-venv)." >&2
    exit 1
  fi
fi
echo "Created $venv"
