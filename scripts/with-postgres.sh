#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on a loopback port.
# Usage: scripts/with-postgres.sh <command...>   (DATABASE_URL is exported for it)
set -euo pipefail

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "PostgreSQL server binaries not found: install Debian's postgresql package" >&2
  echo "(make test does this automatically when run as root)." >&2
  exit 1
fi

PORT=${PG_TEST_PORT:-54329}
DIR=$(mktemp -d /tmp/sesv-pg.XXXXXX)
RUN_AS=()
if [ "$(id -u)" = "0" ]; then
  # PostgreSQL refuses to run as root: use the postgres system user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$DIR"
  RUN_AS=(runuser -u postgres --)
fi

cleanup() {
  "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$DIR/data" -U sesv --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
"${RUN_AS[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U sesv sesv_test

export DATABASE_URL="postgresql+psycopg://sesv@127.0.0.1:$PORT/sesv_test"
export TEST_DATABASE_URL="$DATABASE_URL"
"$@"
