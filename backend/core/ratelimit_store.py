"""A rate-limit store shared by every gunicorn worker, with no extra server to run.

flask-limiter's `memory://` counts per process, so with N workers a client gets N times
the limit. This store keeps fixed-window counters in a small SQLite file of its own
(never the main database, so limiter writes do not queue behind domain writes).
URI: `sesv-sqlite:///absolute/path/ratelimit.db`. Use `redis://` when there is a Redis.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from urllib.parse import urlparse

from limits.storage import Storage


class SQLiteLimitStorage(Storage):
    STORAGE_SCHEME = ["sesv-sqlite"]  # noqa: RUF012 - limits reads this class attribute

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: str) -> None:
        self._path = urlparse(uri).path
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._db().execute(
            "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER, expires REAL)"
        )

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self._path, timeout=5, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")  # counters, not records
            self._local.connection = connection
        return connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now, connection = time.time(), self._db()
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("DELETE FROM counters WHERE key = ? AND expires <= ?", (key, now))
            connection.execute(
                "INSERT INTO counters (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry),
            )
            value = connection.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()[0]
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return int(value)

    def get(self, key: str) -> int:
        row = (
            self._db()
            .execute("SELECT value FROM counters WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._db().execute("SELECT expires FROM counters WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row and row[0] > time.time() else time.time()

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counters WHERE key = ?", (key,))

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM counters").rowcount

    def check(self) -> bool:
        return self._db().execute("SELECT 1").fetchone() == (1,)
