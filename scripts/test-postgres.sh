#!/usr/bin/env bash
# Run the shop's test suite against PostgreSQL instead of SQLite, to prove the code
# uses no SQLite-only SQL (voucher redemption, outbox claims, row locks included).
# Uses TEST_DATABASE_URL if set; otherwise, as root on Debian, installs and starts the
# local PostgreSQL cluster and a throwaway `storefront_test` database on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VENV:-.venv}"

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Set TEST_DATABASE_URL=postgresql+psycopg://user:password@host/dbname (an empty database)." >&2
    exit 1
  fi
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    echo "Installing PostgreSQL (apt-get install postgresql)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
  pg_ctlcluster "$version" main start 2>/dev/null || true
  su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='storefront'\"" | grep -q 1 \
    || su postgres -c "psql -q -c \"CREATE ROLE storefront LOGIN PASSWORD 'storefront'\""
  su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='storefront_test'\"" | grep -q 1 \
    || su postgres -c "createdb -O storefront storefront_test"
  export TEST_DATABASE_URL="postgresql+psycopg://storefront:storefront@127.0.0.1:5432/storefront_test"
fi

"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "psycopg[binary]==3.3.9"
# The sandbox and the browser suite keep their own SQLite files; the rest runs on PostgreSQL.
"$venv/bin/python" -m pytest tests --ignore=tests/sandbox --ignore=tests/browser "$@"
