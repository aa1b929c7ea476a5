"""App, client and a small domain graph: two zones, one block of two enterprises."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from flask_jwt_extended import create_access_token

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


@pytest.fixture
def app(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "test-secret",
            "JWT_SECRET_KEY": "test-jwt-secret-with-enough-length-0123456789",
            "PUBLIC_BASE_URL": "https://tzsb.example.cn",
            "PWA_DIST": str(tmp_path / "dist"),
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()  # close pooled connections now, not at garbage collection


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
