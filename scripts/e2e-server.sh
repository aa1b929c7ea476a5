#!/usr/bin/env bash
# A fresh demo server for the browser tests: new SQLite database, demo city, port E2E_PORT (8765).
set -euo pipefail
cd "$(dirname "$0")/.."
export SESV_INSTANCE_DIR=${E2E_INSTANCE_DIR:-$(mktemp -d /tmp/sesv-e2e.XXXXXX)}
PORT=${E2E_PORT:-8765}
export PUBLIC_BASE_URL=${E2E_BASE_URL:-http://127.0.0.1:$PORT}
export RATELIMIT_ENABLED=0
# a known JWT key so the fault-injection specs can mint genuinely expired tokens (test server only)
export JWT_SECRET_KEY=${E2E_JWT_SECRET:-sesv-e2e-only-jwt-secret-0123456789abcdef}
unset DATABASE_URL
# marks the instance as a test server's (scripts/e2e-age-notice.py refuses any other) and tells the specs where it is
touch "$SESV_INSTANCE_DIR/.e2e"
echo "$SESV_INSTANCE_DIR" > "${TMPDIR:-/tmp}/sesv-e2e-$PORT.instance"
.venv/bin/flask --app app db upgrade >/dev/null
.venv/bin/flask --app app demo load >/dev/null
.venv/bin/flask --app app jobs run-due >/dev/null  # what `make run`'s schedule does in its first minute
exec .venv/bin/gunicorn --bind 127.0.0.1:$PORT --workers 1 --threads 8 --access-logfile - app:app
