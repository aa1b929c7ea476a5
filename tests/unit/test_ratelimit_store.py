"""The shared rate-limit store: two workers (two store instances) see one count."""

from __future__ import annotations

import time

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter


def test_two_workers_share_one_limit(tmp_path):
    uri = f"sesv-sqlite://{tmp_path / 'ratelimit.db'}"
    worker_a, worker_b = (FixedWindowRateLimiter(storage_from_string(uri)) for _ in range(2))
    limit = RateLimitItemPerMinute(3)
    hits = [worker.hit(limit, "ip", "1.2.3.4") for worker in (worker_a, worker_b, worker_a, worker_b)]
    assert hits == [True, True, True, False]


def test_counter_expires_after_its_window(tmp_path):
    storage = storage_from_string(f"sesv-sqlite://{tmp_path / 'ratelimit.db'}")
    assert storage.incr("k", expiry=0.05) == 1
    assert storage.incr("k", expiry=0.05) == 2
    time.sleep(0.06)
    assert storage.get("k") == 0
    assert storage.incr("k", expiry=60) == 1
    assert storage.get_expiry("k") > time.time() + 50


def test_clear_and_reset_empty_the_store(tmp_path):
    storage = storage_from_string(f"sesv-sqlite://{tmp_path / 'ratelimit.db'}")
    storage.incr("a", expiry=60)
    storage.incr("b", expiry=60)
    storage.clear("a")
    assert storage.get("a") == 0 and storage.get("b") == 1
    assert storage.reset() == 1
    assert storage.check()
