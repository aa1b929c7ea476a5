"""Two app servers sharing one Redis (`REDIS_URL`): rate limits counted once across both, each due
job run by one server, a dead server's lease expiring, a lease released only by its holder.
A real redis-server on loopback (tests/conftest.py `redis_server`); without REDIS_URL nothing
changes (the SQLite limit file and the database's lease rows)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from redis import Redis
from sqlalchemy import func, select

from backend import create_app
from backend.core.shared_state import RedisLock
from backend.extensions import db, limiter
from backend.jobs.definitions import Job
from backend.jobs.leases import DatabaseLeases, RedisLeases, current_leases
from backend.jobs.models import JobRun
from backend.jobs.runner import run_due
from tests.conftest import app_config, free_port

ROOT = Path(__file__).resolve().parents[2]
DAILY = CronTrigger(hour=2, minute=0)  # first seen: due at once; then not again today


@pytest.fixture
def two_servers(tmp_path, redis_url) -> Iterator[tuple[Flask, Flask]]:
    """Two apps on one database and one Redis, as two machines behind a load balancer."""
    config = app_config(tmp_path) | {"REDIS_URL": redis_url}
    first, second = create_app(config), create_app(config)
    with first.app_context():
        db.drop_all()
        db.create_all()
    yield first, second
    for app in (second, first):
        with app.app_context():
            db.session.remove()
            if app is first:
                db.drop_all()
            db.engine.dispose()


def _waiting_job(runs: list[str], started: threading.Event, go_on: threading.Event) -> Job:
    def work(_as_of) -> dict:
        runs.append(threading.current_thread().name)
        started.set()
        go_on.wait(timeout=20)
        return {"done": 1}

    return Job("counting", "计数", DAILY, work)


def _run_due_on(app: Flask, job: Job) -> list:
    with app.app_context():
        try:
            return run_due([job])
        finally:
            db.session.remove()


def _runs(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(JobRun))


# --- the lock -----------------------------------------------------------------------------------


def test_a_lock_held_by_one_holder_blocks_another_until_it_expires(redis_url):
    server_a, server_b = (Redis.from_url(redis_url, decode_responses=True) for _ in range(2))
    first = RedisLock(server_a, "sesv:test-lock", timedelta(milliseconds=300))
    second = RedisLock(server_b, "sesv:test-lock", timedelta(milliseconds=300))
    assert first.acquire("server-a")
    assert not second.acquire("server-b")
    time.sleep(0.4)  # server-a died without releasing
    assert second.acquire("server-b")
    assert second.holder() == "server-b"


def test_only_the_holder_releases_a_lock(redis_url):
    lock = RedisLock(Redis.from_url(redis_url, decode_responses=True), "sesv:test-lock", timedelta(minutes=1))
    assert lock.acquire("server-a")
    assert not lock.release("server-b")
    assert lock.holder() == "server-a"
    assert lock.release("server-a")
    assert lock.holder() is None


# --- job leases across two servers -------------------------------------------------------------


def test_with_redis_url_job_leases_are_redis_locks(two_servers, redis_url):
    first, _ = two_servers
    with first.app_context():
        assert isinstance(current_leases(), RedisLeases)
    assert first.config["RATELIMIT_STORAGE_URI"] == redis_url


def test_without_redis_url_leases_and_limits_stay_on_this_machine(app):
    assert isinstance(current_leases(), DatabaseLeases)
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("sesv-sqlite://")


def test_a_job_running_on_one_server_is_not_run_by_the_other(two_servers, redis_url):
    first, second = two_servers
    runs: list[str] = []
    started, go_on = threading.Event(), threading.Event()
    job = _waiting_job(runs, started, go_on)
    results: list = []
    running = threading.Thread(target=lambda: results.extend(_run_due_on(first, job)), name="server-a")
    running.start()
    try:
        assert started.wait(timeout=20)
        holder = Redis.from_url(redis_url, decode_responses=True).get("sesv:job-lease:counting")
        assert holder  # server-a's token
        assert _run_due_on(second, job) == []  # held on server-a
    finally:
        go_on.set()
        running.join(timeout=30)
    assert [r.outcome for r in results] == ["ok"]
    assert Redis.from_url(redis_url).get("sesv:job-lease:counting") is None  # released when done
    assert _run_due_on(second, job) == []  # done: due again tomorrow, not now
    assert runs == ["server-a"]
    assert _runs(first) == 1


def test_two_servers_racing_for_a_due_job_run_it_once(two_servers):
    first, second = two_servers
    runs: list[str] = []
    start = threading.Barrier(2)

    def work(_as_of) -> dict:
        runs.append(threading.current_thread().name)
        time.sleep(0.3)
        return {"done": 1}

    job = Job("counting", "计数", DAILY, work)

    def race(app: Flask) -> None:
        start.wait()
        _run_due_on(app, job)

    threads = [threading.Thread(target=race, args=(app,), name=n) for app, n in ((first, "a"), (second, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(runs) == 1
    assert _runs(first) == 1


def test_a_dead_servers_lease_expires_and_the_other_server_takes_the_job(two_servers, redis_url):
    _, second = two_servers
    runs: list[str] = []
    started, go_on = threading.Event(), threading.Event()
    go_on.set()
    job = _waiting_job(runs, started, go_on)
    # server-a took the job and was killed: its lock lives on until it expires
    Redis.from_url(redis_url).set("sesv:job-lease:counting", "server-a:dead", px=300)
    assert _run_due_on(second, job) == []
    time.sleep(0.4)
    [result] = _run_due_on(second, job)
    assert result.outcome == "ok" and len(runs) == 1


def test_a_runner_cannot_release_a_job_lease_it_does_not_hold(two_servers, redis_url):
    _, second = two_servers
    Redis.from_url(redis_url).set("sesv:job-lease:counting", "server-a:1", px=60_000)
    with second.app_context():
        current_leases().release("counting", "server-b:2")
    assert Redis.from_url(redis_url, decode_responses=True).get("sesv:job-lease:counting") == "server-a:1"


# --- rate limits across two servers -------------------------------------------------------------


def test_with_redis_url_the_rate_limiter_counts_in_redis(tmp_path, redis_url):
    enabled = limiter.enabled
    try:
        app = create_app(app_config(tmp_path) | {"REDIS_URL": redis_url, "RATELIMIT_ENABLED": True})
        assert app.test_client().get("/api/public/challenge").status_code == 200
        assert Redis.from_url(redis_url).keys("LIMITS:*")
    finally:
        limiter.enabled = enabled  # the limiter is a process-wide singleton


def _start_gunicorn(port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "app:app"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if _get(port, "/api/health") == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"gunicorn on {port} did not answer within 60 s")


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_two_app_servers_with_one_redis_count_one_clients_requests_together(tmp_path, redis_url):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}",
        "REDIS_URL": redis_url,
        "RATELIMIT_ENABLED": "1",
        "SECRET_KEY": "two-servers",
        "JWT_SECRET_KEY": "two-servers-jwt-secret-with-enough-length-0123",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env | {"SESV_INSTANCE_DIR": str(tmp_path / "a")},
        check=True,
        capture_output=True,
    )
    ports = free_port(), free_port()
    servers = [
        _start_gunicorn(port, env | {"SESV_INSTANCE_DIR": str(tmp_path / name)}, tmp_path / f"{name}.log")
        for port, name in zip(ports, ("a", "b"), strict=True)
    ]
    try:
        # 30 challenges a minute per client (complaints/api.py), 20 on one server and 10 on the other
        answers = [_get(ports[n % 3 == 2], "/api/public/challenge") for n in range(30)]
        assert answers == [200] * 30
        assert _get(ports[0], "/api/public/challenge") == 429
        assert _get(ports[1], "/api/public/challenge") == 429
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def test_when_redis_is_down_limits_fall_back_to_this_server_instead_of_failing_requests(tmp_path):
    """Redis unreachable (a closed port): public pages still answer, and the limit still holds,
    counted on this server alone until Redis is back."""
    enabled = limiter.enabled
    try:
        dead = f"redis://127.0.0.1:{free_port()}/0"
        app = create_app(app_config(tmp_path) | {"REDIS_URL": dead, "RATELIMIT_ENABLED": True})
        client = app.test_client()
        answers = [client.get("/api/public/challenge").status_code for _ in range(31)]
        assert answers[:30] == [200] * 30
        assert answers[30] == 429
    finally:
        limiter.enabled = enabled
