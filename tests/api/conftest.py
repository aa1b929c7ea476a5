"""Opt-in speed-ups for the many small API tests (same contract as tests/conftest.py).

A test module opts in by overriding `app` with `fast_app`:

    @pytest.fixture
    def app(fast_app):
        return fast_app

- One Flask app per session (create_app builds the OpenAPI spec: ~80 ms); tables are
  emptied after each test instead of dropped and re-created; the per-test settings
  (upload dir, PWA dist) are set on the shared app and restored afterwards.
- Cheap password hashes: scrypt costs ~0.1 s per user and `city` makes six.

Modules that change the app itself (register blueprints…) keep the root `app`.
"""

from __future__ import annotations

import os
from functools import partial

import pytest
from werkzeug.security import generate_password_hash

from backend import create_app
from backend.accounts import models as account_models
from backend.extensions import db


@pytest.fixture(scope="session")
def _shared_app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('api-db') / 'test.db'}"
    )
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "test-secret",
            "JWT_SECRET_KEY": "test-jwt-secret-with-enough-length-0123456789",
            "PUBLIC_BASE_URL": "https://tzsb.example.cn",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def fast_password_hashing(monkeypatch):
    fast = partial(generate_password_hash, method="pbkdf2:sha256:1")
    monkeypatch.setattr(account_models, "generate_password_hash", fast)


@pytest.fixture
def fast_app(_shared_app, tmp_path, monkeypatch, fast_password_hashing):
    monkeypatch.setitem(_shared_app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(_shared_app.config, "PWA_DIST", str(tmp_path / "dist"))
    with _shared_app.app_context():
        db.create_all()
        yield _shared_app
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
