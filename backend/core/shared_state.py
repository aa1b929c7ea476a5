"""State several app servers share when `REDIS_URL` is set: one Redis client per app and a lock
that one holder at a time may take across all servers (job leases). Rate limits reach the same
Redis through flask-limiter's own `redis://` storage (config.py)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from redis import Redis

EXTENSION = "sesv_redis"

# compare-and-delete in one step: a holder whose lock expired and was taken by another
# runner must not delete the new holder's lock
_RELEASE_IF_HELD = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


def init_shared_state(app: Flask) -> None:
    """A client for `REDIS_URL` (connects on first use); none when it is empty."""
    url = app.config.get("REDIS_URL", "")
    app.extensions[EXTENSION] = _connect(url) if url else None


def _connect(url: str) -> Redis:
    return Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, decode_responses=True)


def redis_client(app: Flask) -> Redis | None:
    return app.extensions.get(EXTENSION)


class RedisLock:
    """`SET key token NX PX ttl`: taken by one holder, freed when its holder releases it or
    after `ttl` if the holder died; only the holder (same token) can release it."""

    def __init__(self, client: Redis, key: str, ttl: timedelta) -> None:
        self._client, self.key, self._ttl_ms = client, key, int(ttl.total_seconds() * 1000)

    def acquire(self, token: str) -> bool:
        return bool(self._client.set(self.key, token, nx=True, px=self._ttl_ms))

    def release(self, token: str) -> bool:
        return self._client.eval(_RELEASE_IF_HELD, 1, self.key, token) == 1

    def holder(self) -> str | None:
        return self._client.get(self.key)  # type: ignore[return-value]
