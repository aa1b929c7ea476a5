"""App, client and a small domain graph: two zones, one block of two enterprises."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask_jwt_extended import create_access_token
from redis import ConnectionError as RedisConnectionError
from redis import Redis

from backend import create_app
from backend.accounts.models import User
from backend.devices.models import Device
from backend.extensions import db
from backend.org.models import Block, Enterprise, Zone
from tests import factories as f


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    """scrypt costs ~0.1 s per user; tests need a hash, not its strength."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    from backend.accounts import models as account_models

    monkeypatch.setattr(
        account_models, "generate_password_hash", partial(generate_password_hash, method="pbkdf2:sha256:1")
    )


def app_config(tmp_path) -> dict:
    """The tests' app config: a fresh database (TEST_DATABASE_URL or a SQLite file), no limits."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "JWT_SECRET_KEY": "test-jwt-secret-with-enough-length-0123456789",
        "PUBLIC_BASE_URL": "https://tzsb.example.cn",
        "PWA_DIST": str(tmp_path / "dist"),
    }


@pytest.fixture
def app(tmp_path):
    app = create_app(app_config(tmp_path))
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()  # close pooled connections now, not at garbage collection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[str]:
    """A real redis-server on a free loopback port (Debian's package). Missing fails the run,
    as a missing PostgreSQL fails scripts/with-postgres.sh: CI must not skip these tests."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(binary, os.X_OK):
        pytest.fail(
            "redis-server not found: install Debian's redis-server package "
            "(make test does this automatically when run as root)",
            pytrace=False,
        )
    port, directory = free_port(), tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for_redis(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_redis(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, "redis-server exited at start"
        try:
            if Redis.from_url(url, socket_connect_timeout=0.5).ping():
                return
        except RedisConnectionError:  # not listening yet
            time.sleep(0.05)
    raise AssertionError("redis-server did not answer PING within 20 s")


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The test's Redis, emptied first."""
    Redis.from_url(redis_server).flushdb()
    return redis_server


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class City:
    zone: Zone
    other_zone: Zone
    block: Block
    ent_a: Enterprise  # manager's enterprise, block 1
    ent_b: Enterprise  # supervisor's enterprise, same block
    ent_c: Enterprise  # same zone, no block
    ent_x: Enterprise  # other zone
    dev_a: Device
    dev_b: Device
    dev_c: Device
    dev_x: Device
    admin: User
    inspector: User
    other_inspector: User
    manager: User
    supervisor: User
    manager_x: User


@pytest.fixture
def city(app) -> City:
    zone, other_zone = f.make_zone(), f.make_zone()
    block = f.make_block(zone)
    ent_a, ent_b = f.make_enterprise(zone, block), f.make_enterprise(zone, block)
    ent_c, ent_x = f.make_enterprise(zone), f.make_enterprise(other_zone)
    city = City(
        zone,
        other_zone,
        block,
        ent_a,
        ent_b,
        ent_c,
        ent_x,
        f.make_device(ent_a),
        f.make_device(ent_b),
        f.make_device(ent_c),
        f.make_device(ent_x),
        admin=f.make_user("bureau_admin"),
        inspector=f.make_user("inspector", zone=zone),
        other_inspector=f.make_user("inspector", zone=other_zone),
        manager=f.make_user("safety_manager", enterprise=ent_a),
        supervisor=f.make_user("block_supervisor", enterprise=ent_b),
        manager_x=f.make_user("safety_manager", enterprise=ent_x),
    )
    db.session.commit()
    return city


def auth(user: User) -> dict:
    return {"Authorization": f"Bearer {create_access_token(identity=user)}"}
